/**
 * Matches replies to requests: a caller waits for the first incoming value its matcher accepts,
 * with a labelled timeout on the injected clock, so a silent modem yields
 * "rn2483 'radio tx': no reply within 5000 ms" rather than a hung promise. Values nobody waits for
 * are returned to the caller of `offer` (unsolicited lines).
 */
import type { Clock, TimerId } from '../../../../common/clock';
import { TransportError } from '../types';

interface Waiter<T> {
  match: (value: T) => unknown;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: TimerId;
}

/** Returned by a matcher that takes the value but wants more (a multi-line reply). */
export const MORE: unique symbol = Symbol('more');

/** A matcher returns undefined for "not mine", MORE for "mine, keep waiting", anything else is the result. */
export type Matcher<T, R> = (value: T) => R | typeof MORE | undefined;

export class Waitress<T> {
  private waiters: Waiter<T>[] = [];

  constructor(private readonly clock: Clock) {}

  /** `signal` withdraws the wait (its promise then rejects with the abort reason). */
  waitFor<R>(label: string, timeoutMs: number, match: Matcher<T, R>, signal?: AbortSignal): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const waiter: Waiter<T> = {
        match,
        resolve: resolve as (r: unknown) => void,
        reject,
        timer: this.clock.setTimeout(() => {
          this.remove(waiter);
          reject(new TransportError('timeout', `${label}: no reply within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', () => {
        this.remove(waiter);
        reject(signal.reason as Error);
      }, { once: true });
    });
  }

  /** Gives a value to the oldest waiter that accepts it; returns false when nobody did. */
  offer(value: T): boolean {
    for (const w of this.waiters) {
      const result = w.match(value);
      if (result === undefined) continue;
      if (result === MORE) return true;
      this.remove(w);
      w.resolve(result);
      return true;
    }
    return false;
  }

  /** Fails every pending wait, e.g. when the port closed. */
  rejectAll(err: Error): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) {
      this.clock.clearTimeout(w.timer);
      w.reject(err);
    }
  }

  get pending(): number {
    return this.waiters.length;
  }

  private remove(w: Waiter<T>): void {
    this.clock.clearTimeout(w.timer);
    this.waiters = this.waiters.filter((x) => x !== w);
  }
}
