/**
 * Waiting on events instead of sleeping: each helper resolves when the thing happens and rejects
 * with a description of what was awaited when it does not happen in time.
 */
import type { EventEmitter } from 'node:events';

export function waitForEvent<T extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  predicate: (...args: T) => boolean = () => true,
  timeoutMs = 10_000,
  what = `'${event}'`,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const listener = (...args: unknown[]): void => {
      if (!predicate(...(args as T))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as T);
    };
    emitter.on(event, listener);
  });
}

/** Resolves with the first value `subscribe` delivers that satisfies `predicate`. */
export function waitForValue<T>(subscribe: (fn: (v: T) => void) => () => void, predicate: (v: T) => boolean, timeoutMs = 10_000, what = 'a value'): Promise<T> {
  return new Promise((resolve, reject) => {
    let unsubscribe: () => void = () => undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    unsubscribe = subscribe((v) => {
      if (!predicate(v)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(v);
    });
  });
}

/** Resolves when `predicate` has held for `count` emissions of `event`. */
export function waitForEvents<T extends unknown[]>(emitter: EventEmitter, event: string, count: number, predicate: (...args: T) => boolean, timeoutMs = 10_000, what = `${count} × '${event}'`): Promise<T[]> {
  const seen: T[] = [];
  return waitForEvent<T>(emitter, event, (...args: T) => {
    if (predicate(...args)) seen.push(args);
    return seen.length >= count;
  }, timeoutMs, what).then(() => seen);
}

/** Resolves at once if `condition` already holds, otherwise at the first `event` after which it does. */
export function until(emitter: EventEmitter, event: string, condition: () => boolean, timeoutMs = 10_000, what = `a condition after '${event}'`): Promise<void> {
  if (condition()) return Promise.resolve();
  return waitForEvent(emitter, event, () => condition(), timeoutMs, what).then(() => undefined);
}
