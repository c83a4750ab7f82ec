import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../centre/src/store/sqlite';
import { describeStore } from './store-contract';

describeStore('SQLite', async () => new SqliteStore(':memory:'));

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
