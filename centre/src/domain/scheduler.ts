/**
 * The scheduler seam: every timer of the centre (session reminders and expiries, check-ins,
 * escalation steps, pre-alarm expiry, device and gateway supervision) is a keyed entry here, driven
 * by the injected Clock. Timers are not the truth — the store rows they are derived from are: each
 * service arms its timers after committing a row and rebuilds them from the rows on start, and
 * every handler re-reads its row and acts only if the condition still holds, so a timer that fires
 * twice, late, or after a restart does no harm.
 *
 * One clock timer is armed at a time (the earliest entry of a binary heap), so 100,000 sessions cost
 * 100,000 small heap entries, not 100,000 runtime timers. Handlers run one at a time, in due order;
 * a handler that throws (store unavailable) is retried after `retryMs`, never dropped.
 */
import type { Clock, TimerId } from '../../../common/clock';
import type { Logger } from '../../../common/log';

export type TimerKind =
  | 'session_reminder'
  | 'session_expiry'
  | 'check_in'
  | 'escalation'
  | 'pre_alarm'
  | 'device_silent'
  | 'gateway_silent'
  | 'push_reminder'
  | 'retention'
  | 'backup';

export type TimerHandler = (ref: string, dueAt: number) => Promise<void>;

export interface Scheduler {
  /**
   * Arms or re-arms timer `key` (one entry per key) to run `kind`'s handler with `ref` at `dueAt`.
   * `partition` (partition.ts) says whose timer it is: in a cluster only the worker that owns
   * the partition runs it (cluster/owned-scheduler.ts); alone, everything is ours and it is ignored.
   */
  set(key: string, dueAt: number, kind: TimerKind, ref: string, partition?: string): void;
  clear(key: string): void;
  dueAt(key: string): number | undefined;
  on(kind: TimerKind, handler: TimerHandler): void;
  readonly size: number;
  /** Resolves when no handler is running or due now (tests and shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

interface Entry {
  key: string;
  dueAt: number;
  kind: TimerKind;
  ref: string;
  seq: number;
  /** Index in the heap; -1 once removed. */
  pos: number;
}

export class HeapScheduler implements Scheduler {
  private readonly heap: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  private readonly handlers = new Map<TimerKind, TimerHandler>();
  private armed: { id: TimerId; at: number } | undefined;
  private running: Promise<void> | undefined;
  private seq = 0;
  private stopped = false;
  private readonly retryMs: number;

  constructor(private readonly ctx: { clock: Clock; log: Logger; retryMs?: number }) {
    this.retryMs = ctx.retryMs ?? 5000;
  }

  get size(): number {
    return this.byKey.size;
  }

  on(kind: TimerKind, handler: TimerHandler): void {
    this.handlers.set(kind, handler);
  }

  set(key: string, dueAt: number, kind: TimerKind, ref: string): void {
    if (this.stopped) return;
    const old = this.byKey.get(key);
    if (old && old.dueAt === dueAt && old.kind === kind && old.ref === ref) return;
    if (old) this.remove(old);
    const e: Entry = { key, dueAt, kind, ref, seq: this.seq++, pos: -1 };
    this.byKey.set(key, e);
    this.push(e);
    this.arm();
  }

  clear(key: string): void {
    const e = this.byKey.get(key);
    if (!e) return;
    this.remove(e);
    this.arm();
  }

  dueAt(key: string): number | undefined {
    return this.byKey.get(key)?.dueAt;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.armed) this.ctx.clock.clearTimeout(this.armed.id);
    this.armed = undefined;
    this.heap.length = 0;
    this.byKey.clear();
  }

  /** Keeps exactly one clock timer, at the earliest due time. */
  private arm(): void {
    if (this.stopped || this.running) return;
    const first = this.heap[0];
    if (this.armed && (!first || this.armed.at !== first.dueAt)) {
      this.ctx.clock.clearTimeout(this.armed.id);
      this.armed = undefined;
    }
    if (!first || this.armed) return;
    const at = first.dueAt;
    this.armed = { at, id: this.ctx.clock.setTimeout(() => this.fire(), at - this.ctx.clock.now()) };
  }

  private fire(): void {
    this.armed = undefined;
    if (this.stopped || this.running) return;
    this.running = this.runDue().finally(() => {
      this.running = undefined;
      this.arm();
    });
  }

  private async runDue(): Promise<void> {
    for (;;) {
      const e = this.heap[0];
      if (!e || e.dueAt > this.ctx.clock.now() || this.stopped) return;
      this.remove(e);
      const handler = this.handlers.get(e.kind);
      if (!handler) {
        this.ctx.log.error('timer without a handler dropped', { kind: e.kind, key: e.key });
        continue;
      }
      try {
        await handler(e.ref, e.dueAt);
      } catch (err) {
        // The row still says the work is due: try again rather than lose it (principle 1).
        this.ctx.log.error('timer handler failed; retrying', { kind: e.kind, key: e.key, error: err as Error });
        if (!this.byKey.has(e.key)) this.set(e.key, this.ctx.clock.now() + this.retryMs, e.kind, e.ref);
      }
    }
  }

  // ---- binary min-heap on (dueAt, seq); each entry knows its position, for removal by key

  private less(a: Entry, b: Entry): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
  }

  private push(e: Entry): void {
    e.pos = this.heap.length;
    this.heap.push(e);
    this.up(e.pos);
  }

  private remove(e: Entry): void {
    const i = e.pos;
    if (this.byKey.get(e.key) === e) this.byKey.delete(e.key);
    if (i < 0) return;
    e.pos = -1;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.pos = i;
      this.down(i);
      this.up(i);
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    b.pos = i;
    a.pos = j;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.heap[i]!, this.heap[p]!)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.less(this.heap[l]!, this.heap[m]!)) m = l;
      if (r < this.heap.length && this.less(this.heap[r]!, this.heap[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
