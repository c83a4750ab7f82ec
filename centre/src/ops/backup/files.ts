/**
 * Backup files: one file per backup, named by its UTC time and engine, so that a directory listing is
 * the history (`vigil-centre-2026-01-31T02-00-00Z.sqlite`, `….pgdump`). A backup is written under a
 * temporary name and renamed when complete and checked: a file with the final name is whole.
 * Pruning deletes only files of this naming, oldest first.
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export type Engine = 'sqlite' | 'postgres';

const EXT: Record<Engine, string> = { sqlite: '.sqlite', postgres: '.pgdump' };
const NAME = /^vigil-centre-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(?:-\d{3})?Z)\.(sqlite|pgdump)$/;

export function backupName(engine: Engine, at: number): string {
  const iso = new Date(at).toISOString().replace(/:/g, '-').replace(/\.(\d{3})Z$/, (_m, ms: string) => (ms === '000' ? 'Z' : `-${ms}Z`));
  return `vigil-centre-${iso}${EXT[engine]}`;
}

/** The time a backup file name says (epoch ms), or undefined for any other name. */
export function backupTime(name: string): number | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [date, time] = m[1]!.split('T') as [string, string];
  const [hh, mm, ss, ms] = time.replace('Z', '').split('-');
  return Date.parse(`${date}T${hh}:${mm}:${ss}.${ms ?? '000'}Z`);
}

export function engineOf(file: string): Engine | undefined {
  if (file.endsWith(EXT.sqlite)) return 'sqlite';
  if (file.endsWith(EXT.postgres)) return 'postgres';
  return undefined;
}

export interface BackupFile {
  path: string;
  at: number;
  bytes: number;
}

/** This engine's backups in `dir`, newest first (a missing directory has none). */
export function listBackups(dir: string, engine: Engine): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(EXT[engine])).flatMap((n) => {
    const at = backupTime(n);
    if (at === undefined) return [];
    try {
      return [{ path: join(dir, n), at, bytes: statSync(join(dir, n)).size }];
    } catch {
      return [];
    }
  }).sort((a, b) => b.at - a.at);
}

/** Deletes all but the `keep` newest backups of this engine; returns the paths deleted. */
export function prune(dir: string, engine: Engine, keep: number): string[] {
  const gone = listBackups(dir, engine).slice(keep).map((f) => f.path);
  for (const p of gone) unlinkSync(p);
  return gone;
}
