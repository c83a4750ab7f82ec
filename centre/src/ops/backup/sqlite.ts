/**
 * SQLite backups, online and consistent: SQLite's backup API (better-sqlite3 `db.backup`) on a
 * connection of its own in a worker thread, copying every page in one step — one read transaction,
 * so the copy is the database at one instant, while the centre goes on writing (WAL: readers never
 * block the writer) and its event loop never waits for the copy. The copy is checked (`PRAGMA
 * integrity_check`, the migration table) before it gets its final name.
 *
 * Restore replaces the database file, and refuses while any process has the database open (a running
 * centre, a `vigil centre import`): an exclusive lock on it must be free.
 */
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
(async () => {
  const src = new Database(workerData.source, { fileMustExist: true });
  let r;
  try {
    src.pragma('busy_timeout = 5000');
    // every remaining page in one step: one read transaction, a snapshot of one instant
    r = await src.backup(workerData.dest, { progress: () => 0x7fffffff });
  } finally {
    src.close();
  }
  // the copy is a file of its own: no WAL beside it
  const dest = new Database(workerData.dest, { fileMustExist: true });
  try { dest.pragma('journal_mode = DELETE'); } finally { dest.close(); }
  parentPort.postMessage({ ok: true, pages: r.totalPages });
})().catch((e) => parentPort.postMessage({ ok: false, error: String(e && e.message || e) }));
`;

/** Copies the database at `source` to `dest` (which must not exist) off the event loop. */
export function copySqlite(source: string, dest: string): Promise<{ pages: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { source, dest, module: require.resolve('better-sqlite3') } });
    let settled = false;
    worker.once('message', (m: { ok: boolean; pages?: number; error?: string }) => {
      settled = true;
      if (m.ok) resolve({ pages: m.pages ?? 0 });
      else reject(new Error(`SQLite backup of ${source} failed: ${m.error}`));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`SQLite backup thread ended (${code}) before it finished`));
    });
  });
}

/** Why a file is not a usable backup of a Vigil centre, or undefined. */
export function checkSqlite(file: string): string | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const ok = db.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') return `integrity check failed: ${String(ok)}`;
    const migrations = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get();
    if (!migrations) return 'not a Vigil centre database (no migration history)';
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    db?.close();
  }
}

/** Backs `source` up into `dest` (written as `dest.partial`, checked, then renamed). */
export async function backupSqlite(source: string, dest: string): Promise<void> {
  const partial = `${dest}.partial`;
  rmSync(partial, { force: true });
  try {
    await copySqlite(source, partial);
    const problem = checkSqlite(partial);
    if (problem) throw new Error(`the backup of ${source} does not check: ${problem}`);
    renameSync(partial, dest);
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Whether a process has the database open (an exclusive lock cannot be had at once). */
export function inUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new Database(path, { timeout: 0, fileMustExist: true });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw e;
  } finally {
    db.close();
  }
}

/**
 * Replaces the database at `target` by the backup `file`: refused while the database is open; the
 * database it replaces is kept beside it as `<target>.before-restore-<time>` (nothing is lost by a
 * restore of the wrong file).
 */
export function restoreSqlite(file: string, target: string, now: number): { kept: string | undefined } {
  const problem = checkSqlite(file);
  if (problem) throw new Error(`${file} is not a usable backup: ${problem}`);
  if (inUse(target)) throw new Error(`${target} is in use: stop the centre (and any vigil command using it) first`);
  const staged = `${target}.restoring`;
  copyFileSync(file, staged);
  let kept: string | undefined;
  if (existsSync(target)) {
    kept = `${target}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    // the WAL belongs to the database being replaced: checkpointed into it first, so the kept copy is whole
    const db = new Database(target, { fileMustExist: true });
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    renameSync(target, kept);
  }
  for (const side of ['-wal', '-shm', '-journal']) rmSync(`${target}${side}`, { force: true });
  renameSync(staged, target);
  return { kept };
}
