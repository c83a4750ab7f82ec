/**
 * The store's one migration history, run by Kysely's Migrator (kysely-store.ts), for both engines.
 * A migration is SQL both engines accept; where they cannot share a statement, the migration says
 * which engine runs what (as the baseline does for triggers and types).
 *
 * Adding a column: a new entry at the end (`0002-…`), e.g. `ALTER TABLE alarms ADD COLUMN x TEXT`,
 * the field in schema.ts and the record type, a codec entry if it holds JSON or a flag; the
 * repositories see it by its camelCase name.
 *
 * Databases created before this history (by the hand-written engines, which kept a `schema_version`
 * table) are adopted by the baseline: at the last version those engines had — SQLite 5, PostgreSQL
 * 3, the schema the baseline creates — their tables are kept as they are and `schema_version` is
 * dropped (an older Vigil then refuses to start on it rather than run on a schema it does not know);
 * at an earlier version the migration fails and says so.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../engine';
import { baseline } from './baseline';
import { opsMigration } from './ops';
import { organisationsMigration } from './organisations';

/**
 * The last `schema_version` of the hand-written engines (sqlite-migrations.ts 5 steps, postgres-migrations.ts 3),
 * and the one after it that the languages work added for a while (workers.language, sites.time_zone:
 * migration 0002 then finds its columns there).
 */
export const LEGACY_FINAL_VERSION: Record<Dialect, number> = { sqlite: 5, postgres: 3 };
const LEGACY_WITH_LANGUAGES: Record<Dialect, number> = { sqlite: 6, postgres: 4 };

async function hasColumn(db: Kysely<unknown>, dialect: Dialect, table: string, column: string): Promise<boolean> {
  const rows = dialect === 'postgres'
    ? (await sql<{ c: string }>`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = ${column}`.execute(db)).rows
    : (await sql<{ c: string }>`SELECT name AS c FROM pragma_table_info(${table}) WHERE name = ${column}`.execute(db)).rows;
  return rows.length > 0;
}

async function legacyVersion(db: Kysely<unknown>, dialect: Dialect): Promise<number | undefined> {
  const exists = dialect === 'postgres'
    ? (await sql<{ t: string | null }>`SELECT to_regclass('schema_version')::text AS t`.execute(db)).rows[0]?.t
    : (await sql<{ t: string }>`SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`.execute(db)).rows[0]?.t;
  if (!exists) return undefined;
  const v = (await sql<{ v: number | null }>`SELECT MAX(version) AS v FROM schema_version`.execute(db)).rows[0]?.v;
  return Number(v ?? 0);
}

async function run(db: Kysely<unknown>, statements: string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-baseline': {
      up: async (db) => {
        const legacy = await legacyVersion(db, dialect);
        if (legacy === undefined) return run(db, baseline(dialect));
        if (legacy !== LEGACY_FINAL_VERSION[dialect] && legacy !== LEGACY_WITH_LANGUAGES[dialect]) {
          throw new Error(`this database is at schema version ${legacy} of the store before Vigil's migration history (expected ${LEGACY_FINAL_VERSION[dialect]}): `
            + 'start the Vigil release that created it once more to bring it to that version first');
        }
        await sql`DROP TABLE schema_version`.execute(db);
      },
    },
    // Issue 20: every message in the recipient's language — the worker's language, the site's time zone.
    '0002-languages': {
      up: async (db) => {
        if (!(await hasColumn(db, dialect, 'workers', 'language'))) await sql`ALTER TABLE workers ADD COLUMN language TEXT`.execute(db);
        if (!(await hasColumn(db, dialect, 'sites', 'time_zone'))) await sql`ALTER TABLE sites ADD COLUMN time_zone TEXT`.execute(db);
      },
    },
    // Issue 21: alarms pushed to console users' devices (Web Push) — their browsers' subscriptions.
    '0003-push-subscriptions': {
      up: async (db) => {
        const ms = dialect === 'postgres' ? sql.raw('BIGINT') : sql.raw('INTEGER');
        await sql`CREATE TABLE IF NOT EXISTS push_subscriptions (
          id TEXT PRIMARY KEY, user_id TEXT NOT NULL, endpoint TEXT NOT NULL UNIQUE, p256dh TEXT NOT NULL, auth TEXT NOT NULL,
          language TEXT NOT NULL, label TEXT, created_at ${ms} NOT NULL, last_success_at ${ms}, failures INTEGER NOT NULL DEFAULT 0)`.execute(db);
        await sql`CREATE INDEX IF NOT EXISTS push_subscriptions_user ON push_subscriptions (user_id)`.execute(db);
      },
    },
    // Issue 21: audit entries and attempts redacted by an erasure, the audit's retention horizon, indexes for the audit view and retention.
    '0004-retention-and-erasure': { up: opsMigration(dialect) },
    // Issue 21: remote pendant settings — per device and setting the value the centre wants and the one
    // the pendant acknowledged (wire values, protocol/src/settings.ts), the firmware and settings hash
    // each pendant reported (repositories/settings.ts).
    '0005-pendant-settings': {
      up: async (db) => {
        const ms = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
        await run(db, [
          `CREATE TABLE device_settings (
             device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE, name TEXT NOT NULL,
             desired INTEGER, desired_at ${ms}, desired_by TEXT, sent_from ${ms}, sent_counter ${ms}, sent_at ${ms},
             reported INTEGER, reported_at ${ms}, PRIMARY KEY (device_id, name))`,
          'CREATE INDEX device_settings_pending ON device_settings(device_id) WHERE desired IS NOT NULL AND (reported IS NULL OR reported <> desired)',
          `CREATE TABLE device_firmware (
             device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE, firmware TEXT NOT NULL, settings_hash TEXT NOT NULL,
             at ${ms} NOT NULL, counter ${ms} NOT NULL, ack_hash TEXT, ack_counter ${ms})`,
        ]);
      },
    },
    // Issue 21 part 1: customer organisations — every record belongs to one (migrations/organisations.ts).
    '0006-organisations': { up: organisationsMigration(dialect) },
  };
}
