/**
 * `npx vigil centre backup` and `restore` (docs/centre.md "Backups"): the store the config names —
 * the SQLite file in the data directory or the PostgreSQL schema — copied online and consistent
 * (SQLite's backup API; pg_dump) while the centre runs, and put back while it is stopped.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResolvedCentreConfig } from '../centre/src/config';
import { backupInto, backupTo, restoreFrom, storeTarget } from '../centre/src/ops/backup';

type Usage = () => number;

export async function backupCommand(args: string[], load: (path: string | undefined) => ResolvedCentreConfig | number, usage: Usage): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string' }, dir: { type: 'string' }, out: { type: 'string' } }, allowPositionals: true });
  const c = load(values.config);
  if (typeof c === 'number') return c;
  if (positionals.length || (values.dir && values.out)) return usage();
  const target = storeTarget(c);
  const pgBinDir = c.backup?.pgBinDir ?? null;
  const started = Date.now();
  try {
    let path: string;
    if (values.out) {
      path = resolve(values.out);
      await backupTo(target, path, pgBinDir);
    } else {
      const dir = values.dir ?? c.backup?.dir ?? join(c.dataDir, 'backups');
      path = (await backupInto(target, isAbsolute(dir) ? dir : resolve(dir), started, pgBinDir)).path;
    }
    process.stdout.write(`Backup written: ${path} (${Date.now() - started} ms)\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`Backup failed: ${(e as Error).message}\n`);
    return 1;
  }
}

export async function restoreCommand(args: string[], load: (path: string | undefined) => ResolvedCentreConfig | number, usage: Usage): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string' } }, allowPositionals: true });
  const c = load(values.config);
  if (typeof c === 'number') return c;
  if (positionals.length !== 1) return usage();
  try {
    const { kept } = await restoreFrom(storeTarget(c), resolve(positionals[0]!), Date.now(), c.backup?.pgBinDir ?? null);
    process.stdout.write(`Restored from ${positionals[0]}.${kept ? ` What it replaced is kept as ${kept}.` : ''}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`Restore refused: ${(e as Error).message}\n`);
    return 1;
  }
}
