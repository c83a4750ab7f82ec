/**
 * Durable replay windows per device (SPEC §3.5). `accept` classifies and, for a new counter, advances
 * the window in one step, so two copies of a frame can never both be accepted.
 */
import { advanceWindow, classifyCounter, type ReplayState, type ReplayVerdict } from '../../protocol/src';

export interface ReplayStore {
  get(deviceId: number): ReplayState | undefined;
  accept(deviceId: number, counter: number): ReplayVerdict;
}

export class MemoryReplayStore implements ReplayStore {
  private readonly windows = new Map<number, ReplayState>();

  get(deviceId: number): ReplayState | undefined {
    return this.windows.get(deviceId);
  }

  accept(deviceId: number, counter: number): ReplayVerdict {
    const state = this.windows.get(deviceId);
    const verdict = classifyCounter(state, counter);
    if (verdict === 'new') this.windows.set(deviceId, advanceWindow(state, counter));
    return verdict;
  }
}
