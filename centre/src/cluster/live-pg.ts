/**
 * The live hub of a cluster: every event a worker publishes (an alarm raised, a session started, a
 * console push) reaches the consoles of every worker, through PostgreSQL NOTIFY (cluster/pg-channel.ts).
 * Local subscribers get the worker's own events the same way, so every console sees one order: the
 * order PostgreSQL delivered them in. At-most-once, like a console's own connection: when the worker's
 * listening connection was lost and is back, the hub reports a gap and the live streams close
 * (http/console/stream.ts), so that their consoles reconnect and re-read the open alarms.
 */
import type { PgChannel } from './pg-channel';
import type { LiveEvent, LiveHub } from '../domain/live';

export class PgLiveHub implements LiveHub {
  private readonly subscribers = new Set<(e: LiveEvent) => void>();
  private readonly gaps = new Set<() => void>();

  constructor(private readonly channel: PgChannel, private readonly onError: (e: Error) => void = () => undefined) {
    channel.onResync(() => {
      for (const fn of [...this.gaps]) fn();
    });
    channel.on('live', (payload) => {
      let e: LiveEvent;
      try {
        e = JSON.parse(payload) as LiveEvent;
      } catch {
        return;
      }
      for (const fn of [...this.subscribers]) {
        try {
          fn(e);
        } catch {
          // a broken subscriber must not stop the others
        }
      }
    });
  }

  publish(e: LiveEvent): void {
    this.channel.send('live', JSON.stringify(e)).catch((err: unknown) => this.onError(err as Error));
  }

  /** The listening connection was lost and is back: what was notified meanwhile never arrived here. */
  onGap(fn: () => void): () => void {
    this.gaps.add(fn);
    return () => this.gaps.delete(fn);
  }

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}
