/**
 * Group commit: the writes of one turn of the event loop share one SQLite transaction. The first
 * write of a turn opens it, every write runs at once inside it (so later reads on this connection
 * see it), and it commits when the turn ends. A commit costs far more than the small statements in
 * it, so under load this multiplies the write rate; at low load it adds one turn of the loop.
 * `write` resolves only once its transaction has committed: a caller that waits has its data on disk
 * (WAL). The end of the turn is `setImmediate` — a point in the flow of work, not a delay, so it
 * does not go through the clock.
 */
import type { Db } from './db';

export class GroupCommit {
  private open = false;
  private waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  commits = 0;

  constructor(private readonly db: Db) {}

  /** Runs `op` now, in this turn's transaction; resolves with its result once that has committed. */
  write<T>(op: () => T): Promise<T> {
    const result = this.now(op);
    return new Promise<T>((resolve, reject) => this.waiting.push({ resolve: () => resolve(result), reject }));
  }

  /** Runs `op` now, in this turn's transaction, without waiting for the commit. */
  now<T>(op: () => T): T {
    if (!this.open) {
      this.db.exec('BEGIN IMMEDIATE');
      this.open = true;
      setImmediate(() => this.flush());
    }
    return op();
  }

  /** Commits the open transaction, if any (end of turn, or before the database closes). */
  flush(): void {
    if (!this.open) return;
    this.open = false;
    const waiting = this.waiting;
    this.waiting = [];
    try {
      this.db.exec('COMMIT');
      this.commits++;
    } catch (e) {
      try {
        if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the connection is gone; the waiting writers hear about it below
      }
      for (const w of waiting) w.reject(e as Error);
      return;
    }
    for (const w of waiting) w.resolve();
  }
}
