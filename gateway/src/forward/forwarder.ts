/**
 * Drains the outbox to the broker: oldest first, a bounded number in flight, each message deleted
 * only when its PUBACK arrives. Nothing is handed to the MQTT client while it is offline (its own
 * queue lives in memory); on reconnect the drain resumes where the acknowledgements stopped, so a
 * restart or an outage of hours loses nothing and memory stays flat. A message may arrive twice
 * after a failure — the centre stores each device + counter once.
 */
import { Counters } from '../../../common/counters';
import type { Logger } from '../../../common/log';
import type { MessageBus } from '../../../common/bus';
import type { OutboxEntry, SqliteOutbox } from './outbox';

export interface ForwardBus extends MessageBus {
  on(event: 'connect' | 'offline', fn: () => void): unknown;
  off(event: 'connect' | 'offline', fn: () => void): unknown;
  /** Publishes made inside `fn` may be written together (optional). */
  batch?(fn: () => void): void;
}

export interface ForwarderOptions {
  outbox: SqliteOutbox;
  bus: ForwardBus;
  log: Logger;
  /** Messages published and not yet acknowledged, at most. */
  window?: number;
}

export class Forwarder {
  readonly counters = new Counters();
  private readonly inflight = new Set<number>();
  /** Highest sequence read from the outbox; `buffer` holds those read and not yet sent. */
  private cursor = 0;
  private buffer: OutboxEntry[] = [];
  private running = false;
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  private readonly onConnect = (): void => {
    // mqtt.js resends its own unacknowledged messages on reconnect; we continue after them.
    this.drain();
  };
  private readonly onOffline = (): void => this.counters.inc('disconnects');

  constructor(private readonly opts: ForwarderOptions) {}

  start(): void {
    this.running = true;
    this.opts.bus.on('connect', this.onConnect);
    this.opts.bus.on('offline', this.onOffline);
    this.drain();
  }

  stop(): void {
    this.running = false;
    this.opts.bus.off('connect', this.onConnect);
    this.opts.bus.off('offline', this.onOffline);
  }

  /** Something was queued: send it if we can. */
  kick(): void {
    this.drain();
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  /** Resolves when the queue is empty and nothing is in flight (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (this.opts.outbox.depth === 0 && this.inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    if (!this.running || this.draining) return;
    if (this.opts.bus.batch) this.opts.bus.batch(() => this.drainNow());
    else this.drainNow();
    this.checkIdle();
  }

  private drainNow(): void {
    this.draining = true;
    try {
      const window = this.opts.window ?? 64;
      while (this.opts.bus.connected && this.inflight.size < window) {
        if (this.buffer.length === 0) {
          // Read ahead a window's worth at a time rather than one row per acknowledgement.
          this.buffer = this.opts.outbox.after(this.cursor, window);
          if (this.buffer.length === 0) break;
          this.cursor = this.buffer.at(-1)!.seq;
        }
        const m = this.buffer.shift()!;
        if (this.inflight.has(m.seq)) continue;
        this.inflight.add(m.seq);
        this.opts.bus.publish(m.topic, m.payload, { qos: 1 }).then(
          () => this.acked(m.seq),
          (e: unknown) => this.failed(m.seq, e as Error),
        );
      }
    } finally {
      this.draining = false;
    }
  }

  private acked(seq: number): void {
    this.opts.outbox.remove(seq);
    this.inflight.delete(seq);
    this.counters.inc('forwarded');
    this.drain();
  }

  private failed(seq: number, e: Error): void {
    this.inflight.delete(seq);
    this.counters.inc('publish_failures');
    this.opts.log.warn('publish failed; will resend', { seq, error: e.message });
    // Resend from the oldest message not acknowledged.
    this.buffer = [];
    this.cursor = Math.min(this.cursor, seq - 1, ...[...this.inflight].map((s) => s - 1));
    this.drain();
  }

  private checkIdle(): void {
    if (this.opts.outbox.depth !== 0 || this.inflight.size !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
