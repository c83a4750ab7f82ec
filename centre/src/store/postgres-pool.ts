/**
 * PostgreSQL connections: one `pg` pool (pure JS) per store, shared by Kysely's PostgresDialect and
 * the cluster's own statements (cluster/leases.ts), with what a worker that must outlive database
 * restarts needs:
 * - BIGINT (epoch milliseconds, counters, counts) read as JavaScript numbers, not strings;
 * - an idle client losing its connection (PostgreSQL restarted) does not end the process: the pool
 *   drops it and the next query opens a new one;
 * - a connection lost while checked out (between two statements of a transaction) is an 'error' event
 *   on the client, which the pool does not listen to: heard here, the statement fails and the client
 *   is discarded instead of returned to the pool.
 */
import pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

export type Row = Record<string, unknown>;

/** Anything that runs a query: the pool, or the client of a transaction (the cluster's raw statements). */
export interface Db {
  query<R extends pg.QueryResultRow = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
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

/** Epoch milliseconds fit a JavaScript number exactly; BIGINT would otherwise come back as a string. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

export function createPool(opts: PostgresStoreOptions): pg.Pool {
  if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`Invalid schema name '${opts.schema}'`);
  const pool = new pg.Pool({
    connectionString: opts.url, max: opts.maxConnections ?? 10, types, application_name: opts.name ?? 'vigil-centre',
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined);
  return pool;
}

/** A client checked out of the pool that is discarded, not returned, if its connection broke. */
export async function checkout(pool: pg.Pool): Promise<pg.PoolClient & { done(destroy?: boolean): void }> {
  const client = await pool.connect();
  let broken = false;
  const lost = (): void => {
    broken = true;
  };
  client.on('error', lost);
  return Object.assign(client, {
    done(destroy = false): void {
      client.off('error', lost);
      client.release(broken || destroy);
    },
  });
}

/** The pool as Kysely's PostgresDialect takes it; ending it is the store's (close), not the dialect's. */
export function kyselyPool(pool: pg.Pool): PostgresPool {
  return {
    connect: async (): Promise<PostgresPoolClient> => {
      const client = await checkout(pool);
      return {
        query: ((text: string, values: readonly unknown[]) => client.query(text, [...values])) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.done(destroy),
      };
    },
    end: async () => undefined,
  };
}

/** A transaction of raw statements on one client (the cluster's lease rounds), committed unless `fn` throws. */
export async function rawTransaction<T>(pool: pg.Pool, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = await checkout(pool);
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw e;
  } finally {
    client.done(broken);
  }
}
