/**
 * The durable outbox of one ARC link, on SQLite (better-sqlite3, WAL, synchronous FULL: an event
 * the broker was told we have must survive a power cut). Events are delivered strictly in id
 * order; an event leaves the queue only when the receiver acknowledged it (delivered) or refused
 * it for good (rejected, kept for the operator). What was sent per alarm is recorded in the same
 * transaction as the events, so an MQTT redelivery after a crash never enqueues twice.
 */
import Database from 'better-sqlite3';
import type { EventDraft, EventKind, EventToken, SentState } from './events';
import { nextSeq } from './dc09';

/** A draft as the queue holds it (a draft that could not be sent at all is stored as rejected). */
export interface QueuedEvent extends Omit<EventDraft, 'rejectReason'> {
  id: number;
  createdAt: number;
  state: 'queued' | 'delivered' | 'rejected';
  /** Assigned at the first transmission and kept for every retry (DC-09 §5.5.1.5). */
  seq: number | null;
  attempts: number;
  duhCount: number;
  /** Rounds in which a receiver answered but did not take it (NAK, DUH, silence while NULL polls pass). */
  refusals: number;
  /** A refused event waits until then (its back-off); null: due now. */
  nextAttemptAt: number | null;
  lastError: string | null;
  deliveredAt: number | null;
  deliveredVia: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS arc_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alarm_id TEXT,
  kind TEXT NOT NULL,
  token TEXT NOT NULL,
  account TEXT NOT NULL,
  data TEXT NOT NULL,
  xdata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  seq INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  duh_count INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  delivered_at INTEGER,
  delivered_via TEXT
);
CREATE INDEX IF NOT EXISTS arc_events_state ON arc_events (state, id);
CREATE INDEX IF NOT EXISTS arc_events_alarm ON arc_events (alarm_id, id);
CREATE TABLE IF NOT EXISTS arc_alarms (alarm_id TEXT PRIMARY KEY, sent TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS arc_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

type Row = Record<string, unknown>;

function toEvent(r: Row): QueuedEvent {
  return {
    id: r['id'] as number, alarmId: r['alarm_id'] as string | null, kind: r['kind'] as EventKind, token: r['token'] as EventToken,
    account: r['account'] as string, data: r['data'] as string, xdata: r['xdata'] as string, createdAt: r['created_at'] as number,
    state: r['state'] as QueuedEvent['state'], seq: r['seq'] as number | null, attempts: r['attempts'] as number, duhCount: r['duh_count'] as number,
    refusals: r['refusals'] as number, nextAttemptAt: r['next_attempt_at'] as number | null,
    lastError: r['last_error'] as string | null, deliveredAt: r['delivered_at'] as number | null, deliveredVia: r['delivered_via'] as string | null,
  };
}

export class ArcQueue {
  private readonly db: Database.Database;

  /** `file` is a path, or `:memory:` for tests. */
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // Queues written before refused events had their own back-off.
    const columns = new Set((this.db.prepare('PRAGMA table_info(arc_events)').all() as { name: string }[]).map((c) => c.name));
    if (!columns.has('refusals')) this.db.exec('ALTER TABLE arc_events ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0');
    if (!columns.has('next_attempt_at')) this.db.exec('ALTER TABLE arc_events ADD COLUMN next_attempt_at INTEGER');
  }

  close(): void {
    this.db.close();
  }

  private insert(d: EventDraft, nowMs: number): QueuedEvent {
    const state = d.rejectReason === undefined ? 'queued' : 'rejected';
    const info = this.db
      .prepare('INSERT INTO arc_events (alarm_id, kind, token, account, data, xdata, created_at, state, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(d.alarmId, d.kind, d.token, d.account, d.data, d.xdata, nowMs, state, d.rejectReason ?? null);
    return this.get(Number(info.lastInsertRowid))!;
  }

  enqueue(d: EventDraft, nowMs: number): QueuedEvent {
    return this.insert(d, nowMs);
  }

  /**
   * Atomically: reads what was sent for the alarm, lets `decide` choose, records the new state and
   * inserts the events. Returns the inserted events.
   */
  applyAlarm(alarmId: string, nowMs: number, decide: (prev: SentState | undefined) => { next: SentState | undefined; events: EventDraft[] }): QueuedEvent[] {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT sent FROM arc_alarms WHERE alarm_id = ?').get(alarmId) as { sent: SentState } | undefined;
      const { next, events } = decide(row?.sent);
      if (next !== undefined && next !== row?.sent) {
        this.db.prepare('INSERT INTO arc_alarms (alarm_id, sent, updated_at) VALUES (?, ?, ?) ON CONFLICT(alarm_id) DO UPDATE SET sent = excluded.sent, updated_at = excluded.updated_at').run(alarmId, next, nowMs);
      }
      return events.map((e) => this.insert(e, nowMs));
    })();
  }

  get(id: number): QueuedEvent | undefined {
    const r = this.db.prepare('SELECT * FROM arc_events WHERE id = ?').get(id) as Row | undefined;
    return r ? toEvent(r) : undefined;
  }

  /**
   * The oldest event to deliver now: due (not waiting out a refusal's back-off) and not behind an
   * earlier undelivered event of the same alarm (an alarm's restore never overtakes the alarm).
   */
  head(nowMs = Number.MAX_SAFE_INTEGER): QueuedEvent | undefined {
    const r = this.db
      .prepare(
        `SELECT * FROM arc_events e WHERE e.state = 'queued' AND COALESCE(e.next_attempt_at, 0) <= ?
           AND (e.alarm_id IS NULL OR NOT EXISTS (SELECT 1 FROM arc_events p WHERE p.alarm_id = e.alarm_id AND p.state = 'queued' AND p.id < e.id))
         ORDER BY e.id LIMIT 1`,
      )
      .get(nowMs) as Row | undefined;
    return r ? toEvent(r) : undefined;
  }

  /** When the next refused event's back-off ends (undefined: none waits). */
  nextDueAt(): number | undefined {
    const r = this.db.prepare("SELECT MIN(next_attempt_at) AS at FROM arc_events WHERE state = 'queued' AND next_attempt_at IS NOT NULL").get() as { at: number | null };
    return r.at ?? undefined;
  }

  /** Queued events a receiver refused at least once (waiting out their back-off). */
  countRefused(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM arc_events WHERE state = 'queued' AND refusals > 0").get() as { n: number }).n;
  }

  /** An earlier event of the same alarm that was set aside: this one goes with it. */
  rejectedBefore(ev: Pick<QueuedEvent, 'id' | 'alarmId'>): number | undefined {
    if (ev.alarmId === null) return undefined;
    const r = this.db.prepare("SELECT id FROM arc_events WHERE alarm_id = ? AND state = 'rejected' AND id < ? ORDER BY id LIMIT 1").get(ev.alarmId, ev.id) as { id: number } | undefined;
    return r?.id;
  }

  /** The receiver refused the event this round: it waits until `untilMs`. Returns its refusals so far. */
  deferRefused(id: number, reason: string, untilMs: number): number {
    this.db.prepare('UPDATE arc_events SET refusals = refusals + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(untilMs, reason, id);
    return this.get(id)?.refusals ?? 0;
  }

  list(state: QueuedEvent['state'], limit = 1000): QueuedEvent[] {
    return (this.db.prepare('SELECT * FROM arc_events WHERE state = ? ORDER BY id LIMIT ?').all(state, limit) as Row[]).map(toEvent);
  }

  count(state: QueuedEvent['state']): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM arc_events WHERE state = ?').get(state) as { n: number }).n;
  }

  /** Takes the next DC-09 sequence number (0001–9999, wrapping) from the persisted counter. */
  takeSeq(): number {
    return this.db.transaction(() => {
      const seq = nextSeq(Number(this.getState('seq') ?? '0'));
      this.setState('seq', String(seq));
      return seq;
    })();
  }

  /** Gives the event its sequence number for all its transmissions (once). */
  ensureSeq(id: number): number {
    return this.db.transaction(() => {
      const ev = this.get(id);
      if (!ev) throw new Error(`No ARC event ${id}`);
      if (ev.seq !== null) return ev.seq;
      const seq = this.takeSeq();
      this.db.prepare('UPDATE arc_events SET seq = ? WHERE id = ?').run(seq, id);
      return seq;
    })();
  }

  recordAttempt(id: number, error: string | null): void {
    this.db.prepare('UPDATE arc_events SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(error, id);
  }

  recordDuh(id: number, detail: string): number {
    this.db.prepare('UPDATE arc_events SET duh_count = duh_count + 1, last_error = ? WHERE id = ?').run(detail, id);
    return this.get(id)?.duhCount ?? 0;
  }

  markDelivered(id: number, via: string, atMs: number): void {
    this.db.prepare("UPDATE arc_events SET state = 'delivered', delivered_at = ?, delivered_via = ?, last_error = NULL WHERE id = ? AND state = 'queued'").run(atMs, via, id);
  }

  markRejected(id: number, reason: string): void {
    this.db.prepare("UPDATE arc_events SET state = 'rejected', last_error = ? WHERE id = ? AND state = 'queued'").run(reason, id);
  }

  /** Puts rejected events back in the queue (after the ARC fixed its side), keeping their order. Events without an account stay. */
  requeueRejected(): number {
    return this.db.prepare("UPDATE arc_events SET state = 'queued', duh_count = 0, refusals = 0, next_attempt_at = NULL WHERE state = 'rejected' AND account <> ''").run().changes;
  }

  /** Forgets rejected events (the operator handled them by other means). */
  discardRejected(): number {
    return this.db.prepare("DELETE FROM arc_events WHERE state = 'rejected'").run().changes;
  }

  /** Removes delivered events older than `beforeMs` and closed alarms not touched since then. */
  prune(beforeMs: number): number {
    return this.db.transaction(() => {
      const n = this.db.prepare("DELETE FROM arc_events WHERE state = 'delivered' AND delivered_at < ?").run(beforeMs).changes;
      this.db.prepare("DELETE FROM arc_alarms WHERE sent = 'closed' AND updated_at < ?").run(beforeMs);
      return n;
    })();
  }

  getState(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM arc_state WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setState(key: string, value: string): void {
    this.db.prepare('INSERT INTO arc_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
