/**
 * Migration 0006 (issue 21 part 1): customer organisations. One monitoring company runs one centre
 * for many customers; every record belongs to one organisation. The registry's root records (sites,
 * workers, devices, the other registry records) carry it, and so do the records made from them that
 * lists filter in SQL (alarms, sessions). Users carry it too, or null: the monitoring company's own
 * staff, who see every organisation.
 *
 * An existing database moves whole into the organisation `default` (created here), and its users
 * stay centre-wide, so a single-customer install works as before.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../engine';
import { DEFAULT_ORGANISATION } from '../records';

const OWNED = ['sites', 'workers', 'devices', 'registry', 'alarms', 'work_sessions'] as const;

export function organisationsMigration(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const ms = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
    const statements = [
      `CREATE TABLE organisations (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at ${ms} NOT NULL)`,
      `INSERT INTO organisations (id, name, created_at) VALUES ('${DEFAULT_ORGANISATION}', 'Default organisation', 0)`,
      ...OWNED.flatMap((t) => [
        `ALTER TABLE ${t} ADD COLUMN organisation_id TEXT NOT NULL DEFAULT '${DEFAULT_ORGANISATION}'`,
        `CREATE INDEX ${t}_organisation ON ${t} (organisation_id)`,
      ]),
      'ALTER TABLE users ADD COLUMN organisation_id TEXT',
    ];
    for (const s of statements) await sql.raw(s).execute(db);
  };
}
