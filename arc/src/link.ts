/**
 * Delivery to one alarm-receiving centre over its primary and backup paths.
 *
 * - One message in flight; the queue goes out oldest first. A path gets `attemptsPerPath` tries
 *   (NAK, timeout, connection refused, unusable answer); then — unless no connection could be made
 *   or the path was down already — the path's NULL link test tells whose fault it was: if the
 *   receiver answers NULL, it is alive and refuses this event; if not, the path is down and the next
 *   path is used (paths that are up first, in configured order).
 * - No path reachable: the event stays at the head (nothing could go anyway) and the link retries
 *   after a back-off that doubles from retryInitialMs up to retryMaxMs.
 * - An event a receiver refuses (NAK or silence while NULL passes, or DUH) is never resent in a
 *   tight loop and never holds up the events behind it: it waits out its own back-off (the same
 *   schedule) while later alarms — duress included — go out, and after `refusalsBeforeSetAside`
 *   rounds, at once when every path said DUH, or at the MAX_DUH-th DUH, it is set aside as rejected:
 *   kept, counted, logged and reported until an operator requeues or discards it (docs/arc.md §7).
 *   Order is kept per alarm: a restore never overtakes its alarm event, and goes aside with it.
 * - Supervision: every path that is up gets a NULL message when it was silent for nullIntervalS
 *   (DC-09 §5.5.2: any other message restarts the interval); a down path is probed with NULL on
 *   the back-off schedule and, when it answers, is up again and takes the queue back.
 * - The status is ok only when no path is down and no event is refused or set aside, so a refusing
 *   receiver gives one steady `ok: false` (one integration_failed alarm), not a flapping one.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from '../../common/clock';
import type { Logger } from '../../common/log';
import { type Channel, openChannel } from './channel';
import { type CodeKey, type EventCodes, resolveCodes } from './codes';
import { type ArcLinkConfig, type ArcPathConfig, linkKey } from './config';
import { housekeep, type PathTestResult, testEveryPath } from './housekeeping';
import { describeLink, type LinkStatus } from './link-status';
import { ArcPath, type ExchangeOutcome, type ExchangeRecord } from './path';
import type { ArcQueue, QueuedEvent } from './queue';

export type { LinkStatus } from './link-status';

const MAX_DUH = 3;

/** What one round did with an event; 'blocked': no path reachable, the queue waits. */
type Verdict = 'delivered' | 'set_aside' | 'deferred' | 'blocked';
/** A path's answer to an event, 'refused' when it failed while the path's NULL passed. */
type PathOutcome = ExchangeOutcome | { kind: 'refused'; detail: string };

