/**
 * The gateway's own SQLite database in its data directory: replay windows, the last keyring and the
 * store-and-forward queue live in one file, so one transaction order covers them all — after a
 * power cut the queue and the windows roll back together, never the window without its frame.
 * WAL with synchronous=NORMAL survives a crash of the process; after a power cut the last commits
 * may be gone, which the pendant covers: it repeats an alarm until the centre acknowledges it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  `CREATE TABLE replay (device_id INTEGER PRIMARY KEY, last INTEGER NOT NULL, mask INTEGER NOT NULL);
   CREATE TABLE keyring (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL, payload TEXT NOT NULL);
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
     key TEXT NOT NULL, priority INTEGER NOT NULL, queued_at INTEGER NOT NULL);
   CREATE INDEX outbox_priority ON outbox(priority, seq);`,
];

export interface OpenDbOptions {
  /** FULL makes every commit reach the disk before it returns (slower on SD cards). */
  synchronous?: 'NORMAL' | 'FULL';
}

/** Opens (creating if needed) `<dataDir>/<file>` with WAL; the schema is each user's business (`migrate`). */
export function openDb(dataDir: string, file: string, opts: OpenDbOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, file));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * The gateway's database (`<dataDir>/gateway.db`) with its schema up to date, locked for this
 * process (SQLite exclusive locking, released by the OS if the process dies): a second gateway on
 * the same data directory would double-forward frames and fight over the replay windows.
 */
export function openGatewayDb(dataDir: string, opts: OpenDbOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'gateway.db'));
  try {
    db.pragma('locking_mode = EXCLUSIVE'); // before WAL: no shared-memory index, the lock is ours
    db.pragma('busy_timeout = 0');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    migrate(db, 'gateway', MIGRATIONS); // writes, so takes the lock now
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new Error(`${dataDir} is in use by another gateway process (stop it first)`);
    throw e;
  }
  return db;
}

/** Applies the migrations of `name` not yet applied, each in its own transaction. */
export function migrate(db: Db, name: string, migrations: string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const row = db.prepare<[string], { version: number }>('SELECT version FROM schema_versions WHERE name = ?').get(name);
  for (let version = row?.version ?? 0; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.prepare('INSERT INTO schema_versions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version').run(name, version + 1);
    })();
  }
}
