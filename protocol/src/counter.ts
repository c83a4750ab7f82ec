/**
 * Message counters (SPEC §3.4): 32 bits on the device, the low 24 bits on air. The receiver rebuilds
 * the full value from the last counter it accepted, then the tag proves the guess (the full counter is
 * in the nonce), and a sliding window rejects replays and recognises duplicates.
 */
const ON_AIR = 2 ** 24;
const HALF = 2 ** 23;
const MAX = 2 ** 32 - 1;

/**
 * The full counter closest to `last` whose low 24 bits are `low24` (SPEC §3.4.1).
 * `last` is undefined for a device never heard before: counters then start from the low bits alone.
 */
export function reconstructCounter(low24: number, last: number | undefined): number {
  if (last === undefined) return low24;
  const high = Math.floor(last / ON_AIR) * ON_AIR;
  let candidate = high + low24;
  if (candidate + HALF <= last && candidate + ON_AIR <= MAX) candidate += ON_AIR;
  else if (candidate > last + HALF && candidate >= ON_AIR) candidate -= ON_AIR;
  return candidate;
}

/** Full counter of an incident reference: the largest counter ≤ `counter` whose low 16 bits are `ref16`. */
export function reconstructRef(ref16: number, counter: number): number {
  const base = Math.floor(counter / 65536) * 65536 + ref16;
  return base <= counter ? base : base - 65536;
}

/** Size of the replay window: a frame up to this many counters behind the newest is still accepted once. */
export const REPLAY_WINDOW = 32;

/** Durable per-device replay state (SPEC §3.5): the highest counter accepted and a bitmap of the window below it. */
export interface ReplayState {
  last: number;
  /** Bit i set = counter (last − i) was accepted; bit 0 is `last` itself. Unsigned 32-bit. */
  mask: number;
}

export type ReplayVerdict = 'new' | 'duplicate' | 'replay';

/** Classifies a counter against the window without changing it. */
export function classifyCounter(state: ReplayState | undefined, counter: number): ReplayVerdict {
  if (!state) return 'new';
  if (counter > state.last) return 'new';
  const behind = state.last - counter;
  if (behind >= REPLAY_WINDOW) return 'replay';
  return ((state.mask >>> behind) & 1) === 1 ? 'duplicate' : 'new';
}

/** The window after accepting `counter` (which must classify as 'new'). */
export function advanceWindow(state: ReplayState | undefined, counter: number): ReplayState {
  if (!state) return { last: counter, mask: 1 };
  if (counter > state.last) {
    const shift = counter - state.last;
    const mask = shift >= REPLAY_WINDOW ? 1 : ((state.mask << shift) | 1) >>> 0;
    return { last: counter, mask };
  }
  const behind = state.last - counter;
  return { last: state.last, mask: (state.mask | (1 << behind)) >>> 0 };
}
