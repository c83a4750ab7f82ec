/**
 * Writes the legacy-store fixtures (see seed.ts): a database of each engine created and filled by the
 * store of the checked-out code, dumped as SQL, and what the store read back from it.
 *
 *   npx tsx test/centre/store-legacy/make-fixtures.ts
 *
 * The committed fixtures were made by running this at commit a0ba47b (the last commit with the
 * hand-written SQLite and PostgreSQL engines and their `schema_version` migrations: SQLite at
 * version 5, PostgreSQL at 3), with better-sqlite3 12 (SQLite 3.53) and PostgreSQL 15.18 (Debian).
 * Running it on later code makes fixtures of that code's schema instead — only useful to test the
 * upgrade from a later release.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../centre/src/store/sqlite';
import { PostgresStore } from '../../../centre/src/store/postgres';
import { Postgres, postgresBinDir } from '../../../rig/postgres';
import { readBack, seedLegacy } from './seed';

async function main(): Promise<void> {
  const out = __dirname;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-legacy-'));
  const reads: Record<string, unknown> = {};
  try {
    const file = join(dir, 'centre.db');
    const lite = new SqliteStore(file, { backgroundCheckpoints: false });
    await lite.migrate();
    await seedLegacy(lite);
    reads['sqlite'] = await readBack(lite);
    await lite.close();
    writeFileSync(join(out, 'legacy-sqlite.sql'), execFileSync('sqlite3', [file, '.dump'], { encoding: 'utf8' }));

    const pg = await Postgres.start();
    try {
      const admin = new PostgresStore({ url: pg.url() });
      await admin.db.query('CREATE SCHEMA legacy');
      await admin.close();
      const store = new PostgresStore({ url: pg.url(), schema: 'legacy' });
      await store.migrate();
      await seedLegacy(store);
      reads['postgres'] = await readBack(store);
      await store.close();
      const dump = execFileSync(join(postgresBinDir(), 'pg_dump'), ['--schema=legacy', '--inserts', '--no-owner', '--no-privileges', '--no-comments', pg.url()], { encoding: 'utf8' });
      writeFileSync(join(out, 'legacy-postgres.sql'), dump);
    } finally {
      await pg.destroy();
    }
    writeFileSync(join(out, 'legacy-reads.json'), JSON.stringify(reads, null, 1) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
