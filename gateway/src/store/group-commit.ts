/**
 * Group commit: writes requested during one turn of the event loop go to SQLite in one transaction.
 * A commit costs far more than the small statements in it, so under load this multiplies the write
 * rate; at low load it adds no more than one turn of the loop. `write` resolves only once its
 * transaction has committed, so a caller that waits for it has its data on disk (WAL).
 * The batch closes at the end of the current turn of the event loop (setImmediate) — a point in the
 * flow of work, not a delay, so it is not a clock timer.
 */
import type { Db } from './db';

interface Pending {
  op: () => void;
  resolve?: () => void;
  reject?: (e: Error) => void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly commit: (ops: Pending[]) => void;
  commits = 0;

  constructor(
    db: Db,
    /** Commit at once when this many writes wait. */
    private readonly maxBatch = 1000,
  ) {
    this.commit = db.transaction((ops: Pending[]) => {
      for (const p of ops) p.op();
    });
  }

  /** Runs `op` in the next group transaction; resolves when that transaction committed. */
  write(op: () => void): Promise<void> {
    return new Promise((resolve, reject) => this.add({ op, resolve, reject }));
  }

  /** Runs `op` in the next group transaction without waiting (deletes whose loss only means a resend). */
  later(op: () => void): void {
    this.add({ op });
  }

  /** Commits whatever waits, now (before closing the database). */
  flush(): void {
    const ops = this.pending;
    this.pending = [];
    this.scheduled = false;
    if (ops.length === 0) return;
    try {
      this.commit(ops);
      this.commits++;
    } catch (e) {
      for (const p of ops) p.reject?.(e as Error);
      return;
    }
    for (const p of ops) p.resolve?.();
  }

  private add(p: Pending): void {
    this.pending.push(p);
    if (this.pending.length >= this.maxBatch) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
}
