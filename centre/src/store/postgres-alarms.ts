/** PostgreSQL store, alarms part: alarms with their numbers, the append-only audit log, users, logins and live-stream tickets. */
import type { AlarmState, AlarmType } from '../../../protocol/src';
import { pgTable, type Row, without } from './postgres-base';
import { PgRegistryStore } from './postgres-registry';
import type { Alarm, AlarmFilter, AuditEntry, AuthSession, NewAlarm, Patch, StoredAuditEntry, StreamTicket, User } from './types';

const OPEN_STATES = "('pending', 'raised', 'acknowledged')";
const OPEN: readonly string[] = ['pending', 'raised', 'acknowledged'];

export const PG_ALARMS = pgTable<Required<Alarm>>({
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

export const PG_USERS = pgTable<Required<User>>({ table: 'users', columns: { id: 'id', username: 'username', name: 'name', role: 'role', passwordHash: 'password_hash', scope: 'scope' }, json: ['scope'] });

/** Every column but the number, which the sequence gives. */
const INSERT_COLUMNS = (Object.entries(PG_ALARMS.columns) as [keyof Alarm & string, string][]).filter(([f]) => f !== 'number');

export class PgAlarmStore extends PgRegistryStore {
  protected toAlarm(r: Row): Alarm {
    return { ...this.fromRow(PG_ALARMS, r), number: String(r['number']) };
  }

  async createAlarm(alarm: NewAlarm, audit: AuditEntry): Promise<Alarm> {
    const full: Omit<Required<Alarm>, 'number'> = {
      subject: alarm.deviceId ? `device:${alarm.deviceId}` : null, text: null, sessionId: null, ...alarm,
    };
    const cols = INSERT_COLUMNS.map(([, c]) => c);
    // The partial unique index makes "one open alarm per subject and type" hold between workers; the
    // number comes from a sequence (gaps after a conflict are harmless, numbers stay unique).
    const sql = `INSERT INTO alarms (number, ${cols.join(', ')}) VALUES (nextval('alarm_numbers'), ${cols.map((_, i) => `$${i + 1}`).join(', ')})
      ON CONFLICT (subject, type) WHERE state IN ${OPEN_STATES} DO NOTHING RETURNING *`;
    const values = INSERT_COLUMNS.map(([f]) => this.toValue(PG_ALARMS, f, full[f as keyof typeof full]));
    for (;;) {
      const out = await this.tx(async (db) => {
        const [created] = (await db.query(sql, values)).rows;
        if (created) {
          await this.insertAudit(db, audit);
          return this.toAlarm(created);
        }
        const [open] = (await db.query(`SELECT * FROM alarms WHERE subject = $1 AND type = $2 AND state IN ${OPEN_STATES}`, [full.subject, full.type])).rows;
        return open ? this.toAlarm(open) : undefined;
      });
      if (out) return out;
      // The open alarm it collided with was closed in between: try again.
    }
  }

  async getAlarm(id: string): Promise<Alarm | undefined> {
    const r = await this.row('SELECT * FROM alarms WHERE id = $1', [id]);
    return r ? this.toAlarm(r) : undefined;
  }

  async getAlarmByNumber(number: string): Promise<Alarm | undefined> {
    if (!/^\d{1,12}$/.test(number)) return undefined;
    const r = await this.row('SELECT * FROM alarms WHERE number = $1', [Number(number)]);
    return r ? this.toAlarm(r) : undefined;
  }

  async findOpenAlarm(deviceId: string, type: AlarmType): Promise<Alarm | undefined> {
    return this.findOpenAlarmBySubject(`device:${deviceId}`, type);
  }

  async findOpenAlarmBySubject(subject: string, type: AlarmType): Promise<Alarm | undefined> {
    const r = await this.row(`SELECT * FROM alarms WHERE subject = $1 AND type = $2 AND state IN ${OPEN_STATES} ORDER BY created_at DESC LIMIT 1`, [subject, type]);
    return r ? this.toAlarm(r) : undefined;
  }

  async listAlarms(filter: AlarmFilter = {}): Promise<Alarm[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states && filter.states.length > 0) where.push(`state = ANY($${args.push(filter.states)})`);
    if (filter.deviceId) where.push(`device_id = $${args.push(filter.deviceId)}`);
    if (filter.siteId) where.push(`site_id = $${args.push(filter.siteId)}`);
    const sql = `SELECT * FROM alarms ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY priority ASC, created_at ASC, number ASC LIMIT $${args.push(filter.limit ?? 500)}`;
    return (await this.rows(sql, args)).map((r) => this.toAlarm(r));
  }

  async siteAlarmSummary(siteId: string): Promise<{ openAlarms: number; types: AlarmType[] }> {
    const rows = await this.rows<{ type: AlarmType; n: number }>("SELECT type, COUNT(*) AS n FROM alarms WHERE site_id = $1 AND state IN ('raised', 'acknowledged') GROUP BY type ORDER BY type", [siteId]);
    return { openAlarms: rows.reduce((s, r) => s + r.n, 0), types: rows.map((r) => r.type) };
  }

  async updateAlarm(id: string, from: readonly AlarmState[], patch: Patch<Alarm>, audit: AuditEntry | undefined): Promise<Alarm | undefined> {
    const rest = without(patch, 'id', 'number');
    return this.tx(async (db) => {
      const [r] = await this.updateRow(db, PG_ALARMS, rest, 'id = $1 AND state = ANY($2)', [id, from]);
      if (!r) return undefined;
      if (audit) await this.insertAudit(db, audit);
      return this.toAlarm(r);
    });
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.tx((db) => this.insertAudit(db, entry));
  }

  async listAudit(entity: string, entityId: string): Promise<StoredAuditEntry[]> {
    const rows = await this.rows('SELECT * FROM audit WHERE entity = $1 AND entity_id = $2 ORDER BY seq', [entity, entityId]);
    return rows.map((r) => ({
      seq: r['seq'] as number, at: r['at'] as number, actor: r['actor'] as string, action: r['action'] as string,
      entity: r['entity'] as string, entityId: r['entity_id'] as string,
      ...(r['data'] === null ? {} : { data: r['data'] as Record<string, unknown> }),
    }));
  }

  async createUser(u: User): Promise<void> {
    await this.tx((db) => this.insertRow(db, PG_USERS, { scope: null, ...u }));
  }

  async getUserByName(username: string): Promise<User | undefined> {
    const r = await this.row('SELECT * FROM users WHERE username = $1', [username]);
    return r ? this.fromRow(PG_USERS, r) : undefined;
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = await this.row('SELECT * FROM users WHERE id = $1', [id]);
    return r ? this.fromRow(PG_USERS, r) : undefined;
  }

  async listUsers(): Promise<User[]> {
    return (await this.rows('SELECT * FROM users ORDER BY username')).map((r) => this.fromRow(PG_USERS, r));
  }

  async createSession(s: AuthSession): Promise<void> {
    await this.tx((db) => db.query('INSERT INTO auth_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [s.tokenHash, s.userId, s.createdAt, s.expiresAt]));
  }

  async getSession(tokenHash: string): Promise<AuthSession | undefined> {
    return this.row<AuthSession & Row>('SELECT token_hash AS "tokenHash", user_id AS "userId", created_at AS "createdAt", expires_at AS "expiresAt" FROM auth_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.tx((db) => db.query('DELETE FROM auth_sessions WHERE token_hash = $1', [tokenHash]));
  }

  async putStreamTicket(t: StreamTicket): Promise<void> {
    await this.tx(async (db) => {
      await db.query('DELETE FROM stream_tickets WHERE expires_at < $1', [t.expiresAt - 3600_000]);
      await db.query('INSERT INTO stream_tickets (ticket_hash, user_id, expires_at) VALUES ($1, $2, $3)', [t.ticketHash, t.userId, t.expiresAt]);
    });
  }

  async takeStreamTicket(ticketHash: string, now: number): Promise<string | undefined> {
    const [r] = await this.tx(async (db) => (await db.query<{ user_id: string; expires_at: number }>('DELETE FROM stream_tickets WHERE ticket_hash = $1 RETURNING user_id, expires_at', [ticketHash])).rows);
    return r && r.expires_at >= now ? r.user_id : undefined;
  }
}

export { OPEN as PG_OPEN_STATES };
