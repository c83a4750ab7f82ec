/** The gateway's SQLite state: replay windows, keyring cache and the outbox survive a reopen. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../common/clock';
import { SqliteOutbox } from '../../gateway/src/forward/outbox';
import { openGatewayDb } from '../../gateway/src/store/db';
import { SqliteKeyringCache } from '../../gateway/src/store/keyring-sqlite';
import { SqliteReplayStore } from '../../gateway/src/store/replay-sqlite';
import { Keyring } from '../../gateway/src/keyring';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-gwdb-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite replay store', () => {
  it('classifies and advances atomically: new once, then duplicate; far behind is a replay', () => {
    const db = openGatewayDb(dir);
    const r = new SqliteReplayStore(db);
    expect(r.accept(0xbeef, 100)).toBe('new');
    expect(r.accept(0xbeef, 100)).toBe('duplicate');
    expect(r.accept(0xbeef, 90)).toBe('new'); // late but inside the 32-frame window
    expect(r.accept(0xbeef, 90)).toBe('duplicate');
    expect(r.accept(0xbeef, 68)).toBe('replay'); // 32 behind
    expect(r.accept(0xbeef, 0xffffffff)).toBe('new');
    expect(r.get(0xbeef)).toEqual({ last: 0xffffffff, mask: 1 });
    expect(r.get(0xdead)).toBeUndefined();
    db.close();
  });

  it('remembers windows across a restart', () => {
    let db = openGatewayDb(dir);
    const first = new SqliteReplayStore(db);
    first.accept(7, 5000);
    first.flush();
    db.close();
    db = openGatewayDb(dir);
    const r = new SqliteReplayStore(db);
    expect(r.get(7)).toEqual({ last: 5000, mask: 1 });
    expect(r.accept(7, 5000)).toBe('duplicate');
    db.close();
  });

  it('keeps the database to one gateway process at a time', () => {
    const a = openGatewayDb(dir);
    expect(() => openGatewayDb(dir)).toThrow(/is in use by another gateway process/);
    a.close();
    openGatewayDb(dir).close(); // free again once the first one closed (or died)
  });
});

describe('SQLite keyring cache', () => {
  it('gives a restarted gateway the last keyring, newest wins', () => {
    const db = openGatewayDb(dir);
    const k1 = new Keyring();
    k1.useCache(new SqliteKeyringCache(db));
    k1.apply({ v: 1, siteId: 's1', at: 5, devices: [{ deviceId: '0000beef', key: '00112233445566778899aabbccddeeff', lastCounter: 77 }] });
    const k2 = new Keyring();
    k2.useCache(new SqliteKeyringCache(db));
    expect(k2.size).toBe(1);
    expect(k2.lastCounter(0xbeef)).toBe(77);
    expect(k2.apply({ v: 1, siteId: 's1', at: 4, devices: [] })).toBe(false);
    db.close();
  });
});

describe('SQLite outbox', () => {
  it('returns messages in order and forgets acknowledged ones, across a reopen', async () => {
    const clock = new VirtualClock();
    let db = openGatewayDb(dir);
    let o = new SqliteOutbox(db, { clock });
    const seqs = await Promise.all([1, 2, 3].map((i) => o.enqueue('t', `m${i}`, 'dev', 1)));
    o.remove(seqs[0]!);
    o.flush();
    clock.advance(5000);
    expect(o.oldestAgeMs()).toBe(5000);
    db.close();
    db = openGatewayDb(dir);
    o = new SqliteOutbox(db, { clock });
    expect(o.depth).toBe(2);
    expect(o.after(0, 10).map((m) => m.payload.toString())).toEqual(['m2', 'm3']);
    expect(o.after(seqs[1]!, 10).map((m) => m.payload.toString())).toEqual(['m3']);
    db.close();
  });

  it('sheds the oldest routine messages when full, never alarms', async () => {
    const db = openGatewayDb(dir);
    const o = new SqliteOutbox(db, { clock: new VirtualClock(), maxQueued: 3 });
    await o.enqueue('t', 'heartbeat-1', 'a', 0);
    await o.enqueue('t', 'sos-1', 'a', 1);
    // written together in one group commit
    await Promise.all([o.enqueue('t', 'heartbeat-2', 'a', 0), o.enqueue('t', 'sos-2', 'a', 1), o.enqueue('t', 'sos-3', 'a', 1)]);
    await o.enqueue('t', 'sos-4', 'a', 1);
    expect(o.after(0, 10).map((m) => m.payload.toString())).toEqual(['sos-1', 'sos-2', 'sos-3', 'sos-4']);
    expect(o.shed).toBe(2);
    db.close();
  });
});
