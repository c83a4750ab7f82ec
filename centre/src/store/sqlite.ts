/**
 * The store on SQLite: the embedded default, one file in the data directory. The repositories run on
 * it through Kysely's SqliteDialect (sqlite-connection.ts); the group commit of status frames runs on
 * the raw connection (sqlite-events.ts). One connection: Kysely serialises statements and
 * transactions on it, so a transaction never sees another's writes half done.
 */
import { CamelCasePlugin, Kysely } from 'kysely';
import type { Engine } from './engine';
import { KyselyStore } from './kysely-store';
import { CAMEL_CASE, type Database } from './schema';
import { SqliteConnection, VigilSqliteDialect } from './sqlite-connection';
import { sqliteGroupCommit } from './sqlite-events';

export class SqliteStore extends KyselyStore {
  private readonly conn: SqliteConnection;

  /** `path` is a file, or `:memory:` for tests; `backgroundCheckpoints: false` keeps SQLite's own (CLI tools). */
  constructor(readonly path: string, opts: { backgroundCheckpoints?: boolean } = {}) {
    const conn = new SqliteConnection(path, opts);
    const db = new Kysely<Database>({ dialect: new VigilSqliteDialect({ database: conn }), plugins: [new CamelCasePlugin(CAMEL_CASE)] });
    const engine: Engine = {
      dialect: 'sqlite',
      db,
      tx: (fn) => db.transaction().execute(fn),
      write: (fn) => fn(db),
    };
    super(engine, sqliteGroupCommit(db, conn));
    this.conn = conn;
  }

  /** Checkpoints what is left of the WAL and closes the file. */
  async close(): Promise<void> {
    await this.engine.db.destroy();
    this.conn.close(); // Kysely opens its driver on the first statement: a store closed unused still has the file open
  }
}
