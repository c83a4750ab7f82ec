/**
 * PostgreSQL-specific: the group commit of status frames (domain/event-writer.ts) in one statement. The batch
 * goes as arrays (unnest); the insert does ON CONFLICT DO NOTHING on (device, counter) — the
 * idempotency key — in key order (two workers' batches never deadlock on it); the devices' last
 * counter, last seen and battery advance from what was new; and each input row gets a verdict. The
 * outer SELECT sees the table as it was before the statement, so `events.handled = false` there means
 * stored earlier by someone whose rules never completed: `retry`.
 */
import { CompiledQuery } from 'kysely';
import type { Engine } from './engine';
import type { EventRecord } from './types';

type Verdict = 'new' | 'duplicate' | 'retry' | 'stale';

const RECORD_EVENTS = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::int[], $8::int[], $9::jsonb[], $10::int[], $11::bigint[], $12::boolean[])
    WITH ORDINALITY AS t(device_id, counter, type, received_at, gateway_id, site_id, rssi_dbm, battery_pct, position, detail, ref, handled, ord)
), firsts AS (
  SELECT i.*, min(i.ord) OVER (PARTITION BY i.device_id, i.counter) AS first_ord FROM input i
), ok AS (
  SELECT f.* FROM firsts f LEFT JOIN devices d ON d.id = f.device_id WHERE f.ord = f.first_ord AND (d.id IS NULL OR f.counter > d.purged_counter)
), ins AS (
  INSERT INTO events (device_id, counter, type, received_at, gateway_id, site_id, rssi_dbm, battery_pct, position, detail, ref, handled)
  SELECT device_id, counter, type, received_at, gateway_id, site_id, rssi_dbm, battery_pct, position, detail, ref, handled FROM ok ORDER BY device_id, counter
  ON CONFLICT DO NOTHING
  RETURNING device_id, counter
), agg AS (
  SELECT i.device_id, max(i.counter) AS mc, max(i.received_at) AS mr,
    (array_agg(i.battery_pct ORDER BY i.ord DESC) FILTER (WHERE i.battery_pct IS NOT NULL))[1] AS bp
  FROM ins JOIN ok i ON i.device_id = ins.device_id AND i.counter = ins.counter GROUP BY i.device_id
), upd AS (
  UPDATE devices d SET last_counter = GREATEST(d.last_counter, agg.mc), last_seen_at = GREATEST(COALESCE(d.last_seen_at, 0), agg.mr), battery_pct = COALESCE(agg.bp, d.battery_pct)
  FROM agg WHERE d.id = agg.device_id
)
SELECT f.ord, (f.ord = f.first_ord AND ins.device_id IS NOT NULL) AS inserted, (d.id IS NOT NULL AND f.counter <= d.purged_counter) AS stale, e.handled AS prev_handled
FROM firsts f
LEFT JOIN devices d ON d.id = f.device_id
LEFT JOIN ins ON ins.device_id = f.device_id AND ins.counter = f.counter
LEFT JOIN events e ON e.device_id = f.device_id AND e.counter = f.counter
ORDER BY f.ord`;

const HANDLED_NOW = 'SELECT e.device_id, e.counter, e.handled FROM events e JOIN unnest($1::text[], $2::bigint[]) AS k(device_id, counter) ON e.device_id = k.device_id AND e.counter = k.counter';

export function postgresGroupCommit(engine: Engine): (events: EventRecord[]) => Promise<Verdict[]> {
  return async (events) => {
    if (events.length === 0) return [];
    const col = <K extends keyof EventRecord>(k: K, f: (v: EventRecord[K]) => unknown = (v) => v) => events.map((e) => f(e[k]));
    const args = [
      col('deviceId'), col('counter'), col('type'), col('receivedAt'), col('gatewayId'), col('siteId'), col('rssiDbm'), col('batteryPct'),
      col('position', (p) => (p ? JSON.stringify(p) : null)), col('detail'), col('ref'), col('mustHandle', (m) => !m),
    ];
    return engine.tx(async (q) => {
      const { rows } = await q.executeQuery<{ ord: number; inserted: boolean; stale: boolean; prevHandled: boolean | null }>(CompiledQuery.raw(RECORD_EVENTS, args));
      const verdicts = rows.map((r): Verdict => (r.stale ? 'stale' : r.inserted ? 'new' : r.prevHandled === false ? 'retry' : 'duplicate'));
      // A row another worker inserted while this statement ran is not in its snapshot (READ COMMITTED:
      // one snapshot per statement); its insert waited for that worker's commit, so a second statement
      // sees whether its rules completed.
      const unseen = rows.filter((r, i) => verdicts[i] === 'duplicate' && r.prevHandled === null).map((r) => Number(r.ord) - 1);
      if (unseen.length > 0) {
        const now = await q.executeQuery<{ deviceId: string; counter: number; handled: boolean }>(
          CompiledQuery.raw(HANDLED_NOW, [unseen.map((i) => events[i]!.deviceId), unseen.map((i) => events[i]!.counter)]));
        const open = new Set(now.rows.filter((r) => !r.handled).map((r) => `${r.deviceId}|${r.counter}`));
        for (const i of unseen) if (open.has(`${events[i]!.deviceId}|${events[i]!.counter}`)) verdicts[i] = 'retry';
      }
      return verdicts;
    });
  };
}
