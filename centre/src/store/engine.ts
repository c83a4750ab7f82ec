/**
 * What the repositories (repositories/*.ts) are given: one Kysely database, typed by schema.ts, and
 * the few things the two engines do differently. Everything engine-specific is named here or in the
 * engine's own file (sqlite.ts, postgres*.ts), nowhere else:
 * - transactions: PostgreSQL checks the caller's fencing token in each write's own transaction and
 *   retries deadlocks (postgres.ts); SQLite serialises on its one connection;
 * - the group commit of status frames (`recordEvents`): prepared statements in one synchronous
 *   transaction on SQLite (sqlite-events.ts), one statement over arrays on PostgreSQL
 *   (postgres-events.ts);
 * - outbox claims: `FOR UPDATE SKIP LOCKED` on PostgreSQL, where workers claim at the same time;
 * - alarm numbers: a sequence on PostgreSQL (workers race), max + 1 on SQLite (one writer);
 * - the outbox's insertion order (a `seq` column on PostgreSQL, the rowid on SQLite), GREATEST, and
 *   searching the text of a JSON column (an erasure's search for a person's traces).
 */
import { type CompiledQuery, type Expression, type Kysely, type QueryResult, type RawBuilder, sql } from 'kysely';
import type { AuditEntry } from './types';
import type { Database } from './schema';

export type Dialect = 'sqlite' | 'postgres';

/** The database or a transaction: repositories run the same statements on either. */
export type Q = Kysely<Database>;

export interface Engine {
  readonly dialect: Dialect;
  readonly db: Q;
  /** `fn` in one transaction. */
  tx<T>(fn: (q: Q) => Promise<T>): Promise<T>;
  /** A write of one statement: fenced in its own transaction on PostgreSQL, autocommitted on SQLite. */
  write<T>(fn: (q: Q) => Promise<T>): Promise<T>;
}

/** The next alarm number, in the statement that inserts the alarm. */
export function nextAlarmNumber(dialect: Dialect): RawBuilder<number> {
  return dialect === 'postgres' ? sql<number>`nextval('alarm_numbers')` : sql<number>`(SELECT COALESCE(MAX(number), 1000) + 1 FROM alarms)`;
}

/** Order of insertion of outbox rows (ties of created_at). */
export function outboxInsertionOrder(dialect: Dialect): RawBuilder<number> {
  return dialect === 'postgres' ? sql<number>`seq` : sql<number>`rowid`;
}

/** The larger of two values (SQLite's two-argument MAX, PostgreSQL's GREATEST). */
export function greatest(dialect: Dialect, a: Expression<number>, b: Expression<number>): RawBuilder<number> {
  return dialect === 'postgres' ? sql<number>`GREATEST(${a}, ${b})` : sql<number>`MAX(${a}, ${b})`;
}

/** Whether a JSON column's text holds `needle` exactly (case-sensitive on both engines, unlike LIKE on SQLite). */
export function jsonContains(dialect: Dialect, column: string, needle: string): RawBuilder<boolean> {
  return dialect === 'postgres' ? sql<boolean>`strpos(${sql.ref(column)}::text, ${needle}) > 0` : sql<boolean>`instr(${sql.ref(column)}, ${needle}) > 0`;
}

const auditInsert = prepared((q: Q, at: number, actor: string, action: string, entity: string, entityId: string, data: string | null) =>
  q.insertInto('audit').values({ at, actor, action, entity, entityId, data }), 6);

export async function insertAudit(q: Q, e: AuditEntry): Promise<void> {
  await auditInsert(q, e.at, e.actor, e.action, e.entity, e.entityId, e.data === undefined ? null : JSON.stringify(e.data));
}

/** Rows a write changed (Kysely gives bigints). */
export function changed(r: { numAffectedRows?: bigint; numUpdatedRows?: bigint; numDeletedRows?: bigint; numInsertedOrUpdatedRows?: bigint } | undefined): number {
  return Number(r?.numAffectedRows ?? r?.numUpdatedRows ?? r?.numDeletedRows ?? r?.numInsertedOrUpdatedRows ?? 0);
}

/**
 * Constant state sets as literals, not bound parameters: an ON CONFLICT target names its partial index
 * by repeating the index's WHERE, which neither engine matches against parameters, and SQLite plans a
 * statement once, before binding (a literal IN list also runs several times faster there).
 */
export const OPEN_ALARM = sql<boolean>`state IN ('pending', 'raised', 'acknowledged')`;
export const ACTIVE_SESSION = sql<boolean>`state = 'active'`;

/** A parameter's place in a prepared statement (prepared below). */
class Slot {
  constructor(readonly index: number) {}
}

type Compilable<O> = { compile(): CompiledQuery<O> };

/**
 * A statement of the hot paths (a session's check-in, a device lookup) built and compiled once, then
 * run with new parameters: Kysely otherwise builds, transforms (camelCase) and compiles every
 * statement anew, which costs more than SQLite takes to run it. `build` gets stand-ins for its
 * arguments and must pass them to Kysely as plain values (no JSON to encode, no list to expand).
 */
export function prepared<A extends unknown[], O>(build: (q: Q, ...args: A) => Compilable<O>, arity: number): (q: Q, ...args: A) => Promise<QueryResult<O>> {
  // once per database (its adapter): SQLite and PostgreSQL compile the same statement differently
  const byDatabase = new WeakMap<object, CompiledQuery<O>>();
  return (q, ...args) => {
    const adapter = q.getExecutor().adapter;
    let compiled = byDatabase.get(adapter);
    if (!compiled) byDatabase.set(adapter, (compiled = build(q, ...(Array.from({ length: arity }, (_, i) => new Slot(i)) as unknown as A)).compile()));
    const parameters = compiled.parameters.map((p) => (p instanceof Slot ? args[p.index] : p));
    return q.executeQuery<O>({ ...compiled, parameters });
  };
}