export type LinkEvents = {
  exchange: [ExchangeRecord];
  delivered: [QueuedEvent, string];
  rejected: [QueuedEvent, string];
  /** Refused this round; tried again after `retryInMs` while the next events go on. */
  refused: [QueuedEvent, string, number];
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
  /** Wakes the pump when the back-off of a refused event ends. */
  private wakeTimer: TimerId | undefined;
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
    clock.clearTimeout(this.wakeTimer);
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
    this.ctx.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
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
    return describeLink({ stopped: this.stopped, paths: this.paths, queued: queue.count('queued'), refused: queue.countRefused(), rejected: queue.count('rejected') });
  }

  /** Sends a manual test report (RX / 601) through every path and reports what each answered. */
  testPaths(): Promise<Record<string, PathTestResult>> {
    const { queue, clock, config } = this.ctx;
    return testEveryPath(this.paths, { queue, clock, config, codes: this.codes });
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
        const ev = this.ctx.queue.head(this.ctx.clock.now());
        if (!ev) break;
        let verdict: Verdict;
        try {
          verdict = await this.deliver(ev);
        } catch (e) {
          this.ctx.log.error('delivery failed unexpectedly', { eventId: ev.id, error: e as Error });
          verdict = 'blocked';
        }
        if (this.stopped) return;
        if (verdict === 'blocked') {
          this.scheduleRetry();
          return;
        }
      }
    } while (this.kickAgain);
    this.scheduleWake();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.ctx.config.timing.retryMaxMs);
    this.ctx.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.ctx.clock.setTimeout(() => this.kick(), delay);
  }

  /** The queue is done for now: come back when the first refused event's back-off ends. */
  private scheduleWake(): void {
    const { clock, queue } = this.ctx;
    clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    const due = queue.nextDueAt();
    if (this.stopped || due === undefined) return;
    this.wakeTimer = clock.setTimeout(() => this.kick(), Math.max(0, due - clock.now()));
  }

  /** One round for the event: every path once (up ones first). */
  private async deliver(ev: QueuedEvent): Promise<Verdict> {
    const { queue, clock, log, config } = this.ctx;
    const before = queue.rejectedBefore(ev);
    if (before !== undefined) return this.setAside(ev, `kept with event ${before} of the same alarm, which the receiver refused`);
    const seq = queue.ensureSeq(ev.id);
    const msg = { token: ev.token, seq, account: ev.account, data: ev.data, xdata: ev.xdata };
    const order = [...this.paths.filter((p) => p.state !== 'down'), ...this.paths.filter((p) => p.state === 'down')];
    const problems: string[] = [];
    let duhs = 0;
    let refusals = 0;
    for (const path of order) {
      const out = await this.tryPath(path, msg, ev.id);
      if (this.stopped) return 'blocked';
      if (out.kind === 'ack') {
        queue.markDelivered(ev.id, path.name, clock.now());
        this.backoffMs = config.timing.retryInitialMs;
        log.info('event delivered', { link: this.id, eventId: ev.id, alarmId: ev.alarmId, seq, path: path.name });
        this.emit('delivered', { ...ev, seq }, path.name);
        return 'delivered';
      }
      problems.push(`${path.name}: ${out.detail}`);
      if (out.kind === 'duh') {
        duhs++;
        queue.recordDuh(ev.id, `${path.name}: ${out.detail}`);
      } else if (out.kind === 'refused') {
        refusals++;
      }
    }
    if (duhs + refusals === 0) return 'blocked'; // no receiver reachable: the whole queue waits, in order
    const reason = problems.join('; ');
    if (duhs === order.length || (queue.get(ev.id)?.duhCount ?? 0) >= MAX_DUH) return this.setAside(ev, reason);
    const round = ev.refusals + 1;
    if (round >= config.timing.refusalsBeforeSetAside) return this.setAside(ev, `${reason} (refused ${round} times)`);
    const retryInMs = Math.min(config.timing.retryInitialMs * 2 ** (round - 1), config.timing.retryMaxMs);
    queue.deferRefused(ev.id, reason, clock.now() + retryInMs);
    log.warn('event refused by the receiver: tried again later, the next events go on', { link: this.id, eventId: ev.id, alarmId: ev.alarmId, round, retryInMs, reason });
    this.emit('refused', ev, reason, retryInMs);
    this.updateStatus();
    return 'deferred';
  }

  private setAside(ev: QueuedEvent, reason: string): Verdict {
    this.ctx.queue.markRejected(ev.id, reason);
    this.ctx.log.error('event refused by the receiver: set aside', { link: this.id, eventId: ev.id, alarmId: ev.alarmId, reason });
    this.emit('rejected', ev, reason);
    this.updateStatus();
    return 'set_aside';
  }

  /**
   * Up to attemptsPerPath tries on one path; marks the path up or down. When an event gets no ACK,
   * NULL tells whether the path or the event is the problem ('refused': the receiver is there).
   */
  private async tryPath(path: ArcPath, msg: Parameters<ArcPath['exchange']>[0], eventId?: number): Promise<PathOutcome> {
    const wasDown = path.state === 'down';
    let out: ExchangeOutcome = { kind: 'fail', code: 'not_tried', detail: 'not tried' };
    for (let attempt = 0; attempt < this.ctx.config.timing.attemptsPerPath && !this.stopped; attempt++) {
      out = await this.track(path.exchange(msg));
      if (eventId !== undefined && !this.stopped) this.ctx.queue.recordAttempt(eventId, out.kind === 'ack' ? null : `${path.name}: ${out.detail}`);
      if (out.kind === 'ack' || out.kind === 'duh') {
        this.markUp(path);
        return out;
      }
    }
    if (this.stopped) return out;
    // No probe when no connection could be made (the NULL could not pass either) or the path was down already.
    if (eventId !== undefined && !wasDown && !(out.kind === 'fail' && out.code === 'connect_failed')) {
      const probe = await this.track(path.exchange(this.nullMessage()));
      if (probe.kind === 'ack') {
        this.markUp(path);
        return { kind: 'refused', detail: out.detail };
      }
    }
    if (!this.stopped) this.markDown(path, out.detail);
    return out;
  }

  private nullMessage(): Parameters<ArcPath['exchange']>[0] {
    return { token: 'NULL', seq: this.ctx.queue.takeSeq(), account: this.ctx.config.accounts.transmitter, data: '', xdata: '' };
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
    const out = await this.tryPath(path, this.nullMessage());
    // Events requeued by an operator (npx vigil arc rejected --requeue) are picked up here too.
    if (out.kind === 'ack' || out.kind === 'duh') this.kick();
  }

  /** Periodic test reports and pruning of old delivered events (housekeeping.ts). */
  private housekeeping(): void {
    const { queue, clock, config } = this.ctx;
    const r = housekeep({ queue, config, codes: this.codes }, clock.now());
    if (r.enqueued) this.kick();
    this.housekeepingTimer = clock.setTimeout(() => this.housekeeping(), r.nextMs);
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
