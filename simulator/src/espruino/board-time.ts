/**
 * When the firmware's code runs on the virtual board, and for how long: the CPU cost model (cost.ts)
 * that charges each handler its statements and native calls and keeps the interpreter busy that long,
 * accelerometer samples held or lost while it is, and pin watches fired (with debounce) as Espruino's
 * IRQ and idle loop fire them. Timers themselves are installed in globals.ts.
 */
import type vm from 'node:vm';
import type { Clock, TimerId } from '../../../common/clock';
import type { CpuStats, WatchEntry } from './board-types';
import { STATEMENT_COUNTER } from './cost';

/** What the cost model needs of the board. */
export interface CpuHost {
  readonly clock: Clock;
  /** The firmware's context while booted. */
  readonly context: vm.Context | undefined;
  readonly profile: { cost: { statementUs: number } };
  recordError(e: unknown): void;
}

export class CpuModel {
  readonly stats: CpuStats = { statements: 0, busyMs: 0, samplesDelivered: 0, samplesDropped: 0, pulseWaits: 0 };
  private depth = 0;
  private nativeMs = 0;
  private busyUntilMs = 0;
  private heldSample: (() => void) | undefined;
  private heldTimer: TimerId | undefined;

  constructor(private readonly host: CpuHost) {}

  /** Forgets a held sample and the busy time (a reboot); the stats are kept since power-on. */
  reset(): void {
    this.host.clock.clearTimeout(this.heldTimer);
    this.heldSample = undefined;
    this.heldTimer = undefined;
    this.busyUntilMs = 0;
  }

  /** Charges a native call's time (crypto, flash, a wait) to the handler that is running. */
  charge(ms: number): void {
    this.nativeMs += ms;
  }

  /** Native time charged so far to the handler that is running. */
  chargedMs(): number {
    return this.nativeMs;
  }

  /** Whether a handler is still running at this instant in the cost model. */
  busy(): boolean {
    return this.host.clock.now() < this.busyUntilMs;
  }

  /**
   * Delivers an accelerometer sample the way the drivers do: at once when the interpreter is idle;
   * while a handler runs, only the newest sample is kept for when it ends (the others are lost).
   */
  deliverSample(fire: () => void): void {
    if (!this.busy() && !this.heldSample) {
      this.stats.samplesDelivered++;
      this.safeCall(fire);
      return;
    }
    if (this.heldSample) this.stats.samplesDropped++;
    this.heldSample = fire;
    if (this.heldTimer === undefined) this.heldTimer = this.host.clock.setTimeout(() => this.releaseSample(), this.busyUntilMs - this.host.clock.now());
  }

  private releaseSample(): void {
    this.heldTimer = undefined;
    if (this.busy()) {
      this.heldTimer = this.host.clock.setTimeout(() => this.releaseSample(), this.busyUntilMs - this.host.clock.now());
      return;
    }
    const fire = this.heldSample;
    this.heldSample = undefined;
    if (!fire) return;
    this.stats.samplesDelivered++;
    this.safeCall(fire);
  }

  /** Calls firmware code the way Espruino's idle loop does: an exception is reported, not fatal. */
  safeCall(fn: () => void): void {
    const { context } = this.host;
    if (this.depth > 0 || !context) {
      try {
        fn();
      } catch (e) {
        this.host.recordError(e);
      }
      return;
    }
    const g = context as Record<string, number>;
    const before = g[STATEMENT_COUNTER] ?? 0;
    this.nativeMs = 0;
    this.depth++;
    try {
      fn();
    } catch (e) {
      this.host.recordError(e);
    } finally {
      this.depth--;
    }
    const statements = (g[STATEMENT_COUNTER] ?? 0) - before;
    const ms = (statements * this.host.profile.cost.statementUs) / 1000 + this.nativeMs;
    this.stats.statements += statements;
    this.stats.busyMs += ms;
    this.busyUntilMs = Math.max(this.busyUntilMs, this.host.clock.now()) + ms;
  }
}

/** What firing watches needs of the board. */
export interface WatchHost {
  readonly clock: Clock;
  readonly pins: Map<string, number>;
  watches: WatchEntry[];
  safeCall(fn: () => void): void;
}

/** Runs the watches on `pin` for its new `value` (edge, debounce, one-shot), at the time it changed. */
export function fireWatches(board: WatchHost, pin: string, value: number): void {
  const nowS = board.clock.now() / 1000;
  for (const w of [...board.watches]) {
    if (w.pin !== pin) continue;
    const edgeOk = w.edge === 'both' || (w.edge === 'rising' ? value === 1 : value === 0);
    if (!edgeOk) continue;
    const run = (): void => {
      if ((board.pins.get(pin) ?? 0) !== value) return; // bounced back within the debounce time
      if (!board.watches.includes(w)) return;
      if (!w.repeat) board.watches = board.watches.filter((x) => x !== w);
      const lastTime = w.lastTime;
      w.lastTime = nowS;
      board.safeCall(() => w.fn({ state: value === 1, time: nowS, lastTime }));
    };
    if (w.debounceMs > 0) board.clock.setTimeout(run, w.debounceMs);
    else run();
  }
}
