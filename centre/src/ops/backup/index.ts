/**
 * Backups of the centre's store, whichever engine (docs/centre.md "Backups"): what the CLI
 * (`vigil centre backup` / `restore`) and the scheduled backups (schedule.ts) share. A target is the
 * store as the config names it: the SQLite file in the data directory, or the PostgreSQL URL and
 * schema.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { backupName, type BackupFile, engineOf, listBackups } from './files';
import { backupPostgres, checkPostgresDump, type PostgresTarget, restorePostgres } from './postgres';
import { backupSqlite, checkSqlite, restoreSqlite } from './sqlite';

export type StoreTarget = { engine: 'sqlite'; path: string } | ({ engine: 'postgres' } & PostgresTarget);

/** The store a config names: `store: postgres://…[?schema=x]`, else `<dataDir>/centre.db`. */
export function storeTarget(config: { dataDir: string; store?: string | undefined }): StoreTarget {
  if (!config.store) return { engine: 'sqlite', path: join(config.dataDir, 'centre.db') };
  const u = new URL(config.store);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return { engine: 'postgres', url: u.toString(), ...(schema ? { schema } : {}) };
}

/** Backs the store up into `dest` (a file path); whole or not at all. */
export async function backupTo(target: StoreTarget, dest: string, pgBinDir?: string | null): Promise<void> {
  if (target.engine === 'sqlite') await backupSqlite(target.path, dest);
  else await backupPostgres(target, dest, pgBinDir);
}

/** Backs the store up into a new, time-named file in `dir` (created if missing). */
export async function backupInto(target: StoreTarget, dir: string, at: number, pgBinDir?: string | null): Promise<BackupFile> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, backupName(target.engine, at));
  await backupTo(target, path, pgBinDir);
  return listBackups(dir, target.engine).find((f) => f.path === path) ?? { path, at, bytes: 0 };
}

/** Why `file` cannot be restored into `target`, or undefined. */
export async function checkBackup(target: StoreTarget, file: string, pgBinDir?: string | null): Promise<string | undefined> {
  const engine = engineOf(file) ?? target.engine;
  if (engine !== target.engine) return `${file} is a ${engine} backup; this centre's store is ${target.engine}`;
  const problem = target.engine === 'sqlite' ? checkSqlite(file) : await checkPostgresDump(file, pgBinDir);
  return problem && `${file} is not a usable backup: ${problem}`;
}

/** Replaces the store's data by the backup; refused while a centre uses it. What it replaced is kept (returned). */
export async function restoreFrom(target: StoreTarget, file: string, now: number, pgBinDir?: string | null): Promise<{ kept: string | undefined }> {
  const problem = await checkBackup(target, file, pgBinDir);
  if (problem) throw new Error(problem);
  return target.engine === 'sqlite' ? restoreSqlite(file, target.path, now) : restorePostgres(target, file, now, pgBinDir);
}
