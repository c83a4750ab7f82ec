/**
 * The PostgreSQL store's foundation: a connection pool (`pg`, pure JS), transactions with the fence
 * check of the cluster (cluster/fence.ts) and retries of deadlocks, and records mapped to rows by
 * column tables, as in sqlite-base.ts (field → column; JSONB and booleans come back typed).
 *
 * Every write method is one transaction. Conditional updates (`WHERE state IN …`, `version = …`),
 * `INSERT … ON CONFLICT`, and claims with `FOR UPDATE SKIP LOCKED` make them safe when several
 * workers run them at the same time; PostgreSQL's default READ COMMITTED isolation is enough for
 * each of them, and the contract suite runs them concurrently.
 */
import pg from 'pg';
import { currentFence, FencedError } from '../cluster/fence';
import type { AuditEntry } from './types';

export type Row = Record<string, unknown>;

/** Anything that runs a query: the pool, or the client of a transaction. */
export interface Db {
  query<R extends pg.QueryResultRow = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface PgTableMap<T> {
  table: string;
  columns: Record<keyof T & string, string>;
  /** JSONB columns: written as JSON text, read back parsed by the driver. */
  json?: readonly (keyof T & string)[];
}

export function pgTable<T>(m: PgTableMap<T>): PgTableMap<T> {
  return m;
}

/** A copy of `o` without `keys` (fields a conditional update must never change). */
export function without<T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** A schema of its own (tests give each store a fresh one); default the user's search path. */
  schema?: string;
  /** Pool size: concurrent transactions of this process. */
  maxConnections?: number;
  /** Application name shown in pg_stat_activity. */
  name?: string;
}

const INT8 = 20;
const RETRYABLE = new Set(['40P01', '40001']); // deadlock detected, serialization failure

/** Epoch milliseconds fit a JavaScript number exactly; BIGINT would otherwise come back as a string. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

export class PgBase {
  protected readonly pool: pg.Pool;
  private closed = false;

  constructor(readonly opts: PostgresStoreOptions) {
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`Invalid schema name '${opts.schema}'`);
    this.pool = new pg.Pool({
      connectionString: opts.url, max: opts.maxConnections ?? 10, types, application_name: opts.name ?? 'vigil-centre',
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
      idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000,
    });
    // An idle client losing its connection (database restarted) must not end the process: the pool
    // drops it and the next query opens a new one.
    this.pool.on('error', () => undefined);
  }

  protected async closePool(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** A query outside any transaction (reads, and single statements that need no fence). */
  protected async rows<R extends Row = Row>(sql: string, values: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, values)).rows;
  }

  protected async row<R extends Row = Row>(sql: string, values: unknown[] = []): Promise<R | undefined> {
    return (await this.pool.query<R>(sql, values)).rows[0];
  }

  /**
   * One transaction around `fn`. When the work runs on behalf of a bucket (a fence is in scope), the
   * lease is checked first and its row locked FOR SHARE until commit: a takeover waits for this
   * transaction, and a writer whose lease was taken over is refused (FencedError) before writing.
   * Deadlocks between workers are detected by PostgreSQL and retried.
   */
  protected async tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const fence = currentFence();
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      // A connection lost between two statements (PostgreSQL restarted) is an 'error' event on the
      // checked-out client, which the pool does not listen to: unheard, it would end the process. The
      // next statement fails with it and the client is discarded.
      const lost = (): void => {
        broken = true;
      };
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        if (fence) {
          const ok = await client.query('SELECT 1 FROM cluster_leases WHERE bucket = $1 AND token = $2 AND holder = $3 AND expires_at > vigil_now_ms() FOR SHARE', [fence.bucket, fence.token, fence.holder]);
          if (ok.rowCount === 0) throw new FencedError(fence);
        }
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        if (attempt < 4 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    }
  }

  protected fromRow<T>(m: PgTableMap<T>, r: Row): T {
    const out: Record<string, unknown> = {};
    for (const [field, col] of Object.entries(m.columns) as [keyof T & string, string][]) out[field] = r[col] ?? null;
    return out as T;
  }

  protected toValue<T>(m: PgTableMap<T>, field: keyof T & string, v: unknown): unknown {
    if (v === undefined || v === null) return null;
    if (m.json?.includes(field)) return JSON.stringify(v);
    return v;
  }

  protected async insertRow<T>(db: Db, m: PgTableMap<T>, rec: T, conflict = '', returning = ''): Promise<pg.QueryResult> {
    const fields = Object.keys(m.columns) as (keyof T & string)[];
    const cols = fields.map((f) => m.columns[f]);
    const sql = `INSERT INTO ${m.table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) ${conflict} ${returning}`;
    return db.query(sql, fields.map((f) => this.toValue(m, f, rec[f])));
  }

  /** UPDATE … SET <patch> WHERE <where> RETURNING *; `where` numbers its parameters from `$1` (shifted here). */
  protected async updateRow<T>(db: Db, m: PgTableMap<T>, patch: Partial<T>, where: string, args: unknown[], extraSet = ''): Promise<Row[]> {
    const fields = (Object.keys(patch) as (keyof T & string)[]).filter((f) => f in m.columns && patch[f] !== undefined);
    const sets = fields.map((f, i) => `${m.columns[f]} = $${i + 1}`);
    if (extraSet) sets.push(extraSet);
    if (sets.length === 0) sets.push(`${Object.values<string>(m.columns)[0]} = ${Object.values<string>(m.columns)[0]}`);
    const shifted = where.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + fields.length}`);
    const sql = `UPDATE ${m.table} SET ${sets.join(', ')} WHERE ${shifted} RETURNING *`;
    return (await db.query(sql, [...fields.map((f) => this.toValue(m, f, patch[f])), ...args])).rows;
  }

  protected async insertAudit(db: Db, e: AuditEntry): Promise<void> {
    await db.query('INSERT INTO audit (at, actor, action, entity, entity_id, data) VALUES ($1, $2, $3, $4, $5, $6)', [e.at, e.actor, e.action, e.entity, e.entityId, e.data === undefined ? null : JSON.stringify(e.data)]);
  }
}
