import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventDraft } from '../../arc/src/events';
import Database from 'better-sqlite3';
import { ArcQueue } from '../../arc/src/queue';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const draft = (n: number, over: Partial<EventDraft> = {}): EventDraft => ({ alarmId: `al-${n}`, kind: 'alarm', token: 'SIA-DCS', account: '1234', data: `#1234|NPA${String(n).padStart(3, '0')}`, xdata: '', ...over });

describe('ARC queue (SQLite)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-arcq-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out events in order and keeps them, their sequence numbers and attempts across a reopen', () => {
    const file = join(dir, 'q.db');
    let q = new ArcQueue(file);
    for (let i = 1; i <= 3; i++) q.enqueue(draft(i), T0 + i);
    const first = q.head()!;
    expect(first.data).toBe('#1234|NPA001');
    const seq = q.ensureSeq(first.id);
    expect(q.ensureSeq(first.id)).toBe(seq); // retransmissions keep the number
    q.recordAttempt(first.id, 'primary: timeout');
    q.close();

    q = new ArcQueue(file);
    expect(q.head()).toMatchObject({ id: first.id, seq, attempts: 1, lastError: 'primary: timeout' });
    q.markDelivered(first.id, 'primary', T0 + 10);
    expect(q.head()!.data).toBe('#1234|NPA002');
    expect(q.count('queued')).toBe(2);
    expect(q.count('delivered')).toBe(1);
    q.close();
  });

  it('records alarm transitions atomically, so a redelivered MQTT message enqueues nothing twice', () => {
    const q = new ArcQueue(':memory:');
    const decide = (prev: string | undefined) => (prev === undefined ? { next: 'raised' as const, events: [draft(1)] } : { next: prev as 'raised', events: [] });
    expect(q.applyAlarm('al-1', T0, decide)).toHaveLength(1);
    expect(q.applyAlarm('al-1', T0, decide)).toHaveLength(0);
    expect(q.count('queued')).toBe(1);
    expect(() => q.applyAlarm('al-2', T0, () => { throw new Error('disk full'); })).toThrow('disk full');
    expect(q.applyAlarm('al-2', T0, decide)).toHaveLength(1); // nothing was recorded by the failed attempt
    q.close();
  });

  it('wraps sequence numbers 9999 → 0001 across restarts', () => {
    const file = join(dir, 'seq.db');
    let q = new ArcQueue(file);
    q.setState('seq', '9998');
    expect(q.takeSeq()).toBe(9999);
    q.close();
    q = new ArcQueue(file);
    expect(q.takeSeq()).toBe(1);
    q.close();
  });

  it('sets rejected events aside, and requeues or discards them on request', () => {
    const q = new ArcQueue(':memory:');
    const a = q.enqueue(draft(1), T0);
    q.enqueue(draft(2, { account: '', rejectReason: 'no account' }), T0);
    q.markRejected(a.id, 'primary: DUH');
    expect(q.head()).toBeUndefined();
    expect(q.list('rejected').map((e) => e.lastError)).toEqual(['primary: DUH', 'no account']);
    expect(q.requeueRejected()).toBe(1); // the one without an account cannot be sent
    expect(q.head()!.id).toBe(a.id);
    expect(q.discardRejected()).toBe(1);
    q.close();
  });

  it('prunes delivered events older than the retention', () => {
    const q = new ArcQueue(':memory:');
    const a = q.enqueue(draft(1), T0);
    q.enqueue(draft(2), T0);
    q.markDelivered(a.id, 'primary', T0);
    expect(q.prune(T0 + 1)).toBe(1);
    expect(q.count('queued')).toBe(1);
    q.close();
  });

  it('lets a refused event wait out its back-off while the next ones go, but never a restore before its alarm', () => {
    const q = new ArcQueue(':memory:');
    const alarm = q.enqueue(draft(1), T0);
    const restore = q.enqueue(draft(1, { data: '#1234|NPH001' }), T0);
    const other = q.enqueue(draft(2), T0);
    expect(q.head(T0)!.id).toBe(alarm.id);
    expect(q.deferRefused(alarm.id, 'primary: NAK', T0 + 2000)).toBe(1);
    expect(q.head(T0)!.id).toBe(other.id); // not the restore of the refused alarm
    expect(q.nextDueAt()).toBe(T0 + 2000);
    expect(q.countRefused()).toBe(1);
    q.markDelivered(other.id, 'primary', T0);
    expect(q.head(T0 + 1999)).toBeUndefined();
    expect(q.head(T0 + 2000)!.id).toBe(alarm.id);
    q.markRejected(alarm.id, 'refused 5 times');
    expect(q.head(T0 + 2000)!.id).toBe(restore.id);
    expect(q.rejectedBefore(restore)).toBe(alarm.id);
    q.markRejected(restore.id, 'kept with it');
    expect(q.requeueRejected()).toBe(2);
    expect(q.head(T0)).toMatchObject({ id: alarm.id, refusals: 0, nextAttemptAt: null });
    q.close();
  });

  it('opens a queue written before refused events had their own back-off', () => {
    const file = join(dir, 'old.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE arc_events (id INTEGER PRIMARY KEY AUTOINCREMENT, alarm_id TEXT, kind TEXT NOT NULL, token TEXT NOT NULL, account TEXT NOT NULL,
      data TEXT NOT NULL, xdata TEXT NOT NULL, created_at INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'queued', seq INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
      duh_count INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_at INTEGER, delivered_via TEXT)`);
    db.prepare("INSERT INTO arc_events (alarm_id, kind, token, account, data, xdata, created_at) VALUES ('al-1', 'alarm', 'SIA-DCS', '1234', '#1234|NPA001', '', 1)").run();
    db.close();
    const q = new ArcQueue(file);
    expect(q.head(T0)).toMatchObject({ data: '#1234|NPA001', refusals: 0, nextAttemptAt: null });
    q.close();
  });
});
