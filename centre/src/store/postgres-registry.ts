/** PostgreSQL store, registry part: sites, workers, devices, idempotent ingest of events, registry records. */
import { type Db, PgBase, pgTable } from './postgres-base';
import { PG_MIGRATIONS } from './postgres-migrations';
import { type EntityKind, type EntityMap, entitySite } from './records';
import type { AuditEntry, DeviceRecord, EventRecord, Site, Worker } from './types';

const DEVICES = pgTable<DeviceRecord>({
  table: 'devices',
  columns: { id: 'id', key: 'key', board: 'board', workerId: 'worker_id', siteId: 'site_id', createdAt: 'created_at', lastCounter: 'last_counter', lastSeenAt: 'last_seen_at', batteryPct: 'battery_pct' },
});
const SITES = pgTable<Required<Site>>({ table: 'sites', columns: { id: 'id', name: 'name', ladderId: 'ladder_id', timeZone: 'time_zone' } });
const WORKERS = pgTable<Required<Worker>>({ table: 'workers', columns: { id: 'id', name: 'name', phone: 'phone', siteId: 'site_id', ladderId: 'ladder_id', teamId: 'team_id', language: 'language' } });

/** Serialises migrations of workers starting together (pg_advisory_xact_lock key). */
const MIGRATION_LOCK = 0x5616_0012;

type Verdict = 'new' | 'duplicate' | 'retry' | 'stale';

/**
 * A batch of events in one statement: the batch as arrays (unnest), the insert with ON CONFLICT DO
 * NOTHING on (device, counter) — the idempotency key — in key order, the devices' last counter, last
 * seen and battery advanced from what was new, and a verdict per input row. The outer SELECT sees the
 * table as it was before the statement, so `events.handled = false` there means stored earlier by
 * someone whose rules never completed: `retry`.
 */
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

