/**
 * The store-and-forward queue: every message for the centre is written here first (SQLite, same
 * file as the replay windows) and deleted only once the broker acknowledged it (PUBACK). Messages
 * leave in the order they were queued, so each device's frames stay in order. When a long outage
 * fills the queue, the oldest routine messages (heartbeats, positions) make room; alarms and wired
 * inputs are never dropped.
 */
import type { Clock } from '../../../common/clock';
import type { Db } from '../store/db';

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
  private size: number;

  constructor(
    db: Db,
    private readonly opts: OutboxOptions,
  ) {
    this.insert = db.prepare<[string, Buffer, string, number, number]>('INSERT INTO outbox (topic, payload, key, priority, queued_at) VALUES (?, ?, ?, ?, ?)');
    this.selectAfter = db.prepare<[number, number], { seq: number; topic: string; payload: Buffer; key: string; queued_at: number }>('SELECT seq, topic, payload, key, queued_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.deleteSeq = db.prepare<[number]>('DELETE FROM outbox WHERE seq = ?');
    this.countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox');
    this.oldest = db.prepare<[], { queued_at: number }>('SELECT queued_at FROM outbox ORDER BY seq LIMIT 1');
    this.shedOldest = db.prepare<[number]>('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE priority = 0 ORDER BY seq LIMIT ?)');
    this.maxQueued = opts.maxQueued ?? 1_000_000;
    this.size = this.countAll.get()!.n;
  }

  /** Queues a message durably; returns its sequence number. */
  enqueue(topic: string, payload: string | Uint8Array, key: string, priority: OutboxPriority): number {
    const seq = Number(this.insert.run(topic, Buffer.from(payload), key, priority, this.opts.clock.now()).lastInsertRowid);
    this.size++;
    if (this.size > this.maxQueued) {
      const removed = this.shedOldest.run(this.size - this.maxQueued).changes;
      this.shed += removed;
      this.size -= removed;
    }
    return seq;
  }

  /** Up to `limit` messages queued after `afterSeq`, oldest first. */
  after(afterSeq: number, limit: number): OutboxEntry[] {
    return this.selectAfter.all(afterSeq, limit).map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, key: r.key, queuedAt: r.queued_at }));
  }

  /** The broker has it: forget it. */
  remove(seq: number): void {
    this.size -= this.deleteSeq.run(seq).changes;
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
