/**
 * PostgreSQL backups with PostgreSQL's own tools: `pg_dump --format=custom` of the centre's schema —
 * one snapshot (pg_dump reads in one repeatable-read transaction), taken while every worker goes on
 * writing — checked with `pg_restore --list` before it gets its final name; restored with
 * `pg_restore --single-transaction --exit-on-error`. pg_dump must be at least the server's version:
 * the newest installed under /usr/lib/postgresql (Debian's layout) is used unless `backup.pgBinDir`
 * names one. The password goes to the tools in their environment, never on their command line.
 *
 * Restore refuses while a centre worker is alive (its heartbeat in `cluster_nodes` is recent) or a
 * centre process is connected to the database at all (`centreConnections`), renames
 * the schema it replaces to `<schema>_before_restore_<time>` (dropped by hand once the restored centre
 * is known good) and renames it back if the restore fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresTarget {
  url: string;
  /** The centre's schema; default the connection's current schema. */
  schema?: string;
}

/** Where pg_dump and pg_restore are: `dir` if given, else Debian's newest /usr/lib/postgresql/<major>/bin, else PATH. */
export function pgTool(name: 'pg_dump' | 'pg_restore', dir?: string | null): string {
  if (dir) return join(dir, name);
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base) ? readdirSync(base).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const m of majors) if (existsSync(join(base, m, 'bin', name))) return join(base, m, 'bin', name);
  return name;
}

/** The URL without its password, and the password for PGPASSWORD. */
function credentials(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  u.searchParams.delete('schema');
  return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${tool} failed: ${(stderr || err.message).trim().split('\n').slice(-5).join(' / ')}`));
      else resolve(stdout);
    });
  });
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: credentials(url).url, password: decodeURIComponent(new URL(url).password) || undefined, application_name: 'vigil-backup' });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const quote = (id: string): string => `"${id.replace(/"/g, '""')}"`;

export async function schemaOf(t: PostgresTarget): Promise<string> {
  if (t.schema) return t.schema;
  return withClient(t.url, async (c) => (await c.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s);
}

/** Why a file is not a usable backup of a Vigil centre, or undefined (`pg_restore --list` reads its table of contents). */
export async function checkPostgresDump(file: string, binDir?: string | null): Promise<string | undefined> {
  try {
    const toc = await run(pgTool('pg_restore', binDir), ['--list', file], process.env);
    return / TABLE \S+ kysely_migration /.test(toc) ? undefined : 'not a Vigil centre dump (no migration history)';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Dumps the centre's schema into `dest` (written as `dest.partial`, checked, then renamed). */
export async function backupPostgres(t: PostgresTarget, dest: string, binDir?: string | null): Promise<void> {
  const schema = await schemaOf(t);
  const { url, env } = credentials(t.url);
  const partial = `${dest}.partial`;
  rmSync(partial, { force: true });
  try {
    await run(pgTool('pg_dump', binDir), ['--format=custom', '--no-owner', '--no-privileges', `--schema=${schema}`, `--file=${partial}`, url], env);
    const problem = await checkPostgresDump(partial, binDir);
    if (problem) throw new Error(`the dump of schema ${schema} does not check: ${problem}`);
    renameSync(partial, dest);
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Centre workers whose heartbeat is fresh (a worker writes it every few seconds while it runs). */
export async function liveWorkers(t: PostgresTarget, schema: string, withinMs = 30_000): Promise<string[]> {
  return withClient(t.url, async (c) => {
    const exists = (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${quote(schema)}.cluster_nodes`])).rows[0]?.t;
    if (!exists) return [];
    const rows = await c.query<{ id: string }>(`SELECT id FROM ${quote(schema)}.cluster_nodes WHERE stopped_at IS NULL AND seen_at > (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT - $1`, [withinMs]);
    return rows.rows.map((r) => r.id);
  });
}

/**
 * Connections of centre processes to this database (a store's pool names itself `vigil-centre` or
 * `centre-<pid>-…`): a lone centre, or one whose heartbeat stalled, still has them. The server does not
 * say which schema a connection uses, so any centre on the database counts.
 */
export async function centreConnections(t: PostgresTarget): Promise<string[]> {
  return withClient(t.url, async (c) => {
    const rows = await c.query<{ name: string; n: string }>(
      `SELECT application_name AS name, count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND (application_name LIKE 'vigil-centre%' OR application_name LIKE 'centre-%')
        GROUP BY application_name ORDER BY application_name`);
    return rows.rows.map((r) => `${r.name} (${r.n} connection${r.n === '1' ? '' : 's'})`);
  });
}

/** Replaces the centre's schema by the dump `file`; returns the name the replaced schema is kept under. */
export async function restorePostgres(t: PostgresTarget, file: string, now: number, binDir?: string | null): Promise<{ kept: string | undefined }> {
  const problem = await checkPostgresDump(file, binDir);
  if (problem) throw new Error(`${file} is not a usable backup: ${problem}`);
  const schema = await schemaOf(t);
  const workers = await liveWorkers(t, schema);
  if (workers.length) throw new Error(`${workers.length} centre worker(s) are running on schema ${schema} (${workers.join(', ')}): stop them first`);
  const connected = await centreConnections(t);
  if (connected.length) throw new Error(`centre processes are connected to the database (${connected.join(', ')}): stop them first`);
  const kept = `${schema}_before_restore_${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}`.slice(0, 63);
  const existed = await withClient(t.url, async (c) => {
    const has = (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rows.length > 0;
    if (has) await c.query(`ALTER SCHEMA ${quote(schema)} RENAME TO ${quote(kept)}`);
    return has;
  });
  const { url, env } = credentials(t.url);
  try {
    await run(pgTool('pg_restore', binDir), ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${url}`, file], env);
  } catch (e) {
    if (existed) await withClient(t.url, (c) => c.query(`ALTER SCHEMA ${quote(kept)} RENAME TO ${quote(schema)}`));
    throw e;
  }
  return { kept: existed ? kept : undefined };
}