export class PgRegistryStore extends PgBase {
  async migrate(): Promise<void> {
    await this.tx(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await db.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const v = ((await db.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version')).rows[0]?.v) ?? 0;
      for (let i = v; i < PG_MIGRATIONS.length; i++) {
        await db.query(PG_MIGRATIONS[i]!);
        await db.query('INSERT INTO schema_version (version) VALUES ($1)', [i + 1]);
      }
    });
  }

  async close(): Promise<void> {
    await this.closePool();
  }

  async upsertSite(site: Site): Promise<void> {
    await this.tx((db) => db.query('INSERT INTO sites (id, name, ladder_id, time_zone) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET name = excluded.name, ladder_id = excluded.ladder_id, time_zone = excluded.time_zone', [site.id, site.name, site.ladderId ?? null, site.timeZone ?? null]));
  }

  async listSites(): Promise<Site[]> {
    return (await this.rows('SELECT * FROM sites ORDER BY id')).map((r) => this.fromRow(SITES, r));
  }

  async getSite(id: string): Promise<Site | undefined> {
    const r = await this.row('SELECT * FROM sites WHERE id = $1', [id]);
    return r ? this.fromRow(SITES, r) : undefined;
  }

  async deleteSite(id: string): Promise<boolean> {
    return this.deleteReferenced('DELETE FROM sites WHERE id = $1', id);
  }

  async upsertWorker(w: Worker): Promise<void> {
    await this.tx((db) => db.query(
      'INSERT INTO workers (id, name, phone, site_id, ladder_id, team_id, language) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, site_id = excluded.site_id, ladder_id = excluded.ladder_id, team_id = excluded.team_id, language = excluded.language',
      [w.id, w.name, w.phone, w.siteId, w.ladderId ?? null, w.teamId ?? null, w.language ?? null],
    ));
  }

  async getWorker(id: string): Promise<Worker | undefined> {
    const r = await this.row('SELECT * FROM workers WHERE id = $1', [id]);
    return r ? this.fromRow(WORKERS, r) : undefined;
  }

  async listWorkers(): Promise<Worker[]> {
    return (await this.rows('SELECT * FROM workers ORDER BY name, id')).map((r) => this.fromRow(WORKERS, r));
  }

  async deleteWorker(id: string): Promise<boolean> {
    return this.deleteReferenced('DELETE FROM workers WHERE id = $1', id);
  }

  async addDevice(d: DeviceRecord): Promise<void> {
    await this.tx((db) => this.insertRow(db, DEVICES, d));
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const r = await this.row('SELECT * FROM devices WHERE id = $1', [id]);
    return r ? this.fromRow(DEVICES, r) : undefined;
  }

  async listDevices(filter: { siteId?: string; workerId?: string } = {}): Promise<DeviceRecord[]> {
    const rows = filter.workerId !== undefined
      ? await this.rows('SELECT * FROM devices WHERE worker_id = $1 ORDER BY created_at DESC', [filter.workerId])
      : filter.siteId === undefined ? await this.rows('SELECT * FROM devices ORDER BY id') : await this.rows('SELECT * FROM devices WHERE site_id = $1 ORDER BY id', [filter.siteId]);
    return rows.map((r) => this.fromRow(DEVICES, r));
  }

  async updateDevice(id: string, patch: Partial<Pick<DeviceRecord, 'workerId' | 'siteId' | 'board'>>): Promise<DeviceRecord | undefined> {
    const [r] = await this.tx((db) => this.updateRow<DeviceRecord>(db, DEVICES, patch, 'id = $1', [id]));
    return r ? this.fromRow(DEVICES, r) : undefined;
  }

  async deleteDevice(id: string): Promise<boolean> {
    return (await this.tx((db) => db.query('DELETE FROM devices WHERE id = $1', [id]))).rowCount! > 0;
  }

  async recordEvent(e: EventRecord): Promise<Verdict> {
    return (await this.recordEvents([e]))[0]!;
  }

  async recordEvents(events: EventRecord[]): Promise<Verdict[]> {
    if (events.length === 0) return [];
    const col = <K extends keyof EventRecord>(k: K, f: (v: EventRecord[K]) => unknown = (v) => v) => events.map((e) => f(e[k]));
    const args = [
      col('deviceId'), col('counter'), col('type'), col('receivedAt'), col('gatewayId'), col('siteId'), col('rssiDbm'), col('batteryPct'),
      col('position', (p) => (p ? JSON.stringify(p) : null)), col('detail'), col('ref'), col('mustHandle', (m) => !m),
    ];
    return this.tx(async (db) => {
      const rows = (await db.query<{ ord: number; inserted: boolean; stale: boolean; prev_handled: boolean | null }>(RECORD_EVENTS, args)).rows;
      const verdicts = rows.map((r): Verdict => (r.stale ? 'stale' : r.inserted ? 'new' : r.prev_handled === false ? 'retry' : 'duplicate'));
      // A row another worker inserted while this statement ran is not in its snapshot (READ COMMITTED:
      // one snapshot per statement); its insert waited for that worker's commit, so a second statement
      // sees whether its rules completed.
      const unseen = rows.filter((r, i) => verdicts[i] === 'duplicate' && r.prev_handled === null).map((r) => r.ord - 1);
      if (unseen.length > 0) {
        const now = await db.query<{ device_id: string; counter: number; handled: boolean }>(
          'SELECT e.device_id, e.counter, e.handled FROM events e JOIN unnest($1::text[], $2::bigint[]) AS k(device_id, counter) ON e.device_id = k.device_id AND e.counter = k.counter',
          [unseen.map((i) => events[i]!.deviceId), unseen.map((i) => events[i]!.counter)],
        );
        const open = new Set(now.rows.filter((r) => !r.handled).map((r) => `${r.device_id}|${r.counter}`));
        for (const i of unseen) if (open.has(`${events[i]!.deviceId}|${events[i]!.counter}`)) verdicts[i] = 'retry';
      }
      return verdicts;
    });
  }

  async markEventHandled(deviceId: string, counter: number): Promise<void> {
    await this.tx((db) => db.query('UPDATE events SET handled = true WHERE device_id = $1 AND counter = $2 AND NOT handled', [deviceId, counter]));
  }

  async listUnhandledEvents(limit: number): Promise<EventRecord[]> {
    const rows = await this.rows('SELECT * FROM events WHERE NOT handled ORDER BY received_at LIMIT $1', [limit]);
    return rows.map((r) => ({
      deviceId: r['device_id'] as string, counter: r['counter'] as number, type: r['type'] as EventRecord['type'], receivedAt: r['received_at'] as number,
      gatewayId: r['gateway_id'] as string, siteId: r['site_id'] as string, rssiDbm: r['rssi_dbm'] as number | null, batteryPct: r['battery_pct'] as number | null,
      position: (r['position'] ?? null) as EventRecord['position'], detail: r['detail'] as number, ref: r['ref'] as number, mustHandle: true,
    }));
  }

  async getEntity<K extends EntityKind>(kind: K, id: string): Promise<EntityMap[K] | undefined> {
    const r = await this.row<{ data: EntityMap[K] }>('SELECT data FROM registry WHERE kind = $1 AND id = $2', [kind, id]);
    return r?.data;
  }

  async listEntities<K extends EntityKind>(kind: K, filter: { siteId?: string } = {}): Promise<EntityMap[K][]> {
    const rows = filter.siteId === undefined
      ? await this.rows<{ data: EntityMap[K] }>('SELECT data FROM registry WHERE kind = $1 ORDER BY id', [kind])
      : await this.rows<{ data: EntityMap[K] }>('SELECT data FROM registry WHERE kind = $1 AND (site_id = $2 OR site_id IS NULL) ORDER BY id', [kind, filter.siteId]);
    return rows.map((r) => r.data);
  }

  async putEntity<K extends EntityKind>(kind: K, rec: EntityMap[K], audit?: AuditEntry): Promise<void> {
    await this.tx(async (db) => {
      await db.query(
        'INSERT INTO registry (kind, id, site_id, data, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, id) DO UPDATE SET site_id = excluded.site_id, data = excluded.data, updated_at = excluded.updated_at',
        [kind, rec.id, entitySite(kind, rec), JSON.stringify(rec), audit?.at ?? 0],
      );
      if (audit) await this.insertAudit(db, audit);
    });
  }

  async deleteEntity(kind: EntityKind, id: string, audit?: AuditEntry): Promise<boolean> {
    return this.tx(async (db) => {
      const gone = (await db.query('DELETE FROM registry WHERE kind = $1 AND id = $2', [kind, id])).rowCount! > 0;
      if (gone && audit) await this.insertAudit(db, audit);
      return gone;
    });
  }

  async registryVersion(): Promise<number> {
    return (await this.row<{ value: number }>("SELECT value FROM meta WHERE key = 'registry_version'"))!.value;
  }

  /** A delete refused by a foreign key is a `false`, not an error: the record is still in use. */
  private async deleteReferenced(sql: string, id: string): Promise<boolean> {
    try {
      return (await this.tx((db: Db) => db.query(sql, [id]))).rowCount! > 0;
    } catch (e) {
      if ((e as { code?: string }).code === '23503') return false;
      throw e;
    }
  }
}
