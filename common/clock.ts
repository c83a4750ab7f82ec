/**
 * The clock seam. Every timer in Vigil goes through a Clock so that rules, gateways and the
 * simulator run identically on wall time and on virtual time.
 */
export type TimerId = number;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `delayMs` (never synchronously). */
  setTimeout(fn: () => void, delayMs: number): TimerId;
  clearTimeout(id: TimerId | undefined): void;
}

/** Wall-clock time backed by Node's timers. */
export class SystemClock implements Clock {
  private readonly handles = new Map<TimerId, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, delayMs: number): TimerId {
    const id = this.nextId++;
    const handle = setTimeout(() => {
      this.handles.delete(id);
      fn();
    }, Math.max(0, delayMs));
    this.handles.set(id, handle);
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id === undefined) return;
    const handle = this.handles.get(id);
    if (handle) clearTimeout(handle);
    this.handles.delete(id);
  }
}

interface VirtualTimer {
  id: TimerId;
  dueMs: number;
  seq: number;
  fn: () => void;
}

/**
 * Virtual time: nothing happens until the owner advances it. Used by the simulator to replay hours
 * of sensor data in seconds, and by tests to drive timer rules exactly.
 * Timers due at the same instant run in the order they were set.
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  private timers: VirtualTimer[] = [];
  private nextId = 1;
  private seq = 0;

  constructor(startMs = Date.UTC(2026, 0, 5, 8, 0, 0)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerId {
    const id = this.nextId++;
    const timer: VirtualTimer = { id, dueMs: this.nowMs + Math.max(0, delayMs), seq: this.seq++, fn };
    // Keep the list sorted by (dueMs, seq); insertion from the back is cheap for the common case.
    let i = this.timers.length;
    while (i > 0) {
      const prev = this.timers[i - 1]!;
      if (prev.dueMs < timer.dueMs || (prev.dueMs === timer.dueMs && prev.seq < timer.seq)) break;
      i--;
    }
    this.timers.splice(i, 0, timer);
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id === undefined) return;
    const i = this.timers.findIndex((t) => t.id === id);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** Due time of the next timer, if any. */
  nextDueMs(): number | undefined {
    return this.timers[0]?.dueMs;
  }

  /** Runs every timer due up to `now + ms` in order, synchronously, then sets the time to `now + ms`. */
  advance(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  advanceTo(targetMs: number): void {
    if (targetMs < this.nowMs) throw new Error(`VirtualClock cannot go back from ${this.nowMs} to ${targetMs}`);
    for (;;) {
      const next = this.timers[0];
      if (!next || next.dueMs > targetMs) break;
      this.timers.shift();
      this.nowMs = next.dueMs;
      next.fn();
    }
    this.nowMs = targetMs;
  }

  /**
   * Like advance, but lets promise chains and I/O callbacks settle after every timer, so async code
   * driven by timers (stores, MQTT clients) makes progress in step with virtual time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const targetMs = this.nowMs + ms;
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.dueMs > targetMs) break;
      this.timers.shift();
      this.nowMs = next.dueMs;
      next.fn();
      await settle();
    }
    this.nowMs = targetMs;
    await settle();
  }
}

/** Resolves after pending microtasks and one turn of the event loop. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Repeats `fn` every `periodMs` on `clock` until the returned function is called. */
export function every(clock: Clock, periodMs: number, fn: () => void): () => void {
  let id: TimerId | undefined;
  let stopped = false;
  const arm = (): void => {
    id = clock.setTimeout(() => {
      if (stopped) return;
      arm();
      fn();
    }, periodMs);
  };
  arm();
  return () => {
    stopped = true;
    clock.clearTimeout(id);
  };
}
