/** The store on SQLite (better-sqlite3, WAL): the embedded default, one file in the data directory. */
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './sqlite-migrations';
import type { Alarm, AlarmFilter, AuditEntry, AuthSession, DeviceRecord, EventRecord, NewAlarm, Patch, Site, Store, StoredAuditEntry, User, Worker } from './types';
import type { AlarmState, AlarmType } from '../../../protocol/src';

type Row = Record<string, unknown>;

const ALARM_COLUMNS: Record<keyof Alarm, string> = {
  id: 'id', number: 'number', type: 'type', state: 'state', priority: 'priority', siteId: 'site_id', deviceId: 'device_id',
  workerId: 'worker_id', incidentRef: 'incident_ref', lastCounter: 'last_counter', position: 'position', positionAt: 'position_at',
  createdAt: 'created_at', raisedAt: 'raised_at', updatedAt: 'updated_at', acknowledgedAt: 'acknowledged_at', acknowledgedBy: 'acknowledged_by',
  resolvedAt: 'resolved_at', resolvedBy: 'resolved_by', resolution: 'resolution', comment: 'comment',
};
const JSON_COLUMNS = new Set(['position']);

function toAlarm(r: Row): Alarm {
  const a = {} as Record<string, unknown>;
  for (const [k, col] of Object.entries(ALARM_COLUMNS)) {
    const v = r[col];
    a[k] = JSON_COLUMNS.has(col) ? (v === null ? null : JSON.parse(v as string)) : v;
  }
  a['number'] = String(r['number']);
  return a as unknown as Alarm;
}

function toDevice(r: Row): DeviceRecord {
  return {
    id: r['id'] as string, key: r['key'] as string, board: r['board'] as DeviceRecord['board'], workerId: r['worker_id'] as string | null,
    siteId: r['site_id'] as string | null, createdAt: r['created_at'] as number, lastCounter: r['last_counter'] as number,
    lastSeenAt: r['last_seen_at'] as number | null, batteryPct: r['battery_pct'] as number | null,
  };
}

