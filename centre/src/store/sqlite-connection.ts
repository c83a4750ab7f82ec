/**
 * The one SQLite connection (better-sqlite3, WAL) as Kysely's SqliteDialect sees it, with what the
 * dialect leaves out:
 * - prepared statements are kept by SQL text — preparing costs more than running the small statements
 *   of ingest, and Kysely's driver prepares every statement it runs;
 * - booleans are bound as 0/1 (better-sqlite3 binds numbers, strings, bigints, buffers and null only);
 * - the migrator runs in a transaction: SQLite's DDL is transactional, which Kysely's SqliteAdapter
 *   does not assume, so a migration that fails leaves nothing half done;
 * - the WAL is checkpointed by a thread of its own (common/sqlite-checkpointer.ts), not by a commit.
 */
import Database from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { Checkpointer } from '../../../common/sqlite-checkpointer';

type Params = ReadonlyArray<unknown>;

const bindable = (p: Params): Params => (p.some((v) => typeof v === 'boolean') ? p.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)) : p);

/** Statement texts kept at most (dynamic IN lists make a few hundred; a runaway is dropped, not leaked). */
const MAX_STATEMENTS = 2000;

export class SqliteConnection implements SqliteDatabase {
  readonly raw: Database.Database;
  private readonly cache = new Map<string, SqliteStatement & { stmt: Database.Statement }>();
  private readonly checkpointer: Checkpointer | undefined;
  private closed = false;

  /** `path` is a file, or `:memory:` for tests; `backgroundCheckpoints: false` keeps SQLite's own (CLI tools). */
  constructor(path: string, opts: { backgroundCheckpoints?: boolean } = {}) {
    this.raw = new Database(path);
    this.raw.pragma('journal_mode = WAL');
    this.raw.pragma('synchronous = NORMAL');
    this.raw.pragma('foreign_keys = ON');
    this.raw.pragma('busy_timeout = 5000');
    if (path !== ':memory:' && opts.backgroundCheckpoints !== false) {
      this.raw.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(path);
    }
  }

  /** A prepared statement, once per SQL text. */
  statement(sql: string): Database.Statement {
    return this.prepare(sql).stmt;
  }

  prepare(sql: string): SqliteStatement & { stmt: Database.Statement } {
    let s = this.cache.get(sql);
    if (!s) {
      if (this.cache.size >= MAX_STATEMENTS) this.cache.clear();
      const stmt = this.raw.prepare(sql);
      s = {
        stmt,
        reader: stmt.reader,
        all: (p: Params) => stmt.all(bindable(p)),
        run: (p: Params) => stmt.run(bindable(p)),
        iterate: (p: Params) => stmt.iterate(bindable(p)),
      };
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Stops the checkpoint thread, checkpoints what is left, closes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.checkpointer?.stop();
    if (this.checkpointer) this.raw.pragma('wal_checkpoint(TRUNCATE)');
    this.raw.close();
  }
}

class TransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class VigilSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlAdapter();
  }
}
