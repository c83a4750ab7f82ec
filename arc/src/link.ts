/**
 * Delivery to one alarm-receiving centre over its primary and backup paths.
 *
 * - The queue is delivered strictly in order, one message in flight: an event leaves the head
 *   only when a receiver acknowledged it, or when every path answered DUH (or DUH came back
 *   MAX_DUH times): "unable to process" will not change by retrying, so it is set aside as
 *   rejected — kept, counted, and reported as a failure — instead of blocking the alarms behind it.
 * - A path gets `attemptsPerPath` tries (NAK, timeout, connection refused, unusable answer); then
 *   it is down and the next path is used. Paths that are up are tried first, in configured order.
 *   When every path failed the event stays at the head and is retried after a back-off that
 *   doubles from retryInitialMs up to retryMaxMs.
 * - Supervision: every path that is up gets a NULL message when it was silent for nullIntervalS
 *   (DC-09 §5.5.2: any other message restarts the interval); a down path is probed with NULL on
 *   the back-off schedule and, when it answers, is up again and takes the queue back.
 * - The status is ok only when no path is down and nothing was rejected (docs/arc.md § Failures).
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from '../../common/clock';
import type { Logger } from '../../common/log';
import { type Channel, openChannel } from './channel';
import { type CodeKey, type EventCodes, resolveCodes } from './codes';
import { type ArcLinkConfig, type ArcPathConfig, linkKey } from './config';
import { linkAccounts, testDraft } from './events';
import { ArcPath, type ExchangeOutcome, type ExchangeRecord, type PathState } from './path';
import type { ArcQueue, QueuedEvent } from './queue';

const MAX_DUH = 3;
const DAY_MS = 86_400_000;

export interface LinkStatus {
  ok: boolean;
  detail: string;
  paths: Record<string, { state: PathState; detail?: string }>;
  queued: number;
  rejected: number;
}

export type LinkEvents = {
  exchange: [ExchangeRecord];
  delivered: [QueuedEvent, string];
  rejected: [QueuedEvent, string];
  resync: [string, number];
  status: [LinkStatus];
};

export interface LinkContext {
  config: ArcLinkConfig;
  queue: ArcQueue;
  clock: Clock;
  log: Logger;
  /** Where the bytes go; real sockets unless a test replaces them. */
  openChannel?: (path: ArcPathConfig) => Channel;
}

export class ArcLink extends EventEmitter<LinkEvents> {
  readonly codes: Record<CodeKey, EventCodes>;
  readonly paths: ArcPath[];
  private readonly key: Buffer | undefined;
  private stopped = true;
  private pumping: Promise<void> | undefined;
  private kickAgain = false;
  private retryTimer: TimerId | undefined;
  private housekeepingTimer: TimerId | undefined;
  private backoffMs: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private lastStatusKey = '';

  constructor(private readonly ctx: LinkContext) {
    super();
    const { config, clock, log } = ctx;
    this.codes = resolveCodes(config.codes);
    this.key = linkKey(config);
    this.backoffMs = config.timing.retryInitialMs;
    const open = ctx.openChannel ?? ((p: ArcPathConfig) => openChannel(p.transport, { host: p.host, port: p.port, connectTimeoutMs: config.timing.connectTimeoutMs, clock }));
    const pathCtx = {
      clock, log, key: this.key, ackTimeoutMs: config.timing.ackTimeoutMs,
      onExchange: (r: ExchangeRecord) => this.emit('exchange', r),
      onResync: (path: string, offsetMs: number) => this.emit('resync', path, offsetMs),
    };
    this.paths = config.paths.map((p) => new ArcPath(p, open(p), pathCtx, config.timing.retryInitialMs));
  }

  get id(): string {
    return this.ctx.config.id;
  }

  /** Tests every path at once, then supervises them and delivers whatever is queued. */
  start(): void {
    this.stopped = false;
    for (const p of this.paths) this.arm(p, 0);
    this.housekeeping();
    this.updateStatus();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const { clock } = this.ctx;
    clock.clearTimeout(this.retryTimer);
    clock.clearTimeout(this.housekeepingTimer);
    for (const p of this.paths) {
      clock.clearTimeout(p.timer);
      p.channel.close();
    }
    await Promise.allSettled([...this.inFlight, this.pumping]);
  }

