/**
 * Driving a VirtualClock while real sockets carry the traffic (scenarios, fleet load): virtual time
 * moves from one due timer to the next, at most `maxStepMs` at a time, and after every step the
 * event loop gets a turn so that MQTT, HTTP and SQLite work that the step started can progress.
 * Gateways and the centre only see virtual time, so a 10-minute scenario takes seconds.
 */
import { type TimerId, VirtualClock } from '../../../common/clock';

/**
 * Virtual time in whole milliseconds, as wall clocks give it: delays are rounded up, so every
 * timestamp a gateway or the centre takes is an integer (payload schemas require it).
 */
export class WholeMsClock extends VirtualClock {
  override setTimeout(fn: () => void, delayMs: number): TimerId {
    return super.setTimeout(fn, Math.ceil(Math.max(0, delayMs)));
  }
}

const ioTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function pumpUntil(clock: VirtualClock, targetMs: number, opts: { maxStepMs?: number; until?: () => boolean } = {}): Promise<void> {
  const maxStep = opts.maxStepMs ?? 50;
  await ioTurn();
  while (clock.now() < targetMs && !(opts.until?.() ?? false)) {
    const next = Math.min(targetMs, clock.nextDueMs() ?? targetMs, clock.now() + maxStep);
    clock.advanceTo(Math.max(clock.now(), next));
    await ioTurn();
  }
}

/** Lets real I/O settle without moving virtual time: a few turns of the event loop, then a short real wait. */
export async function settleIo(turns = 20, realMs = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await ioTurn();
  await new Promise((resolve) => setTimeout(resolve, realMs));
}
