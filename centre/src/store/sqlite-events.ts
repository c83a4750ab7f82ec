/**
 * SQLite-specific: the group commit of status frames (domain/event-writer.ts) — every event of a batch in one
 * synchronous transaction of prepared statements on the raw connection. Through Kysely each statement
 * would cost an await and a compilation; here a batch of 500 heartbeats is one BEGIN … COMMIT of
 * ~1,500 statements that run in a few milliseconds. The connection is held through Kysely while it
 * runs, so no Kysely transaction is open on it (they hold it too) and none starts in between.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema';
import type { SqliteConnection } from './sqlite-connection';
import type { EventRecord } from './types';

type Verdict = 'new' | 'duplicate' | 'retry' | 'stale';

export function sqliteGroupCommit(db: Kysely<Database>, conn: SqliteConnection): (events: EventRecord[]) => Promise<Verdict[]> {
  const s = (sql: string) => conn.statement(sql);
  const recordOne = (e: EventRecord): Verdict => {
    const purged = s('SELECT purged_counter AS p FROM devices WHERE id = ?').get(e.deviceId) as { p: number } | undefined;
    if (purged && e.counter <= purged.p) return 'stale';
    const res = s('INSERT INTO events (device_id, counter, type, received_at, gateway_id, site_id, rssi_dbm, battery_pct, position, detail, ref, handled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(e.deviceId, e.counter, e.type, e.receivedAt, e.gatewayId, e.siteId, e.rssiDbm, e.batteryPct, e.position ? JSON.stringify(e.position) : null, e.detail, e.ref, e.mustHandle ? 0 : 1);
    if (res.changes === 0) {
      const prev = s('SELECT handled FROM events WHERE device_id = ? AND counter = ?').get(e.deviceId, e.counter) as { handled: number } | undefined;
      return prev?.handled === 0 ? 'retry' : 'duplicate';
    }
    s('UPDATE devices SET last_counter = MAX(last_counter, ?), last_seen_at = MAX(COALESCE(last_seen_at, 0), ?), battery_pct = COALESCE(?, battery_pct) WHERE id = ?')
      .run(e.counter, e.receivedAt, e.batteryPct, e.deviceId);
    return 'new';
  };
  return (events) =>
    db.connection().execute(async () => {
      s('BEGIN').run();
      try {
        const verdicts = events.map(recordOne);
        s('COMMIT').run();
        return verdicts;
      } catch (e) {
        if (conn.raw.inTransaction) s('ROLLBACK').run();
        throw e;
      }
    });
}
