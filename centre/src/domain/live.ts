/**
 * Live updates for consoles (SSE). In one process this is an in-memory fan-out; the scale-out
 * issue puts the same interface on PostgreSQL LISTEN/NOTIFY so every node's consoles see everything.
 */
import type { Session } from '../store/types';
import type { AlarmView, Place } from './views';

/** A console push: a notification for operators (the console channel of an escalation). */
export interface ConsoleNotification {
  id: string;
  alarmId: string;
  alarmNumber: string;
  to: string;
  subject: string;
  text: string;
  link: string | null;
}

/**
 * A worker's position moved (or was confirmed): for the live map. Published only for positions the
 * centre keeps (protected or in an alarm); the stream shows it to supervisors only during an alarm of
 * the worker (privacy.ts). `place` is the zone or fix made readable; no trail is kept or sent.
 */
export interface LivePosition {
  deviceId: string;
  workerId: string | null;
  siteId: string | null;
  at: number;
  place: Place;
}

export type LiveEvent =
  | { type: 'alarm'; alarm: AlarmView }
  | { type: 'device'; deviceId: string }
  | { type: 'session'; session: Session; action: string }
  | { type: 'notification'; notification: ConsoleNotification }
  | { type: 'attempt'; alarmId: string; status: string; channel: string; contactName: string; at: number }
  | { type: 'position'; position: LivePosition };

export interface LiveHub {
  publish(e: LiveEvent): void;
  subscribe(fn: (e: LiveEvent) => void): () => void;
  /**
   * Called when events may have been missed (a cluster's channel lost its connection to PostgreSQL and
   * is back): whoever relays them must make its readers re-read. Absent: the hub never misses any.
   */
  onGap?(fn: () => void): () => void;
}

export class MemoryLiveHub implements LiveHub {
  private readonly subscribers = new Set<(e: LiveEvent) => void>();

  publish(e: LiveEvent): void {
    for (const fn of [...this.subscribers]) {
      try {
        fn(e);
      } catch {
        // a broken subscriber must not stop the others
      }
    }
  }

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}
