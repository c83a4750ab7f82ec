/**
 * The notification outbox. Escalation steps write their notifications into the store in the same
 * transaction as the step (store.createEscalation / updateEscalation), so a crash never loses a step
 * nor sends one twice by re-running it; this dispatcher then delivers them: it claims due rows for a
 * lease (duress first), hands each to its channel's Notifier, and records the outcome and the attempt.
 *
 * Delivery guarantee per channel (Notifier.delivery): a row left `sending` by a dead process is sent
 * again for `at-least-once` channels (SMS, e-mail, webhook: a duplicate is possible only in the
 * milliseconds between the channel taking the message and the store recording it, and carries the same
 * idempotency key / Message-ID), and failed as `interrupted` for `at-most-once` ones (console push: the
 * consoles of a dead process reconnect and re-read every open alarm anyway).
 * A failed send is retried with backoff (5 s, 15 s, then every 60 s) up to `maxAttempts` (not when the
 * recipient is gone: an expired push subscription), then set aside as failed; the escalation engine
 * meanwhile moves on to the next step at the first failure (onResult), and NotifierHealth raises one
 * notifier_failed alarm for a channel that keeps failing.
 *
 * Channels never wait for each other: each has its own lane that claims only its rows, and a lane
 * hands at most `maxInFlight` notifications to its channel at once and claims the next as each one
 * finishes — so a modem that hangs for its whole timeout, or a webhook that never answers, holds up
 * neither the console push nor the e-mail of another alarm, nor the other webhooks.
 *
 * In a cluster every worker drains the one outbox: claims are atomic in the store, so a notification
 * goes out from exactly one worker, whichever wrote its step. A worker claims only the channels it has,
 * and claims left by a worker known dead (`deadClaimers`: it stopped renewing its leases) are taken
 * over at once rather than when their lease runs out.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, every, type TimerId } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { Counters } from '../../../common/counters';
import { type Channel, CHANNELS, type DeliveryResult, type Notifier } from '../notify/types';
import type { NewOutboxMessage, OutboxMessage, Store } from '../store/types';
import { withoutFence } from '../store/fence';

export type ResultListener = (msg: OutboxMessage, result: DeliveryResult, final: boolean) => Promise<void>;

const BACKOFF_MS = [5_000, 15_000, 60_000];
const MAX_IN_FLIGHT = 20;

/**
 * One channel's deliveries; alone, one more lane for the rows of every channel not configured here
 * (they fail at once), so a poll costs one claim per configured channel plus one, not one per channel.
 */
interface Lane {
  name: Channel | 'unconfigured';
  channels: () => readonly Channel[];
  claiming: Promise<void> | undefined;
  again: boolean;
  inFlight: number;
}

