/**
 * The store on PostgreSQL: the scale-out engine, shared by every centre worker (docs/scale.md). The
 * repositories run on it through Kysely's PostgresDialect; what is PostgreSQL's own is here and in
 * postgres-events.ts (the group commit in one statement) and postgres-pool.ts (connections).
 *
 * Every write is one transaction. Conditional updates (`WHERE state IN …`, `version = …`),
 * `INSERT … ON CONFLICT`, and claims with `FOR UPDATE SKIP LOCKED` make them safe when several
 * workers run them at the same time; PostgreSQL's default READ COMMITTED isolation is enough for each
 * of them, and the contract suites run them concurrently.
 *
 * Fencing (fence.ts): when the caller works on behalf of a bucket, each transaction first checks the
 * bucket's lease and locks its row FOR SHARE until commit: a takeover waits for this transaction, and
 * a writer whose lease was taken over is refused (FencedError) before it writes. Deadlocks between
 * workers are detected by PostgreSQL and the transaction is run again.
 */
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Engine, Q } from './engine';
import { currentFence, FencedError } from './fence';
import { KyselyStore } from './kysely-store';
import { postgresGroupCommit } from './postgres-events';
import { createPool, type Db, kyselyPool, type PostgresStoreOptions, rawTransaction } from './postgres-pool';
import { CAMEL_CASE, type Database } from './schema';

export type { Db, PostgresStoreOptions, Row } from './postgres-pool';

/** `postgres://…?schema=x`: the schema is ours to apply (search_path), not the driver's. */
export function postgresTarget(url: string): { url: string; schema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return { url: u.toString(), ...(schema ? { schema } : {}) };
}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock detected, serialization failure

/** Serialises the migrations of workers starting together (a session advisory lock). */
const MIGRATION_LOCK = 0x5616_0012;

async function fenced<T>(db: Kysely<Database>, fn: (q: Q) => Promise<T>): Promise<T> {
  const fence = currentFence();
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        if (fence) {
          const ok = await sql`SELECT 1 FROM cluster_leases WHERE bucket = ${fence.bucket} AND token = ${fence.token} AND holder = ${fence.holder} AND expires_at > vigil_now_ms() FOR SHARE`.execute(trx);
          if (ok.rows.length === 0) throw new FencedError(fence);
        }
        return fn(trx);
      });
    } catch (e) {
      if (attempt < 4 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
      throw e;
    }
  }
}

export class PostgresStore extends KyselyStore {
  private readonly pool: pg.Pool;
  private closed = false;

  constructor(readonly opts: PostgresStoreOptions) {
    const pool = createPool(opts);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: kyselyPool(pool) }), plugins: [new CamelCasePlugin(CAMEL_CASE)] });
    const tx = <T>(fn: (q: Q) => Promise<T>): Promise<T> => fenced(db, fn);
    const engine: Engine = { dialect: 'postgres', db, tx, write: tx };
    super(engine, postgresGroupCommit(engine));
    this.pool = pool;
  }

  /** For the cluster's own tables (cluster/leases.ts, bench and test probes): the pool this store already has. */
  get db(): Db {
    return this.pool;
  }

  /** A transaction of raw statements (the cluster's), not fenced. */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return rawTransaction(this.pool, fn);
  }

  /**
   * Workers starting together migrate one after the other, the whole of it under one advisory lock
   * (on a connection of its own): Kysely's migrator locks only around the migrations themselves, and
   * the catalogue scan it makes before (to find its tables) fails on a table another worker's
   * baseline drops at that moment.
   */
  override async migrate(): Promise<void> {
    const lock = new pg.Client({ connectionString: this.opts.url, application_name: `${this.opts.name ?? 'vigil-centre'} (migration)` });
    lock.on('error', () => undefined); // a connection lost while waiting fails the query below instead
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await super.migrate();
    } finally {
      await lock.end();
    }
  }

  protected override async migrationTableSchema(): Promise<{ migrationTableSchema?: string }> {
    // Kysely's migrator looks for its table in every schema it can see; tell it which one is ours.
    const r = await sql<{ s: string }>`SELECT current_schema() AS s`.execute(this.engine.db);
    return { migrationTableSchema: this.opts.schema ?? r.rows[0]!.s };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.engine.db.destroy();
    await this.pool.end();
  }
}
