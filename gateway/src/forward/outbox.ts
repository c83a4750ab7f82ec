/**
 * The store-and-forward queue: every message for the centre is written here first (SQLite, same
 * file as the replay windows) and deleted only once the broker acknowledged it (PUBACK). Messages
 * leave in the order they were queued, so each device's frames stay in order. When a long outage
 * fills the queue, the oldest routine messages (heartbeats, positions) make room; alarms and wired
 * inputs are never dropped.
 */
import type { Clock } from '../../../common/clock';
import type { Db } from '../store/db';
import { GroupCommit } from '../store/group-commit';

export interface OutboxEntry {
  seq: number;
  topic: string;
  payload: Buffer;
  /** Ordering key, e.g. the device id. */
  key: string;
  queuedAt: number;
}

/** 1 = must arrive (alarm frames, wired inputs); 0 = routine, may be shed when the queue is full. */
export type OutboxPriority = 0 | 1;

export interface OutboxOptions {
  clock: Clock;
  /** Routine messages beyond this many queued are shed, oldest first. */
  maxQueued?: number;
  /** Shared with the other writers of the same database, so one commit covers them all. */
  group?: GroupCommit;
}

export class SqliteOutbox {
  /** Routine messages shed because the queue was full. */
  shed = 0;
  private readonly insert;
  private readonly selectAfter;
  private readonly deleteSeq;
  private readonly countAll;
  private readonly oldest;
  private readonly shedOldest;
  private readonly maxQueued: number;
  /** Messages queued or being queued, minus those acknowledged. */
  private size: number;
  /** Rows in the table, as of the last committed write. */
  private rows: number;
  private readonly group: GroupCommit;

  constructor(
    db: Db,
    private readonly opts: OutboxOptions,
  ) {
    this.group = opts.group ?? new GroupCommit(db);
    this.insert = db.prepare<[string, Buffer, string, number, number]>('INSERT INTO outbox (topic, payload, key, priority, queued_at) VALUES (?, ?, ?, ?, ?)');
    this.selectAfter = db.prepare<[number, number], { seq: number; topic: string; payload: Buffer; key: string; queued_at: number }>('SELECT seq, topic, payload, key, queued_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.deleteSeq = db.prepare<[number]>('DELETE FROM outbox WHERE seq = ?');
    this.countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox');
    this.oldest = db.prepare<[], { queued_at: number }>('SELECT queued_at FROM outbox ORDER BY seq LIMIT 1');
    this.shedOldest = db.prepare<[number]>('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE priority = 0 ORDER BY seq LIMIT ?)');
    this.maxQueued = opts.maxQueued ?? 1_000_000;
    this.size = this.rows = this.countAll.get()!.n;
  }

  /** Queues a message; resolves with its sequence number once it is committed to disk. */
  async enqueue(topic: string, payload: string | Uint8Array, key: string, priority: OutboxPriority): Promise<number> {
    const bytes = Buffer.from(payload);
    const queuedAt = this.opts.clock.now();
    this.size++;
    return this.group.write(() => {
      const seq = Number(this.insert.run(topic, bytes, key, priority, queuedAt).lastInsertRowid);
      this.rows++;
      if (this.rows > this.maxQueued) {
        const removed = this.shedOldest.run(this.rows - this.maxQueued).changes;
        this.shed += removed;
        this.rows -= removed;
        this.size -= removed;
      }
      return seq;
    });
  }

  /** Up to `limit` messages queued after `afterSeq`, oldest first. */
  after(afterSeq: number, limit: number): OutboxEntry[] {
    return this.selectAfter.all(afterSeq, limit).map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, key: r.key, queuedAt: r.queued_at }));
  }

  /** The broker has it: forget it (committed with this turn's group; if that is lost, it is sent again). */
  remove(seq: number): void {
    this.size--;
    this.group.now(() => {
      this.rows -= this.deleteSeq.run(seq).changes;
    });
  }

  /** Commits pending writes now (before the database closes). */
  flush(): void {
    this.group.flush();
  }

  get depth(): number {
    return this.size;
  }

  /** Age of the oldest message waiting, for the health endpoint. */
  oldestAgeMs(): number | null {
    const row = this.oldest.get();
    return row ? Math.max(0, this.opts.clock.now() - row.queued_at) : null;
  }
}
