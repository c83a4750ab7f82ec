import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventDraft } from '../../arc/src/events';
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
});
