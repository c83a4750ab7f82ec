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
import { Checkpointer } from '../../../common/sqlite-checkpointer';

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
  /** Checkpoint the WAL on a worker thread (default), not inside whichever commit fills it. */
  backgroundCheckpoints?: boolean;
}

/** Opens (creating if needed) `<dataDir>/<file>` with WAL; the schema is each user's business (`migrate`). */
export function openDb(dataDir: string, file: string, opts: OpenDbOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, file);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  if (opts.backgroundCheckpoints !== false) checkpointInBackground(db, path);
  return db;
}

/**
 * A WAL checkpoint fsyncs; done inside a commit it stalls the event loop for tens of milliseconds
 * (the tail of the radio-in → MQTT-out latency). The connection stops checkpointing by itself and a
 * worker thread checkpoints every second instead (common/sqlite-checkpointer.ts). Closing the
 * database stops the thread and checkpoints what is left on this connection; once `close()` returns
 * nothing touches the files any more.
 */
function checkpointInBackground(db: Db, path: string): void {
  db.pragma('wal_autocheckpoint = 0');
  const checkpointer = new Checkpointer(path);
  const close = db.close.bind(db);
  db.close = (): Db => {
    checkpointer.stop();
    try {
      if (db.open && !db.inTransaction) db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A statement still reading (or a busy lock) leaves the WAL for the next open to checkpoint.
    }
    close();
    return db;
  };
}

/**
 * The gateway's database (`<dataDir>/gateway.db`) with its schema up to date, reserved for this
 * process: a second gateway on the same data directory would double-forward frames and fight over
 * the replay windows. The reservation is a separate `gateway.lock` database held with SQLite's
 * exclusive locking (released by the OS if the process dies), so `gateway.db` itself stays open to
 * the background checkpoint thread.
 */
export function openGatewayDb(dataDir: string, opts: OpenDbOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const lock = new Database(join(dataDir, 'gateway.lock'));
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('busy_timeout = 0');
    lock.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER, at INTEGER); DELETE FROM owner;');
    lock.prepare('INSERT INTO owner (pid, at) VALUES (?, ?)').run(process.pid, Date.now()); // a write takes the lock until close
  } catch (e) {
    lock.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new Error(`${dataDir} is in use by another gateway process (stop it first)`);
    throw e;
  }
  let db: Db;
  try {
    db = openDb(dataDir, 'gateway.db', opts);
    migrate(db, 'gateway', MIGRATIONS);
  } catch (e) {
    lock.close();
    throw e;
  }
  const close = db.close.bind(db);
  db.close = (): Db => {
    close();
    lock.close();
    return db;
  };
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
