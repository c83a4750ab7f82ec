/** SQLite store, alarms part: alarms with their numbers, the append-only audit log, users and logins. */
import type { AlarmState, AlarmType } from '../../../protocol/src';
import { defineTable, omit, type Row } from './sqlite-base';
import { SqliteRegistryStore } from './sqlite-registry';
import type { Alarm, AlarmFilter, AuditEntry, AuthSession, NewAlarm, Patch, StoredAuditEntry, StreamTicket, User } from './types';

const OPEN_STATES = "('pending', 'raised', 'acknowledged')";
const OPEN_STATES_LIST: readonly string[] = ['pending', 'raised', 'acknowledged'];

export const ALARMS = defineTable<Required<Alarm>>({
  table: 'alarms',
  columns: {
    id: 'id', number: 'number', type: 'type', state: 'state', priority: 'priority', siteId: 'site_id', deviceId: 'device_id',
    workerId: 'worker_id', incidentRef: 'incident_ref', lastCounter: 'last_counter', position: 'position', positionAt: 'position_at',
    createdAt: 'created_at', raisedAt: 'raised_at', updatedAt: 'updated_at', acknowledgedAt: 'acknowledged_at', acknowledgedBy: 'acknowledged_by',
    resolvedAt: 'resolved_at', resolvedBy: 'resolved_by', resolution: 'resolution', comment: 'comment', subject: 'subject', text: 'text',
    sessionId: 'session_id',
  },
  json: ['position'],
});

const USERS = defineTable<Required<User>>({ table: 'users', columns: { id: 'id', username: 'username', name: 'name', role: 'role', passwordHash: 'password_hash', scope: 'scope' }, json: ['scope'] });

export class SqliteAlarmStore extends SqliteRegistryStore {
  protected toAlarm(r: Row): Alarm {
    const a = this.fromRow(ALARMS, r);
    return { ...a, number: String(r['number']) };
  }

  async createAlarm(alarm: NewAlarm, audit: AuditEntry): Promise<Alarm> {
    return this.tx((): Alarm => {
      const subject = alarm.subject === undefined ? (alarm.deviceId ? `device:${alarm.deviceId}` : null) : alarm.subject;
      if (subject !== null && OPEN_STATES_LIST.includes(alarm.state)) {
        const open = this.stmt(`SELECT * FROM alarms WHERE subject = ? AND type = ? AND state IN ${OPEN_STATES}`).get(subject, alarm.type) as Row | undefined;
        if (open) return this.toAlarm(open);
      }
      const { n } = this.stmt('SELECT COALESCE(MAX(number), 1000) + 1 AS n FROM alarms').get() as { n: number };
      const full: Required<Alarm> = {
        subject: alarm.deviceId ? `device:${alarm.deviceId}` : null, text: null, sessionId: null,
        ...alarm, number: String(n),
      };
      this.insertRow<Required<Alarm>>(ALARMS, { ...full, number: String(n) });
      this.insertAudit(audit);
      return full;
    });
  }

  async getAlarm(id: string): Promise<Alarm | undefined> {
    const r = this.stmt('SELECT * FROM alarms WHERE id = ?').get(id) as Row | undefined;
    return r ? this.toAlarm(r) : undefined;
  }

  async getAlarmByNumber(number: string): Promise<Alarm | undefined> {
    if (!/^\d{1,12}$/.test(number)) return undefined;
    const r = this.stmt('SELECT * FROM alarms WHERE number = ?').get(Number(number)) as Row | undefined;
    return r ? this.toAlarm(r) : undefined;
  }

  async findOpenAlarm(deviceId: string, type: AlarmType): Promise<Alarm | undefined> {
    return this.findOpenAlarmBySubject(`device:${deviceId}`, type);
  }

  async findOpenAlarmBySubject(subject: string, type: AlarmType): Promise<Alarm | undefined> {
    const r = this.stmt(`SELECT * FROM alarms WHERE subject = ? AND type = ? AND state IN ${OPEN_STATES} ORDER BY created_at DESC LIMIT 1`).get(subject, type) as Row | undefined;
    return r ? this.toAlarm(r) : undefined;
  }