function toUser(r: Row): User {
  return { id: r['id'] as string, username: r['username'] as string, name: r['name'] as string, role: r['role'] as User['role'], passwordHash: r['password_hash'] as string };
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;

  /** `path` is a file, or `:memory:` for tests. */
  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    for (let v = current; v < SQLITE_MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[v]!);
        this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
      })();
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async upsertSite(site: Site): Promise<void> {
    this.db.prepare('INSERT INTO sites (id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name').run(site.id, site.name);
  }

  async listSites(): Promise<Site[]> {
    return this.db.prepare('SELECT id, name FROM sites ORDER BY id').all() as Site[];
  }

  async upsertWorker(w: Worker): Promise<void> {
    this.db
      .prepare('INSERT INTO workers (id, name, phone, site_id) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone, site_id = excluded.site_id')
      .run(w.id, w.name, w.phone, w.siteId);
  }

  async getWorker(id: string): Promise<Worker | undefined> {
    const r = this.db.prepare('SELECT id, name, phone, site_id AS siteId FROM workers WHERE id = ?').get(id) as Worker | undefined;
    return r;
  }

  async listWorkers(): Promise<Worker[]> {
    return this.db.prepare('SELECT id, name, phone, site_id AS siteId FROM workers ORDER BY name').all() as Worker[];
  }

  async addDevice(d: DeviceRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO devices (id, key, board, worker_id, site_id, created_at, last_counter, last_seen_at, battery_pct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(d.id, d.key, d.board, d.workerId, d.siteId, d.createdAt, d.lastCounter, d.lastSeenAt, d.batteryPct);
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as Row | undefined;
    return r ? toDevice(r) : undefined;
  }

  async listDevices(filter: { siteId?: string } = {}): Promise<DeviceRecord[]> {
    const rows = filter.siteId === undefined ? this.db.prepare('SELECT * FROM devices ORDER BY id').all() : this.db.prepare('SELECT * FROM devices WHERE site_id = ? ORDER BY id').all(filter.siteId);
    return (rows as Row[]).map(toDevice);
  }

  async recordEvent(e: EventRecord): Promise<'new' | 'duplicate'> {
    return this.db.transaction((): 'new' | 'duplicate' => {
      const res = this.db
        .prepare('INSERT INTO events (device_id, counter, type, received_at, gateway_id, site_id, rssi_dbm, battery_pct, position, detail, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .run(e.deviceId, e.counter, e.type, e.receivedAt, e.gatewayId, e.siteId, e.rssiDbm, e.batteryPct, e.position ? JSON.stringify(e.position) : null, e.detail, e.ref);
      if (res.changes === 0) return 'duplicate';
      this.db
        .prepare('UPDATE devices SET last_counter = MAX(last_counter, ?), last_seen_at = MAX(COALESCE(last_seen_at, 0), ?), battery_pct = COALESCE(?, battery_pct) WHERE id = ?')
        .run(e.counter, e.receivedAt, e.batteryPct, e.deviceId);
      return 'new';
    })();
  }

  async createAlarm(alarm: NewAlarm, audit: AuditEntry): Promise<Alarm> {
    return this.db.transaction((): Alarm => {
      const { n } = this.db.prepare('SELECT COALESCE(MAX(number), 1000) + 1 AS n FROM alarms').get() as { n: number };
      const full: Alarm = { ...alarm, number: String(n) };
      const cols = Object.values(ALARM_COLUMNS);
      const values = (Object.keys(ALARM_COLUMNS) as (keyof Alarm)[]).map((k) => (k === 'position' ? (full.position ? JSON.stringify(full.position) : null) : k === 'number' ? n : full[k]));
      this.db.prepare(`INSERT INTO alarms (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...values);
      this.insertAudit(audit);
      return full;
    })();
  }

  async getAlarm(id: string): Promise<Alarm | undefined> {
    const r = this.db.prepare('SELECT * FROM alarms WHERE id = ?').get(id) as Row | undefined;
    return r ? toAlarm(r) : undefined;
  }

  async findOpenAlarm(deviceId: string, type: AlarmType): Promise<Alarm | undefined> {
    const r = this.db
      .prepare("SELECT * FROM alarms WHERE device_id = ? AND type = ? AND state IN ('pending', 'raised', 'acknowledged') ORDER BY created_at DESC LIMIT 1")
      .get(deviceId, type) as Row | undefined;
    return r ? toAlarm(r) : undefined;
  }

  async listAlarms(filter: AlarmFilter = {}): Promise<Alarm[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      args.push(...filter.states);
    }
    if (filter.deviceId) {
      where.push('device_id = ?');
      args.push(filter.deviceId);
    }
    const sql = `SELECT * FROM alarms ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY priority ASC, created_at ASC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 500) as Row[]).map(toAlarm);
  }

  async updateAlarm(id: string, from: readonly AlarmState[], patch: Patch<Alarm>, audit: AuditEntry | undefined): Promise<Alarm | undefined> {
    return this.db.transaction((): Alarm | undefined => {
      const keys = (Object.keys(patch) as (keyof Alarm)[]).filter((k) => k !== 'id' && k !== 'number');
      const sets = keys.map((k) => `${ALARM_COLUMNS[k]} = ?`);
      const values = keys.map((k) => (k === 'position' ? (patch.position ? JSON.stringify(patch.position) : null) : patch[k]));
      const res = this.db
        .prepare(`UPDATE alarms SET ${sets.length ? sets.join(', ') : 'id = id'} WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`)
        .run(...values, id, ...from);
      if (res.changes === 0) return undefined;
      if (audit) this.insertAudit(audit);
      return toAlarm(this.db.prepare('SELECT * FROM alarms WHERE id = ?').get(id) as Row);
    })();
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.insertAudit(entry);
  }

  async listAudit(entity: string, entityId: string): Promise<StoredAuditEntry[]> {
    const rows = this.db.prepare('SELECT * FROM audit WHERE entity = ? AND entity_id = ? ORDER BY seq').all(entity, entityId) as Row[];
    return rows.map((r) => ({
      seq: r['seq'] as number, at: r['at'] as number, actor: r['actor'] as string, action: r['action'] as string,
      entity: r['entity'] as string, entityId: r['entity_id'] as string,
      ...(r['data'] === null ? {} : { data: JSON.parse(r['data'] as string) as Record<string, unknown> }),
    }));
  }

  async createUser(u: User): Promise<void> {
    this.db.prepare('INSERT INTO users (id, username, name, role, password_hash) VALUES (?, ?, ?, ?, ?)').run(u.id, u.username, u.name, u.role, u.passwordHash);
  }

  async getUserByName(username: string): Promise<User | undefined> {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
    return r ? toUser(r) : undefined;
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r ? toUser(r) : undefined;
  }

  async createSession(s: AuthSession): Promise<void> {
    this.db.prepare('INSERT INTO auth_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(s.tokenHash, s.userId, s.createdAt, s.expiresAt);
  }

  async getSession(tokenHash: string): Promise<AuthSession | undefined> {
    const r = this.db.prepare('SELECT token_hash AS tokenHash, user_id AS userId, created_at AS createdAt, expires_at AS expiresAt FROM auth_sessions WHERE token_hash = ?').get(tokenHash);
    return r as AuthSession | undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.db.prepare('DELETE FROM auth_sessions WHERE token_hash = ?').run(tokenHash);
  }

  private insertAudit(e: AuditEntry): void {
    this.db
      .prepare('INSERT INTO audit (at, actor, action, entity, entity_id, data) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.at, e.actor, e.action, e.entity, e.entityId, e.data === undefined ? null : JSON.stringify(e.data));
  }
}