  /** Something was queued (or a path came back): deliver now. */
  kick(): void {
    if (this.stopped) return;
    this.ctx.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pumping) {
      this.kickAgain = true;
      return;
    }
    this.kickAgain = false;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      this.updateStatus();
      // A kick that came after the pump's last look at the queue (unless a retry is already due).
      if (this.kickAgain && this.retryTimer === undefined) this.kick();
    });
  }

  status(): LinkStatus {
    const { queue } = this.ctx;
    const paths = Object.fromEntries(this.paths.map((p) => [p.name, p.detail === undefined ? { state: p.state } : { state: p.state, detail: p.detail }]));
    const down = this.paths.filter((p) => p.state === 'down');
    const up = this.paths.filter((p) => p.state === 'up');
    const rejected = queue.count('rejected');
    const queued = queue.count('queued');
    const parts = down.map((p) => `${p.name} down (${p.detail ?? 'no answer'})`);
    if (down.length === this.paths.length) parts.push('no path to the receiver: alarms are kept and sent when one comes back');
    else if (down.length > 0) parts.push(`sending via ${(up.length ? up : this.paths.filter((p) => p.state !== 'down')).map((p) => p.name).join(', ')}`);
    if (rejected > 0) parts.push(`${rejected} event(s) refused by the receiver (see npx vigil arc rejected)`);
    const ok = !this.stopped && down.length === 0 && rejected === 0;
    const detail = ok ? `${up.length}/${this.paths.length} path(s) up` : this.stopped ? 'ARC output stopped' : parts.join('; ');
    return { ok, detail, paths, queued, rejected };
  }

  /** Sends a manual test report (RX / 601) through every path and reports what each answered. */
  async testPaths(): Promise<Record<string, { ok: boolean; detail: string; latencyMs: number }>> {
    const { queue, clock, config } = this.ctx;
    const out: Record<string, { ok: boolean; detail: string; latencyMs: number }> = {};
    for (const p of this.paths) {
      const d = testDraft('manual_test', config.accounts.transmitter, { link: config, codes: this.codes });
      const started = clock.now();
      const r = await p.exchange({ token: d.token, seq: queue.takeSeq(), account: d.account, data: d.data, xdata: d.xdata });
      out[p.name] = { ok: r.kind === 'ack', detail: r.kind === 'ack' ? 'ACK' : r.detail, latencyMs: clock.now() - started };
    }
    return out;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  private async pump(): Promise<void> {
    do {
      this.kickAgain = false;
      for (;;) {
        if (this.stopped) return;
        const ev = this.ctx.queue.head();
        if (!ev) break;
        let settled: boolean;
        try {
          settled = await this.deliver(ev);
        } catch (e) {
          this.ctx.log.error('delivery failed unexpectedly', { eventId: ev.id, error: e as Error });
          settled = false;
        }
        if (this.stopped) return;
        if (!settled) {
          this.scheduleRetry();
          return;
        }
      }
    } while (this.kickAgain);
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.ctx.config.timing.retryMaxMs);
    this.ctx.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.ctx.clock.setTimeout(() => this.kick(), delay);
  }

  /** true when the event left the head (delivered or rejected). */
  private async deliver(ev: QueuedEvent): Promise<boolean> {
    const { queue, clock, log } = this.ctx;
    const seq = queue.ensureSeq(ev.id);
    const msg = { token: ev.token, seq, account: ev.account, data: ev.data, xdata: ev.xdata };
    const order = [...this.paths.filter((p) => p.state !== 'down'), ...this.paths.filter((p) => p.state === 'down')];
    const problems: string[] = [];
    let duhs = 0;
    for (const path of order) {
      const out = await this.tryPath(path, msg, ev.id);
      if (this.stopped) return false;
      if (out.kind === 'ack') {
        queue.markDelivered(ev.id, path.name, clock.now());
        this.backoffMs = this.ctx.config.timing.retryInitialMs;
        log.info('event delivered', { link: this.id, eventId: ev.id, alarmId: ev.alarmId, seq, path: path.name });
        this.emit('delivered', { ...ev, seq }, path.name);
        return true;
      }
      problems.push(`${path.name}: ${out.detail}`);
      if (out.kind === 'duh') {
        duhs++;
        queue.recordDuh(ev.id, `${path.name}: ${out.detail}`);
      }
    }
    if (duhs > 0 && (duhs === order.length || (queue.get(ev.id)?.duhCount ?? 0) >= MAX_DUH)) {
      const reason = problems.join('; ');
      queue.markRejected(ev.id, reason);
      log.error('event refused by the receiver: set aside', { link: this.id, eventId: ev.id, alarmId: ev.alarmId, reason });
      this.emit('rejected', ev, reason);
      this.updateStatus();
      return true;
    }
    return false;
  }

  /** Up to attemptsPerPath tries on one path; marks the path up or down accordingly. */
  private async tryPath(path: ArcPath, msg: Parameters<ArcPath['exchange']>[0], eventId?: number): Promise<ExchangeOutcome> {
    let out: ExchangeOutcome = { kind: 'fail', detail: 'not tried' };
    for (let attempt = 0; attempt < this.ctx.config.timing.attemptsPerPath && !this.stopped; attempt++) {
      out = await this.track(path.exchange(msg));
      if (eventId !== undefined && !this.stopped) this.ctx.queue.recordAttempt(eventId, out.kind === 'ack' ? null : `${path.name}: ${out.detail}`);
      if (out.kind !== 'fail') {
        this.markUp(path);
        return out;
      }
    }
    if (!this.stopped) this.markDown(path, out.kind === 'fail' ? out.detail : 'no answer');
    return out;
  }

  private markUp(path: ArcPath): void {
    const wasDown = path.state === 'down';
    path.state = 'up';
    path.detail = undefined;
    path.lastOkAt = this.ctx.clock.now();
    path.probeDelayMs = this.ctx.config.timing.retryInitialMs;
    if (wasDown) {
      this.ctx.log.info('receiver path is back', { link: this.id, path: path.name });
      this.kick();
    }
    this.arm(path, this.ctx.config.timing.nullIntervalS * 1000);
    this.updateStatus();
  }

  private markDown(path: ArcPath, detail: string): void {
    if (path.state !== 'down') this.ctx.log.warn('receiver path is down', { link: this.id, path: path.name, detail });
    path.state = 'down';
    path.detail = detail;
    this.arm(path, path.probeDelayMs);
    path.probeDelayMs = Math.min(path.probeDelayMs * 2, this.ctx.config.timing.retryMaxMs);
    this.updateStatus();
  }

  /** (Re)arms the supervision timer of a path; 0 delay means "test now". */
  private arm(path: ArcPath, delayMs: number): void {
    const { clock } = this.ctx;
    clock.clearTimeout(path.timer);
    path.timer = undefined;
    if (this.stopped) return;
    if (path.state !== 'down' && delayMs === 0 && path.lastOkAt > 0) return; // supervision polling is off
    path.timer = clock.setTimeout(() => void this.track(this.supervise(path)), delayMs);
  }

  private async supervise(path: ArcPath): Promise<void> {
    path.timer = undefined;
    if (this.stopped) return;
    const intervalMs = this.ctx.config.timing.nullIntervalS * 1000;
    const silentMs = this.ctx.clock.now() - path.lastOkAt;
    if (path.state === 'up' && intervalMs > 0 && silentMs < intervalMs) return this.arm(path, intervalMs - silentMs);
    const out = await this.tryPath(path, { token: 'NULL', seq: this.ctx.queue.takeSeq(), account: this.ctx.config.accounts.transmitter, data: '', xdata: '' });
    // Events requeued by an operator (npx vigil arc rejected --requeue) are picked up here too.
    if (out.kind !== 'fail') this.kick();
  }

  /** Periodic test reports and pruning of old delivered events. */
  private housekeeping(): void {
    const { queue, clock, config } = this.ctx;
    const now = clock.now();
    queue.prune(now - config.timing.keepDeliveredDays * DAY_MS);
    let nextMs = DAY_MS;
    const intervalMs = config.timing.testIntervalH * 3_600_000;
    if (intervalMs > 0 && this.codes.periodic_test.send) {
      const last = Number(queue.getState('lastTestAt') ?? '0');
      if (now - last >= intervalMs) {
        for (const account of linkAccounts(config.accounts)) queue.enqueue(testDraft('periodic_test', account, { link: config, codes: this.codes }), now);
        queue.setState('lastTestAt', String(now));
        this.kick();
        nextMs = Math.min(nextMs, intervalMs);
      } else {
        nextMs = Math.min(nextMs, last + intervalMs - now);
      }
    }
    this.housekeepingTimer = clock.setTimeout(() => this.housekeeping(), nextMs);
  }

  private updateStatus(): void {
    // Nothing is said before the start-up link test has an answer for every path: the retained
    // status of the previous run stands until then (no false "ok", no false alarm at each restart).
    if (this.stopped || this.paths.some((p) => p.state === 'unknown')) return;
    const s = this.status();
    const key = JSON.stringify([s.ok, s.detail, s.paths]);
    if (key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.emit('status', s);
  }
}
