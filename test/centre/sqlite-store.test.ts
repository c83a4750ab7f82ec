import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../centre/src/store/sqlite';
import { describeOpsStore } from './ops-store-contract';
import { describeStore } from './store-contract';
import { LEGACY_READS, loadLegacySqlite } from './store-legacy/load';
import { migrations } from '../../centre/src/store/migrations';
import { describeOrganisationStore } from './organisation-store-contract';
import { readBack } from './store-legacy/seed';

describeStore('SQLite', async () => new SqliteStore(':memory:'));
describeOpsStore('SQLite', async () => new SqliteStore(':memory:'));
describeOrganisationStore('SQLite', async () => new SqliteStore(':memory:'));

describe('SQLite store specifics', () => {
  it('refuses to change or delete audit entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    try {
      const file = join(dir, 'centre.db');
      const store = new SqliteStore(file);
      await store.migrate();
      await store.appendAudit({ at: 1, actor: 'system', action: 'x', entity: 'alarm', entityId: 'a' });
      await store.close();
      const db = new Database(file);
      expect(() => db.prepare("UPDATE audit SET action = 'y'").run()).toThrow('append-only');
      expect(() => db.prepare('DELETE FROM audit').run()).toThrow('append-only');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints what is left and leaves an empty WAL behind when closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    try {
      const file = join(dir, 'centre.db');
      const store = new SqliteStore(file);
      await store.migrate();
      await store.upsertSite({ id: 's', name: 'S' });
      await store.addDevice({ id: '0000beef', key: '00'.repeat(16), board: 'puckjs', workerId: null, siteId: 's', createdAt: 1, lastCounter: -1, lastSeenAt: null, batteryPct: null });
      for (let i = 0; i < 3000; i++) await store.recordEvent({ deviceId: '0000beef', counter: i, type: 'heartbeat', receivedAt: i, gatewayId: 'g', siteId: 's', rssiDbm: null, batteryPct: null, position: null, detail: 0, ref: i });
      await store.close();
      expect(statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
      const again = new SqliteStore(file);
      expect((await again.getDevice('0000beef'))?.lastCounter).toBe(2999);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A database the hand-written engines created (schema_version 5), opened by today's store. */
function legacyFile(opts: Parameters<typeof loadLegacySqlite>[1] = {}): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-legacy-'));
  const file = join(dir, 'centre.db');
  loadLegacySqlite(file, opts);
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describeStore('SQLite, on a database of the hand-written engine', async () => {
  const { file, done } = legacyFile({ schemaOnly: true });
  const store = new SqliteStore(file);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    done();
  };
  return store;
});

describe('SQLite store upgrade', () => {
  it('migrates a database of the hand-written engine in place, without losing a row', async () => {
    const { file, done } = legacyFile();
    try {
      const store = new SqliteStore(file);
      await store.migrate();
      await store.migrate();
      expect(await readBack(store)).toEqual(LEGACY_READS.sqlite);
      // and goes on from where it was: numbers, purged counters, the one active session
      const a = await store.createAlarm({ ...(await store.getAlarm('a1'))!, id: 'a3', type: 'fall' }, { at: 1, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'a3' });
      expect(a.number).toBe('1003');
      expect(await store.recordEvent({ deviceId: '0000beef', counter: 1, type: 'heartbeat', receivedAt: 9, gatewayId: 'g', siteId: 's1', rssiDbm: null, batteryPct: null, position: null, detail: 0, ref: 1 })).toBe('stale');
      expect((await store.findActiveWorkSession('w1'))?.callList).toEqual([{ name: 'Porter', phone: '+33622' }]);
      await store.close();
      const db = new Database(file, { readonly: true });
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'schema_version'").get()).toBeUndefined();
      expect(db.prepare('SELECT name FROM kysely_migration').all()).toEqual(Object.keys(migrations('sqlite')).map((name) => ({ name })));
      db.close();
    } finally {
      done();
    }
  });

  it('adopts a database of the hand-written engine that already had the languages columns (schema version 6)', async () => {
    const { file, done } = legacyFile({ edit: (sql) => `${sql}\nINSERT INTO schema_version VALUES(6);ALTER TABLE workers ADD COLUMN language TEXT;ALTER TABLE sites ADD COLUMN time_zone TEXT;` });
    try {
      const store = new SqliteStore(file);
      await store.migrate();
      await store.upsertWorker({ ...(await store.getWorker('w1'))!, language: 'fr' });
      expect((await store.getWorker('w1'))?.language).toBe('fr');
      await store.close();
    } finally {
      done();
    }
  });

  it('refuses a database of an older hand-written schema, and says which', async () => {
    const { file, done } = legacyFile({ edit: (sql) => sql.replace('INSERT INTO schema_version VALUES(5);', '') });
    try {
      const store = new SqliteStore(file);
      await expect(store.migrate()).rejects.toThrow(/schema version 4 .*expected 5/);
      await store.close();
    } finally {
      done();
    }
  });
});
