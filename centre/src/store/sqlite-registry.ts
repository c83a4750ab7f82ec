/** SQLite store, registry part: sites, workers, devices, ingest of events, registry records. */
import { defineTable, type Row, SqliteBase } from './sqlite-base';
import { SQLITE_MIGRATIONS } from './sqlite-migrations';
import { type EntityKind, type EntityMap, entitySite } from './records';
import type { AuditEntry, DeviceRecord, EventRecord, Site, Worker } from './types';

const DEVICES = defineTable<DeviceRecord>({
  table: 'devices',
  columns: { id: 'id', key: 'key', board: 'board', workerId: 'worker_id', siteId: 'site_id', createdAt: 'created_at', lastCounter: 'last_counter', lastSeenAt: 'last_seen_at', batteryPct: 'battery_pct' },
});
const SITES = defineTable<Required<Site>>({ table: 'sites', columns: { id: 'id', name: 'name', ladderId: 'ladder_id', timeZone: 'time_zone' } });
const WORKERS = defineTable<Required<Worker>>({ table: 'workers', columns: { id: 'id', name: 'name', phone: 'phone', siteId: 'site_id', ladderId: 'ladder_id', teamId: 'team_id', language: 'language' } });

export class SqliteRegistryStore extends SqliteBase {
  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    for (let v = row.v ?? 0; v < SQLITE_MIGRATIONS.length; v++) {
      this.tx(() => {
        this.db.exec(SQLITE_MIGRATIONS[v]!);
        this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
      });
    }
  }

  async close(): Promise<void> {
    await this.closeDb();
  }

  async upsertSite(site: Site): Promise<void> {
    this.stmt('INSERT INTO sites (id, name, ladder_id, time_zone) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, ladder_id = excluded.ladder_id, time_zone = excluded.time_zone')
      .run(site.id, site.name, site.ladderId ?? null, site.timeZone ?? null);
  }

  async listSites(): Promise<Site[]> {
    return (this.stmt('SELECT * FROM sites ORDER BY id').all() as Row[]).map((r) => this.fromRow(SITES, r));
  }

  async getSite(id: string): Promise<Site | undefined> {
    const r = this.stmt('SELECT * FROM sites WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(SITES, r) : undefined;
  }

  async deleteSite(id: string): Promise<boolean> {
    return this.deleteReferenced('DELETE FROM sites WHERE id = ?', id);
  }

  async upsertWorker(w: Worker): Promise<void> {
    this.stmt('INSERT INTO workers (id, name, phone, site_id, ladder_id, team_id, language) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone, site_id = excluded.site_id, ladder_id = excluded.ladder_id, team_id = excluded.team_id, language = excluded.language')
      .run(w.id, w.name, w.phone, w.siteId, w.ladderId ?? null, w.teamId ?? null, w.language ?? null);
  }

  async getWorker(id: string): Promise<Worker | undefined> {
    const r = this.stmt('SELECT * FROM workers WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(WORKERS, r) : undefined;
  }

  async listWorkers(): Promise<Worker[]> {
    return (this.stmt('SELECT * FROM workers ORDER BY name').all() as Row[]).map((r) => this.fromRow(WORKERS, r));
  }

  async deleteWorker(id: string): Promise<boolean> {
    return this.deleteReferenced('DELETE FROM workers WHERE id = ?', id);
  }

  async addDevice(d: DeviceRecord): Promise<void> {
    this.insertRow(DEVICES, d);
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const r = this.stmt('SELECT * FROM devices WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(DEVICES, r) : undefined;
  }

  async listDevices(filter: { siteId?: string; workerId?: string } = {}): Promise<DeviceRecord[]> {
    const rows = filter.workerId !== undefined
      ? this.stmt('SELECT * FROM devices WHERE worker_id = ? ORDER BY created_at DESC').all(filter.workerId)
      : filter.siteId === undefined ? this.stmt('SELECT * FROM devices ORDER BY id').all() : this.stmt('SELECT * FROM devices WHERE site_id = ? ORDER BY id').all(filter.siteId);
    return (rows as Row[]).map((r) => this.fromRow(DEVICES, r));
  }

  async updateDevice(id: string, patch: Partial<Pick<DeviceRecord, 'workerId' | 'siteId' | 'board'>>): Promise<DeviceRecord | undefined> {
    this.updateRow<DeviceRecord>(DEVICES, patch, 'id = ?', [id]);
    return this.getDevice(id);
  }

  async deleteDevice(id: string): Promise<boolean> {
    return this.stmt('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
  }

  async recordEvent(e: EventRecord): Promise<'new' | 'duplicate' | 'retry' | 'stale'> {
    return this.tx(() => this.recordOne(e));
  }

  async recordEvents(events: EventRecord[]): Promise<('new' | 'duplicate' | 'retry' | 'stale')[]> {
    return this.tx(() => events.map((e) => this.recordOne(e)));
  }

  private recordOne(e: EventRecord): 'new' | 'duplicate' | 'retry' | 'stale' {
    const purged = this.stmt('SELECT purged_counter AS p FROM devices WHERE id = ?').get(e.deviceId) as { p: number } | undefined;
    if (purged && e.counter <= purged.p) return 'stale';
    const res = this.stmt('INSERT INTO events (device_id, counter, type, received_at, gateway_id, site_id, rssi_dbm, battery_pct, position, detail, ref, handled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(e.deviceId, e.counter, e.type, e.receivedAt, e.gatewayId, e.siteId, e.rssiDbm, e.batteryPct, e.position ? JSON.stringify(e.position) : null, e.detail, e.ref, e.mustHandle ? 0 : 1);
    if (res.changes === 0) {
      const prev = this.stmt('SELECT handled FROM events WHERE device_id = ? AND counter = ?').get(e.deviceId, e.counter) as { handled: number } | undefined;
      return prev?.handled === 0 ? 'retry' : 'duplicate';
    }
    this.stmt('UPDATE devices SET last_counter = MAX(last_counter, ?), last_seen_at = MAX(COALESCE(last_seen_at, 0), ?), battery_pct = COALESCE(?, battery_pct) WHERE id = ?')
      .run(e.counter, e.receivedAt, e.batteryPct, e.deviceId);
    return 'new';
  }

  async markEventHandled(deviceId: string, counter: number): Promise<void> {
    this.stmt('UPDATE events SET handled = 1 WHERE device_id = ? AND counter = ? AND handled = 0').run(deviceId, counter);
  }

  async listUnhandledEvents(limit: number): Promise<EventRecord[]> {
    const rows = this.stmt('SELECT * FROM events WHERE handled = 0 ORDER BY received_at LIMIT ?').all(limit) as Row[];
    return rows.map((r) => ({
      deviceId: r['device_id'] as string, counter: r['counter'] as number, type: r['type'] as EventRecord['type'], receivedAt: r['received_at'] as number,
      gatewayId: r['gateway_id'] as string, siteId: r['site_id'] as string, rssiDbm: r['rssi_dbm'] as number | null, batteryPct: r['battery_pct'] as number | null,
      position: r['position'] === null ? null : JSON.parse(r['position'] as string), detail: r['detail'] as number, ref: r['ref'] as number, mustHandle: true,
    }));
  }

  async getEntity<K extends EntityKind>(kind: K, id: string): Promise<EntityMap[K] | undefined> {
    const r = this.stmt('SELECT data FROM registry WHERE kind = ? AND id = ?').get(kind, id) as { data: string } | undefined;
    return r ? (JSON.parse(r.data) as EntityMap[K]) : undefined;
  }

  async listEntities<K extends EntityKind>(kind: K, filter: { siteId?: string } = {}): Promise<EntityMap[K][]> {
    const rows = filter.siteId === undefined
      ? this.stmt('SELECT data FROM registry WHERE kind = ? ORDER BY id').all(kind)
      : this.stmt('SELECT data FROM registry WHERE kind = ? AND (site_id = ? OR site_id IS NULL) ORDER BY id').all(kind, filter.siteId);
    return (rows as { data: string }[]).map((r) => JSON.parse(r.data) as EntityMap[K]);
  }

  async putEntity<K extends EntityKind>(kind: K, rec: EntityMap[K], audit?: AuditEntry): Promise<void> {
    this.tx(() => {
      this.stmt('INSERT INTO registry (kind, id, site_id, data, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(kind, id) DO UPDATE SET site_id = excluded.site_id, data = excluded.data, updated_at = excluded.updated_at')
        .run(kind, rec.id, entitySite(kind, rec), JSON.stringify(rec), audit?.at ?? 0);
      if (audit) this.insertAudit(audit);
    });
  }

  async deleteEntity(kind: EntityKind, id: string, audit?: AuditEntry): Promise<boolean> {
    return this.tx(() => {
      const gone = this.stmt('DELETE FROM registry WHERE kind = ? AND id = ?').run(kind, id).changes > 0;
      if (gone && audit) this.insertAudit(audit);
      return gone;
    });
  }

  async registryVersion(): Promise<number> {
    return (this.stmt("SELECT value FROM meta WHERE key = 'registry_version'").get() as { value: number }).value;
  }

  /** A delete refused by a foreign key is a `false`, not an error: the record is still in use. */
  private deleteReferenced(sql: string, id: string): boolean {
    try {
      return this.stmt(sql).run(id).changes > 0;
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return false;
      throw e;
    }
  }
}
