/**
 * `npx vigil centre person export <workerId> --out DIR` and `… person erase <workerId> --confirm
 * <workerId>` (docs/centre.md "One person's data"): GDPR articles 15 and 17 from the command line, over
 * the same code as the admins' routes (centre/src/ops/people.ts), on the store the config names
 * (SQLite in the data directory, or PostgreSQL), beside a running centre or not. Both are audited as
 * `cli:<the system user>`; a running centre sees the unassigned devices at its next registry check.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SystemClock } from '../common/clock';
import type { ResolvedCentreConfig } from '../centre/src/config';
import { workerDataCsv } from '../centre/src/http/admin/people';
import { localTime } from '../centre/src/http/reports/csv';
import { erasePerson, exportPerson } from '../centre/src/ops/people';
import { PostgresStore, postgresTarget } from '../centre/src/store/postgres';
import { SqliteStore } from '../centre/src/store/sqlite';
import type { Store } from '../centre/src/store/types';

type Load = (path: string | undefined) => ResolvedCentreConfig | number;

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** The store the centre of this config uses; migrated (a no-op on a centre's own store). */
async function openStore(c: ResolvedCentreConfig): Promise<Store> {
  let store: Store;
  if (c.store) {
    store = new PostgresStore({ ...postgresTarget(c.store), name: 'vigil-cli', maxConnections: 2 });
  } else {
    mkdirSync(c.dataDir, { recursive: true });
    store = new SqliteStore(join(c.dataDir, 'centre.db'), { backgroundCheckpoints: false });
  }
  await store.migrate();
  return store;
}

/** A worker id as part of a file name. */
const fileSafe = (id: string): string => id.replace(/[^A-Za-z0-9_.-]/g, '_');

async function exportCommand(args: string[], load: Load, usage: () => number): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string' }, out: { type: 'string' }, tz: { type: 'string' }, delimiter: { type: 'string' } }, allowPositionals: true });
  const c = load(values.config);
  if (typeof c === 'number') return c;
  if (positionals.length !== 1 || !values.out || (values.delimiter !== undefined && values.delimiter !== ',' && values.delimiter !== ';')) return usage();
  const workerId = positionals[0]!;
  let timeOf: (ms: number | null) => string;
  try {
    timeOf = localTime(values.tz ?? 'UTC');
  } catch {
    process.stderr.write(`--tz: unknown time zone '${values.tz}'\n`);
    return 2;
  }
  const store = await openStore(c);
  try {
    const clock = new SystemClock();
    const d = await exportPerson({ store, clock }, workerId, 'json+csv', actor());
    if (!d) {
      process.stderr.write(`Nothing is held about worker '${workerId}'.\n`);
      return 1;
    }
    const dir = resolve(values.out);
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `vigil-worker-${fileSafe(workerId)}`);
    writeFileSync(`${base}.json`, JSON.stringify({ exportedAt: clock.now(), ...d }, null, 2) + '\n', { mode: 0o600 });
    writeFileSync(`${base}.csv`, workerDataCsv(d, timeOf, values.delimiter ?? ','), { mode: 0o600 });
    process.stdout.write(`Exported worker '${workerId}': ${base}.json, ${base}.csv\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function eraseCommand(args: string[], load: Load, usage: () => number): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string' }, confirm: { type: 'string' } }, allowPositionals: true });
  const c = load(values.config);
  if (typeof c === 'number') return c;
  if (positionals.length !== 1) return usage();
  const workerId = positionals[0]!;
  if (values.confirm !== workerId) {
    process.stderr.write(`Erasure cannot be undone: repeat the worker id to confirm (--confirm ${workerId}).\n`);
    return 2;
  }
  const store = await openStore(c);
  try {
    const r = await erasePerson({ store, clock: new SystemClock() }, workerId, actor());
    if (!r.ok) {
      process.stderr.write(`Erasure refused: ${r.message}.\n`);
      return 1;
    }
    const counts = Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
    process.stdout.write(`Worker '${workerId}' erased; their statistics stay under ${r.pseudonym} (${counts || 'nothing else held'}).\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** `person export|erase …` */
export function personCommand(args: string[], load: Load, usage: () => number): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === 'export') return exportCommand(rest, load, usage);
  if (verb === 'erase') return eraseCommand(rest, load, usage);
  return Promise.resolve(usage());
}
