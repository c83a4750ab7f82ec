import { mkdtempSync, rmSync } from 'node:fs';
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
});
