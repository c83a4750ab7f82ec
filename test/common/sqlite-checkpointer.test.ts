import { mkdtempSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Checkpointer } from '../../common/sqlite-checkpointer';
import { openGatewayDb } from '../../gateway/src/store/db';

describe('Checkpointer', () => {
  it('checkpoints the WAL from its thread while the main connection never does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ckpt-'));
    try {
      const path = join(dir, 'x.db');
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('CREATE TABLE t (v BLOB)');
      const checkpointer = new Checkpointer(path, 5);
      for (let i = 0; i < 50; i++) db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4000));
      // Only a checkpoint copies pages into the database file: wait on that effect, not on a time.
      while (statSync(path).size < 50 * 4000) await new Promise<void>((r) => setTimeout(r, 5));
      checkpointer.stop();
      db.close();
      expect(checkpointer.lastError).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never touches the files after stop() returns, even stopped before its thread started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-ckpt-'));
    const path = join(dir, 'x.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v INTEGER)');
    const checkpointer = new Checkpointer(path, 1);
    checkpointer.stop();
    db.close();
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    await checkpointer.exited;
    expect(readdirSync(dir)).toEqual([]);
    rmdirSync(dir);
  });

  it('leaves nothing behind once close() returns, even closed right after opening', () => {
    // The worker used to open its connection after the main one had closed and recreate the files
    // while the directory was being removed (ENOTEMPTY in CI).
    for (let i = 0; i < 40; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-ckpt-'));
      const db = openGatewayDb(dir);
      db.prepare('INSERT INTO replay (device_id, last, mask) VALUES (?, ?, ?)').run(i, 1, 1);
      db.close();
      for (const f of readdirSync(dir)) rmSync(join(dir, f));
      rmdirSync(dir); // throws ENOTEMPTY if anything was recreated meanwhile
    }
  });
});