export class Outbox {
  readonly counters = new Counters();
  private readonly notifiers = new Map<Channel, Notifier>();
  private readonly listeners: ResultListener[] = [];
  private stopPoll: (() => void) | undefined;
  private kickTimer: TimerId | undefined;
  private readonly lanes = new Map<Channel, Lane>();
  /** Every claim and delivery under way (idle(), shutdown). */
  private readonly busy = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly ctx: {
    store: Store; clock: Clock; log: Logger; instance: string; maxAttempts: number; leaseMs?: number; pollMs?: number;
    /** In a cluster: workers known to have died (their claims are abandoned); alone: absent. */
    deadClaimers?: () => readonly string[];
    /** A reason to withhold a message instead of sending it (duress-guard.ts); never retried. */
    withhold?: (m: OutboxMessage) => Promise<string | undefined>;
  }) {}

  addNotifier(n: Notifier): void {
    this.notifiers.set(n.channel, n);
  }

  channels(): ReadonlySet<Channel> {
    return new Set(this.notifiers.keys());
  }

  notifier(channel: Channel): Notifier | undefined {
    return this.notifiers.get(channel);
  }

  onResult(fn: ResultListener): void {
    this.listeners.push(fn);
  }

  /** A row for the outbox with the defaults filled in. */
  message(m: Pick<NewOutboxMessage, 'channel' | 'to' | 'contactName' | 'subject' | 'text'> & Partial<NewOutboxMessage>): NewOutboxMessage {
    return {
      id: randomUUID(), alarmId: null, alarmNumber: null, escalationId: null, step: null, targetKey: null, contactId: null, link: null, data: null,
      priority: 5, maxAttempts: this.ctx.maxAttempts, nextAttemptAt: this.ctx.clock.now(), createdAt: this.ctx.clock.now(), ...m,
    };
  }

  async enqueue(messages: NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ctx.store.enqueue(messages);
    this.kick();
  }

  /** Start-up: whatever a previous process left half-sent, then the regular poll (retries, other writers). */
  async start(opts: { takeOver: boolean }): Promise<void> {
    const { store, clock, instance } = this.ctx;
    const abandoned = await store.reclaimAbandoned({ now: clock.now(), by: instance, leaseMs: this.leaseMs, all: opts.takeOver, ...this.claimScope() });
    this.counters.inc('reclaimed', abandoned.length);
    for (const m of abandoned) this.launch(this.laneOf(m.channel), m, true);
    this.stopPoll = every(clock, this.ctx.pollMs ?? 1000, () => this.kick());
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.stopPoll?.();
    this.ctx.clock.clearTimeout(this.kickTimer);
  }

  /** Resolves when nothing is being claimed or delivered (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.busy.size > 0) await Promise.allSettled([...this.busy]);
  }

  /** Delivers due rows soon (on the next turn, so a burst of enqueues is one claim per channel). */
  kick(): void {
    if (this.stopped || this.kickTimer !== undefined) return;
    // The lanes serve every alarm: they must not inherit the fence of whichever bucket's work kicked them.
    this.kickTimer = withoutFence(() => this.ctx.clock.setTimeout(() => {
      this.kickTimer = undefined;
      for (const lane of this.lanesToPump()) this.pump(lane);
    }, 0));
  }

  /** In a cluster: only our channels, and claims of dead workers count as abandoned. */
  private claimScope(): { deadClaimers?: readonly string[]; channels?: readonly Channel[] } {
    const dead = this.ctx.deadClaimers?.();
    return dead ? { deadClaimers: dead.filter((d) => d !== this.ctx.instance), channels: [...this.notifiers.keys()] } : {};
  }

  /** Alone, every channel is drained (a row for a channel not configured fails at once); in a cluster, ours. */
  private lanesToPump(): Lane[] {
    const ours = [...this.notifiers.keys()].map((c) => this.lane(c));
    return this.ctx.deadClaimers || this.unconfigured.channels().length === 0 ? ours : [...ours, this.unconfigured];
  }

  private readonly unconfigured: Lane = {
    name: 'unconfigured', channels: () => CHANNELS.filter((c) => !this.notifiers.has(c)), claiming: undefined, again: false, inFlight: 0,
  };

  private get leaseMs(): number {
    return this.ctx.leaseMs ?? 60_000;
  }

  private lane(channel: Channel): Lane {
    let lane = this.lanes.get(channel);
    if (!lane) this.lanes.set(channel, (lane = { name: channel, channels: () => [channel], claiming: undefined, again: false, inFlight: 0 }));
    return lane;
  }

  private laneOf(channel: Channel): Lane {
    return this.notifiers.has(channel) || this.ctx.deadClaimers ? this.lane(channel) : this.unconfigured;
  }

  private track(p: Promise<void>): void {
    this.busy.add(p);
    void p.finally(() => this.busy.delete(p));
  }

  /** Claims what the lane has room for: its abandoned rows, then due rows (duress first). */
  private pump(lane: Lane): void {
    if (this.stopped) return;
    if (lane.claiming) {
      lane.again = true;
      return;
    }
    const run = withoutFence(() => this.claim(lane)).finally(() => {
      lane.claiming = undefined;
      if (lane.again) this.pump(lane);
    });
    lane.claiming = run;
    this.track(run);
  }

  private async claim(lane: Lane): Promise<void> {
    const { store, clock, instance, log } = this.ctx;
    const channels = lane.channels();
    const room = (): number => ((lane.name === 'unconfigured' ? undefined : this.notifiers.get(lane.name)?.maxInFlight) ?? MAX_IN_FLIGHT) - lane.inFlight;
    try {
      do {
        lane.again = false;
        if (room() <= 0) return;
        const scope = this.claimScope();
        const reclaimed = await store.reclaimAbandoned({ now: clock.now(), by: instance, leaseMs: this.leaseMs, ...(scope.deadClaimers ? { deadClaimers: scope.deadClaimers } : {}), channels });
        for (const m of reclaimed) this.launch(lane, m, true);
        while (!this.stopped && room() > 0) {
          const batch = await store.claimOutbox({ now: clock.now(), limit: room(), leaseMs: this.leaseMs, by: instance, channels });
          if (batch.length === 0) break;
          for (const m of batch) this.launch(lane, m, false);
        }
      } while (lane.again && !this.stopped);
    } catch (e) {
      log.error('outbox claim failed; the poll retries', { lane: lane.name, error: e as Error });
    }
  }

  /** Delivers one claimed row without holding up the lane; when it is done the lane claims the next. */
  private launch(lane: Lane, m: OutboxMessage, reclaimed: boolean): void {
    lane.inFlight++;
    const run = this.deliver(m, reclaimed)
      .catch((e: unknown) => this.ctx.log.error('notification delivery failed unexpectedly; its lease will bring it back', { id: m.id, error: e as Error }))
      .finally(() => {
        lane.inFlight--;
        this.pump(lane);
      });
    this.track(run);
  }

  private async deliver(m: OutboxMessage, reclaimed: boolean): Promise<void> {
    const { store, clock, instance } = this.ctx;
    const n = this.notifiers.get(m.channel);
    let result: DeliveryResult;
    const withheld = await this.ctx.withhold?.(m).catch((e: unknown) => `withheld: the duress check failed (${(e as Error).message})`);
    if (withheld) {
      result = { status: 'failed', detail: withheld };
    } else if (!n) {
      result = { status: 'failed', detail: `no ${m.channel} channel is configured` };
    } else if (reclaimed && n.delivery === 'at-most-once') {
      result = { status: 'failed', detail: 'interrupted by a restart (at-most-once channel)' };
    } else {
      try {
        result = await n.send({
          id: m.id, alarmId: m.alarmId ?? '', alarmNumber: m.alarmNumber ?? '', channel: m.channel, to: m.to, subject: m.subject, text: m.text,
          ...(m.link ? { link: m.link } : {}), ...(m.data ? { data: m.data } : {}),
        });
      } catch (e) {
        result = { status: 'failed', detail: (e as Error).message };
      }
    }
    const now = clock.now();
    const retry = result.status === 'failed' && !withheld && !result.gone && n !== undefined && m.attempts < m.maxAttempts && !(reclaimed && n.delivery === 'at-most-once');
    const attempt = { at: now, notificationId: m.id, alarmId: m.alarmId, channel: m.channel, to: m.to, contactName: m.contactName, status: result.status, detail: result.detail === undefined ? null : `${result.detail}${retry ? ' (will retry)' : ''}` };
    const done = retry
      ? { state: 'pending' as const, at: now, detail: result.detail ?? 'failed', nextAttemptAt: now + (BACKOFF_MS[m.attempts - 1] ?? 60_000) }
      : { state: result.status, at: now, ...(result.detail ? { detail: result.detail } : {}) };
    const ours = await store.completeOutbox(m.id, instance, done, attempt);
    this.counters.inc(`${m.channel}_${result.status}`);
    this.ctx.log.debug('notification recorded', { id: m.id, channel: m.channel, to: m.to, status: result.status, retry, ours });
    if (!ours) return; // someone else re-claimed it after our lease ran out; their outcome counts
    for (const fn of this.listeners) {
      try {
        await fn(m, result, !retry);
      } catch (e) {
        this.ctx.log.error('outbox result listener failed', { id: m.id, error: e as Error });
      }
    }
  }
}
