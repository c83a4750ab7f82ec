/**
 * The contract every durable replay store passes (SPEC §3.5): per device, the highest counter accepted
 * and a 32-counter window below it; `accept` classifies and advances in one conditional step, so copies
 * of a frame (several gateways, retransmissions, concurrent handlers) are accepted exactly once.
 *
 * Usage: describeReplayStore('SqliteReplayStore', async () => ({ store, reopen, close }))
 * — or return the store itself. `reopen` (durable stores) closes and opens the same storage again.
 * Sync and async implementations both fit: every result is awaited.
 */
import { type ReplayState, type ReplayVerdict, REPLAY_WINDOW } from '../../protocol/src';
import { counterVectors } from './vectors';

type MaybePromise<T> = T | Promise<T>;

export interface ReplayStoreLike {
  get(deviceId: number): MaybePromise<ReplayState | undefined>;
  accept(deviceId: number, counter: number): MaybePromise<ReplayVerdict>;
}

export interface ReplayStoreHarness<S extends ReplayStoreLike> {
  store: S;
  reopen?: () => MaybePromise<S>;
  close?: () => MaybePromise<void>;
}

function isHarness<S extends ReplayStoreLike>(v: S | ReplayStoreHarness<S>): v is ReplayStoreHarness<S> {
  return typeof (v as Partial<S>).accept !== 'function' && 'store' in v;
}

export function describeReplayStore<S extends ReplayStoreLike>(name: string, build: () => MaybePromise<S | ReplayStoreHarness<S>>): void {
  describe(`replay store contract: ${name}`, () => {
    let h: ReplayStoreHarness<S>;
    let store: S;
    const D = 0xc0ffee;

    beforeEach(async () => {
      const built = await build();
      h = isHarness(built) ? built : { store: built };
      store = h.store;
    });
    afterEach(async () => {
      await h.close?.();
    });

    const acceptAll = async (dev: number, counters: number[]): Promise<ReplayVerdict[]> => {
      const out: ReplayVerdict[] = [];
      for (const c of counters) out.push(await store.accept(dev, c));
      return out;
    };

    it('knows nothing of a device before its first frame, then accepts it once', async () => {
      expect(await store.get(D)).toBeUndefined();
      expect(await store.accept(D, 7)).toBe('new');
      expect(await store.get(D)).toEqual({ last: 7, mask: 1 });
      expect(await store.accept(D, 7)).toBe('duplicate');
    });

    it('advances only forward: a late counter inside the window is accepted without moving the top', async () => {
      expect(await acceptAll(D, [10, 20, 15])).toEqual(['new', 'new', 'new']);
      const s = (await store.get(D))!;
      expect(s.last).toBe(20);
      expect(s.mask).toBe(((1 | (1 << 5) | (1 << 10)) >>> 0));
      expect(await acceptAll(D, [15, 10, 20, 16])).toEqual(['duplicate', 'duplicate', 'duplicate', 'new']);
    });

    it('accepts concurrent copies of one frame exactly once', async () => {
      const verdicts = await Promise.all(Array.from({ length: 25 }, () => Promise.resolve().then(() => store.accept(D, 42))));
      expect(verdicts.filter((v) => v === 'new')).toHaveLength(1);
      expect(verdicts.filter((v) => v === 'duplicate')).toHaveLength(24);
    });

    it('loses no advance when different counters arrive concurrently', async () => {
      const counters = [5, 3, 9, 1, 8, 2, 7, 4, 6, 10, 12, 11];
      const verdicts = await Promise.all(counters.map((c) => Promise.resolve().then(() => store.accept(D, c))));
      expect(verdicts.every((v) => v === 'new')).toBe(true);
      expect(await store.get(D)).toEqual({ last: 12, mask: 0xfff });
      expect(await acceptAll(D, counters)).toEqual(counters.map(() => 'duplicate'));
    });

    it(`rejects a counter ${REPLAY_WINDOW} or more below the top as 'replay' and leaves the window as it was`, async () => {
      await acceptAll(D, [100, 100 + REPLAY_WINDOW]);
      const before = await store.get(D);
      expect(await store.accept(D, 100 - 1)).toBe('replay');
      expect(await store.accept(D, 100)).toBe('replay');
      expect(await store.accept(D, 0)).toBe('replay');
      expect(await store.get(D)).toEqual(before);
      expect(await store.accept(D, 101)).toBe('new'); // the oldest slot still inside the window
    });

    it('recognises a duplicate anywhere in the window', async () => {
      const window = Array.from({ length: REPLAY_WINDOW }, (_v, i) => 1000 + i);
      expect(await acceptAll(D, window)).toEqual(window.map(() => 'new'));
      expect(await acceptAll(D, [...window].reverse())).toEqual(window.map(() => 'duplicate'));
    });

    it('keeps devices apart', async () => {
      expect(await store.accept(1, 50)).toBe('new');
      expect(await store.accept(2, 50)).toBe('new');
      expect(await store.accept(0xffffffff, 50)).toBe('new');
      expect(await store.accept(2, 10)).toBe('replay');
      expect(await store.accept(1, 50)).toBe('duplicate');
      expect((await store.get(3))).toBeUndefined();
    });

    it('works at the top of the 32-bit counter range', async () => {
      expect(await acceptAll(D, [0xfffffff0, 0xfffffffd, 0xfffffff0, 0xfffffff1])).toEqual(['new', 'new', 'duplicate', 'new']);
      const s = (await store.get(D))!;
      expect(s.last).toBe(0xfffffffd);
      expect(s.mask).toBeGreaterThanOrEqual(0); // an unsigned bitmap, never a negative number
      expect(s.mask).toBe(((1 | (1 << 12) | (1 << 13)) >>> 0));
    });

    it('gives the verdicts of the shared counter vectors', async () => {
      const sets = counterVectors().window;
      for (const [i, w] of sets.entries()) {
        const dev = 0x1000 + i;
        for (const step of w.steps) expect({ counter: step.counter, verdict: await store.accept(dev, step.counter) }).toEqual(step);
      }
    });

    it('keeps every window across a restart (durable stores)', async () => {
      if (!h.reopen) return; // an in-memory store has nothing to keep
      await acceptAll(D, [500, 505]);
      await store.accept(7, 9);
      store = await h.reopen();
      h.store = store;
      expect(await store.get(D)).toEqual({ last: 505, mask: (1 | (1 << 5)) >>> 0 });
      expect(await store.accept(D, 505)).toBe('duplicate');
      expect(await store.accept(D, 500)).toBe('duplicate');
      expect(await store.accept(D, 503)).toBe('new');
      expect(await store.accept(7, 9)).toBe('duplicate');
    });
  });
}
