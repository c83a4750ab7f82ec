/**
 * Loads the legacy-store dumps (seed.ts) into a new database: an SQLite file, or a PostgreSQL schema
 * of the caller's name (the dump's schema `legacy` renamed). `schemaOnly` keeps the tables, triggers
 * and the bookkeeping rows (`schema_version`, `meta`) but none of the seeded rows, so a contract suite
 * can run on a database the old engines created.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const KEEP = /^INSERT INTO (?:"?legacy"?\.)?"?(schema_version|meta)"?[ (]/;

function dump(name: string, schemaOnly: boolean): string {
  const text = readFileSync(join(__dirname, name), 'utf8');
  if (!schemaOnly) return text;
  // rows and sequence positions are data; tables, triggers, functions and the bookkeeping rows stay
  return text.split('\n').filter((l) => !(l.startsWith('INSERT INTO') && !KEEP.test(l)) && !l.startsWith('SELECT pg_catalog.setval')).join('\n');
}

type Reads = Record<string, unknown>;

/**
 * What the old code read back, plus the columns later migrations add: 0002 a worker's language and a
 * site's time zone, null; 0006 the organisation — every record of an existing install is the default
 * organisation's, its users stay the centre's own staff (null), its statistics are that organisation's.
 */
function withLaterColumns(r: Reads): Reads {
  const add = (rows: unknown, field: string, value: unknown = null): unknown => (Array.isArray(rows) ? rows.map((x: Record<string, unknown>) => ({ ...x, [field]: value })) : rows);
  const owned = (rows: unknown): unknown => add(rows, 'organisationId', 'default');
  const entities = Object.fromEntries(Object.entries(r['entities'] as Reads).map(([k, rows]) => [k, owned(rows)]));
  const alarms = r['alarms'] as Reads;
  const whole = Object.fromEntries(Object.entries(r['stats'] as Reads).filter(([k]) => !['from', 'to', 'byType', 'bySite'].includes(k)));
  return {
    ...r, sites: owned(add(r['sites'], 'timeZone')), workers: owned(add(r['workers'], 'language')), devices: owned(r['devices']), entities,
    alarms: { ...alarms, alarms: owned(alarms['alarms']) }, workSessions: owned(r['workSessions']), users: add(r['users'], 'organisationId'),
    stats: { ...(r['stats'] as Reads), byOrganisation: [{ organisationId: 'default', ...whole }] },
  };
}

const RECORDED = JSON.parse(readFileSync(join(__dirname, 'legacy-reads.json'), 'utf8')) as { sqlite: Reads; postgres: Reads };
export const LEGACY_READS = { sqlite: withLaterColumns(RECORDED.sqlite), postgres: withLaterColumns(RECORDED.postgres) };

export function loadLegacySqlite(file: string, opts: { schemaOnly?: boolean; edit?: (sql: string) => string } = {}): void {
  const db = new Database(file);
  db.exec((opts.edit ?? ((s) => s))(dump('legacy-sqlite.sql', opts.schemaOnly ?? false)));
  db.close();
}

/** Creates `schema` from the PostgreSQL dump, on a connection of its own (the dump clears its search path). */
export async function loadLegacyPostgres(url: string, schema: string, opts: { schemaOnly?: boolean } = {}): Promise<void> {
  // pg_dump ≥ 15.14 brackets its output with psql's \restrict / \unrestrict, which are not SQL.
  const text = dump('legacy-postgres.sql', opts.schemaOnly ?? false).replace(/^\\(un)?restrict .*$/gm, '').replace(/\blegacy\./g, `${schema}.`).replace(/SCHEMA legacy\b/g, `SCHEMA ${schema}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