  async listAlarms(filter: AlarmFilter = {}): Promise<Alarm[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${SqliteAlarmStore.placeholders(filter.states.length)})`);
      args.push(...filter.states);
    }
    if (filter.deviceId) {
      where.push('device_id = ?');
      args.push(filter.deviceId);
    }
    if (filter.siteId) {
      where.push('site_id = ?');
      args.push(filter.siteId);
    }
    const sql = `SELECT * FROM alarms ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY priority ASC, created_at ASC LIMIT ?`;
    return (this.stmt(sql).all(...args, filter.limit ?? 500) as Row[]).map((r) => this.toAlarm(r));
  }

  async siteAlarmSummary(siteId: string): Promise<{ openAlarms: number; types: AlarmType[] }> {
    const rows = this.stmt("SELECT type, COUNT(*) AS n FROM alarms WHERE site_id = ? AND state IN ('raised', 'acknowledged') GROUP BY type ORDER BY type").all(siteId) as { type: AlarmType; n: number }[];
    return { openAlarms: rows.reduce((s, r) => s + r.n, 0), types: rows.map((r) => r.type) };
  }

  async updateAlarm(id: string, from: readonly AlarmState[], patch: Patch<Alarm>, audit: AuditEntry | undefined): Promise<Alarm | undefined> {
    return this.tx((): Alarm | undefined => {
      const changed = this.updateRow(ALARMS, omit(patch, 'id', 'number'), `id = ? AND state IN (${SqliteAlarmStore.placeholders(from.length)})`, [id, ...from]);
      if (changed === 0) return undefined;
      if (audit) this.insertAudit(audit);
      return this.toAlarm(this.stmt('SELECT * FROM alarms WHERE id = ?').get(id) as Row);
    });
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.insertAudit(entry);
  }

  async listAudit(entity: string, entityId: string): Promise<StoredAuditEntry[]> {
    const rows = this.stmt('SELECT * FROM audit WHERE entity = ? AND entity_id = ? ORDER BY seq').all(entity, entityId) as Row[];
    return rows.map((r) => ({
      seq: r['seq'] as number, at: r['at'] as number, actor: r['actor'] as string, action: r['action'] as string,
      entity: r['entity'] as string, entityId: r['entity_id'] as string,
      ...(r['data'] === null ? {} : { data: JSON.parse(r['data'] as string) as Record<string, unknown> }),
    }));
  }

  async createUser(u: User): Promise<void> {
    this.insertRow(USERS, { scope: null, ...u });
  }

  async getUserByName(username: string): Promise<User | undefined> {
    const r = this.stmt('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
    return r ? this.fromRow(USERS, r) : undefined;
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = this.stmt('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(USERS, r) : undefined;
  }

  async listUsers(): Promise<User[]> {
    return (this.stmt('SELECT * FROM users ORDER BY username').all() as Row[]).map((r) => this.fromRow(USERS, r));
  }

  async createSession(s: AuthSession): Promise<void> {
    this.stmt('INSERT INTO auth_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(s.tokenHash, s.userId, s.createdAt, s.expiresAt);
  }

  async getSession(tokenHash: string): Promise<AuthSession | undefined> {
    const r = this.stmt('SELECT token_hash AS tokenHash, user_id AS userId, created_at AS createdAt, expires_at AS expiresAt FROM auth_sessions WHERE token_hash = ?').get(tokenHash);
    return r as AuthSession | undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.stmt('DELETE FROM auth_sessions WHERE token_hash = ?').run(tokenHash);
  }

  async putStreamTicket(t: StreamTicket): Promise<void> {
    this.tx(() => {
      this.stmt('DELETE FROM stream_tickets WHERE expires_at < ?').run(t.expiresAt - 3600_000);
      this.stmt('INSERT INTO stream_tickets (ticket_hash, user_id, expires_at) VALUES (?, ?, ?)').run(t.ticketHash, t.userId, t.expiresAt);
    });
  }

  async takeStreamTicket(ticketHash: string, now: number): Promise<string | undefined> {
    const r = this.stmt('DELETE FROM stream_tickets WHERE ticket_hash = ? RETURNING user_id, expires_at').get(ticketHash) as { user_id: string; expires_at: number } | undefined;
    return r && r.expires_at >= now ? r.user_id : undefined;
  }
}
