/**
 * The SQLite store's foundation: the connection (WAL), a prepared-statement cache, and records mapped
 * to rows by column tables (field → column, with JSON and boolean columns converted), so each record
 * type is a table row here rather than hand-written SQL for every field.
 */
import Database from 'better-sqlite3';
import { Checkpointer } from '../../../common/sqlite-checkpointer';
import type { AuditEntry } from './types';

export type Row = Record<string, unknown>;

/** How a record maps to a table: field name → column, and which columns need converting. */
export interface TableMap<T> {
  table: string;
  columns: Record<keyof T & string, string>;
  json?: readonly (keyof T & string)[];
  bool?: readonly (keyof T & string)[];
}

/** A copy of `o` without `keys` (fields a conditional update must never change). */
export function omit<T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

export function defineTable<T>(m: TableMap<T>): TableMap<T> {
  return m;
}

export class SqliteBase {
  protected readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly checkpointer: Checkpointer | undefined;

  /** `path` is a file, or `:memory:` for tests; `backgroundCheckpoints: false` keeps SQLite's own (CLI tools). */
  constructor(path: string, opts: { backgroundCheckpoints?: boolean } = {}) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    if (path !== ':memory:' && opts.backgroundCheckpoints !== false) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(path);
    }
  }

  /** Stops the checkpoint thread, checkpoints what is left, closes. */
  protected closeDb(): Promise<void> {
    this.checkpointer?.stop();
    if (this.checkpointer) this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
    return Promise.resolve();
  }

  /** Prepared once per SQL text: preparing costs more than running for the small statements of ingest. */
  protected stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private depth = 0;

  /**
   * One transaction around `fn` (nested calls join the outer one). BEGIN/COMMIT are cached statements:
   * better-sqlite3's `db.transaction(fn)` builds a wrapper per call, which costs more than our statements.
   */
  protected tx<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.stmt('BEGIN').run();
    this.depth++;
    try {
      const out = fn();
      this.depth--;
      this.stmt('COMMIT').run();
      return out;
    } catch (e) {
      this.depth--;
      if (this.db.inTransaction) this.stmt('ROLLBACK').run();
      throw e;
    }
  }

  protected fromRow<T>(m: TableMap<T>, r: Row): T {
    const out: Record<string, unknown> = {};
    for (const [field, col] of Object.entries(m.columns) as [keyof T & string, string][]) {
      const v = r[col];
      if (m.json?.includes(field)) out[field] = v === null || v === undefined ? null : JSON.parse(v as string);
      else if (m.bool?.includes(field)) out[field] = v === null || v === undefined ? null : v === 1;
      else out[field] = v ?? null;
    }
    return out as T;
  }

  protected toValue<T>(m: TableMap<T>, field: keyof T & string, v: unknown): unknown {
    if (v === undefined) return null;
    if (m.json?.includes(field)) return v === null ? null : JSON.stringify(v);
    if (m.bool?.includes(field)) return v === null ? null : v ? 1 : 0;
    return v;
  }

  protected insertRow<T>(m: TableMap<T>, rec: T, conflict = ''): Database.RunResult {
    const fields = Object.keys(m.columns) as (keyof T & string)[];
    const cols = fields.map((f) => m.columns[f]);
    const sql = `INSERT INTO ${m.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ${conflict}`;
    return this.stmt(sql).run(...fields.map((f) => this.toValue(m, f, rec[f])));
  }

  /** UPDATE … SET <patch> WHERE <where>; returns the number of rows changed. */
  protected updateRow<T>(m: TableMap<T>, patch: Partial<T>, where: string, args: unknown[], extraSet = ''): number {
    const fields = (Object.keys(patch) as (keyof T & string)[]).filter((f) => f in m.columns && patch[f] !== undefined);
    const sets = fields.map((f) => `${m.columns[f]} = ?`);
    if (extraSet) sets.push(extraSet);
    if (sets.length === 0) sets.push(`${Object.values<string>(m.columns)[0]} = ${Object.values<string>(m.columns)[0]}`);
    const sql = `UPDATE ${m.table} SET ${sets.join(', ')} WHERE ${where}`;
    return this.stmt(sql).run(...fields.map((f) => this.toValue(m, f, patch[f])), ...args).changes;
  }

  protected insertAudit(e: AuditEntry): void {
    this.stmt('INSERT INTO audit (at, actor, action, entity, entity_id, data) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.at, e.actor, e.action, e.entity, e.entityId, e.data === undefined ? null : JSON.stringify(e.data));
  }

  /** `IN (?, ?, …)` for a list. */
  protected static placeholders(n: number): string {
    return Array.from({ length: n }, () => '?').join(', ');
  }
}
