/**
 * The scheduler of a cluster worker: timers of the partitions it owns run here, fenced by the bucket's
 * lease; a timer armed here for a partition another worker owns (an operator started a session on this
 * worker's API, a delivery failed here and moved an escalation on) is handed to that worker as a hint
 * (a cluster message; the owner arms it from the row the handler re-reads anyway). Losing a bucket
 * drops its timers; taking one over rebuilds them from the database (takeover.ts). A hint lost with a
 * broken connection is made good by the resync after reconnecting.
 */
import type { Logger } from '../../../common/log';
import type { Scheduler, TimerHandler, TimerKind } from '../domain/scheduler';

export interface TimerHint {
  key: string;
  dueAt: number;
  kind: TimerKind;
  ref: string;
  partition: string;
}

export interface OwnedSchedulerOptions {
  inner: Scheduler;
  owns: (partition: string) => boolean;
  run: <T>(partition: string, fn: () => Promise<T>) => Promise<T>;
  /** Sends a timer to the partition's owner. */
  hint: (h: TimerHint) => void;
  log: Logger;
}

export class OwnedScheduler implements Scheduler {
  /** `kind|ref` → the key and partition of the armed timer (a handler learns only its ref). */
  private readonly armed = new Map<string, { key: string; partition: string }>();
  private readonly byKey = new Map<string, string>();
  hintsSent = 0;

  constructor(private readonly o: OwnedSchedulerOptions) {}

  get size(): number {
    return this.o.inner.size;
  }

  set(key: string, dueAt: number, kind: TimerKind, ref: string, partition?: string): void {
    if (partition !== undefined && !this.o.owns(partition)) {
      this.clear(key);
      this.hintsSent++;
      this.o.hint({ key, dueAt, kind, ref, partition });
      return;
    }
    if (partition !== undefined) {
      this.armed.set(`${kind}|${ref}`, { key, partition });
      this.byKey.set(key, `${kind}|${ref}`);
    }
    this.o.inner.set(key, dueAt, kind, ref);
  }

  /** A timer another worker handed over: armed if this worker owns its partition (now). */
  accept(h: TimerHint): void {
    if (this.o.owns(h.partition)) this.set(h.key, h.dueAt, h.kind, h.ref, h.partition);
  }

  clear(key: string): void {
    const kr = this.byKey.get(key);
    if (kr !== undefined) {
      this.armed.delete(kr);
      this.byKey.delete(key);
    }
    this.o.inner.clear(key);
  }

  dueAt(key: string): number | undefined {
    return this.o.inner.dueAt(key);
  }

  on(kind: TimerKind, handler: TimerHandler): void {
    this.o.inner.on(kind, async (ref, dueAt) => {
      const a = this.armed.get(`${kind}|${ref}`);
      if (!a) return handler(ref, dueAt);
      if (!this.o.owns(a.partition)) return; // the bucket moved on: its new owner rebuilt this timer
      try {
        await this.o.run(a.partition, () => handler(ref, dueAt));
      } catch (e) {
        if ((e as { code?: string }).code !== 'fenced') throw e; // kept: the scheduler retries it, as ours
        this.o.log.info('timer refused: the bucket was taken over', { kind, ref });
        this.clear(a.key);
        return;
      }
      if (this.o.inner.dueAt(a.key) === undefined) this.clear(a.key);
    });
  }

  /** Drops the timers of partitions no longer owned (buckets lost or handed on). */
  drop(gone: (partition: string) => boolean): number {
    let n = 0;
    for (const { key, partition } of [...this.armed.values()]) {
      if (!gone(partition)) continue;
      this.clear(key);
      n++;
    }
    return n;
  }

  idle(): Promise<void> {
    return this.o.inner.idle();
  }

  stop(): void {
    this.o.inner.stop();
  }
}
