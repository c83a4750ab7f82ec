/** PostgreSQL store, lone-work part: sessions, positions and the retention purge. */
import { pgTable, without } from './postgres-base';
import { PgAlarmStore } from './postgres-alarms';
import type { AuditEntry, Patch, PositionRecord, PurgeRequest, Session, SessionFilter, SessionState } from './types';

export const PG_SESSIONS = pgTable<Session>({
  table: 'work_sessions',
  columns: {
    id: 'id', owner: 'owner', workerId: 'worker_id', deviceId: 'device_id', siteId: 'site_id', kind: 'kind', state: 'state',
    startedAt: 'started_at', startedBy: 'started_by', plannedEndAt: 'planned_end_at', reminderBeforeS: 'reminder_before_s',
    reminderSentAt: 'reminder_sent_at', checkInIntervalS: 'check_in_interval_s', checkInGraceS: 'check_in_grace_s',
    nextCheckInAt: 'next_check_in_at', checkInPromptedAt: 'check_in_prompted_at', lastCheckInAt: 'last_check_in_at', note: 'note',
    phone: 'phone', callList: 'call_list', endedAt: 'ended_at', endedBy: 'ended_by', updatedAt: 'updated_at',
  },
  json: ['callList'],
});

const POSITIONS = pgTable<PositionRecord>({
  table: 'positions',
  columns: { deviceId: 'device_id', workerId: 'worker_id', at: 'at', kind: 'kind', lat: 'lat', lon: 'lon', beaconId: 'beacon_id', zoneId: 'zone_id', rssiDbm: 'rssi_dbm' },
});

export class PgWorkStore extends PgAlarmStore {
  async createWorkSession(s: Session, audit: AuditEntry): Promise<{ created: true; session: Session } | { created: false; session: Session }> {
    for (;;) {
      const out = await this.tx(async (db) => {
        // One active session per owner is the partial unique index; two workers starting one for the same owner: one wins.
        const ins = await this.insertRow(db, PG_SESSIONS, s, "ON CONFLICT (owner) WHERE state = 'active' DO NOTHING", 'RETURNING id');
        if (ins.rowCount) {
          await this.insertAudit(db, audit);
          return { created: true as const, session: s };
        }
        const [existing] = (await db.query("SELECT * FROM work_sessions WHERE owner = $1 AND state = 'active'", [s.owner])).rows;
        return existing ? { created: false as const, session: this.fromRow(PG_SESSIONS, existing) } : undefined;
      });
      if (out) return out;
    }
  }

  async getWorkSession(id: string): Promise<Session | undefined> {
    const r = await this.row('SELECT * FROM work_sessions WHERE id = $1', [id]);
    return r ? this.fromRow(PG_SESSIONS, r) : undefined;
  }

  async findActiveWorkSession(owner: string): Promise<Session | undefined> {
    const r = await this.row("SELECT * FROM work_sessions WHERE owner = $1 AND state = 'active'", [owner]);
    return r ? this.fromRow(PG_SESSIONS, r) : undefined;
  }

  async listWorkSessions(filter: SessionFilter = {}): Promise<Session[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states?.length) where.push(`state = ANY($${args.push(filter.states)})`);
    if (filter.workerId) where.push(`worker_id = $${args.push(filter.workerId)}`);
    if (filter.siteId) where.push(`site_id = $${args.push(filter.siteId)}`);
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const sql = `SELECT * FROM work_sessions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY started_at DESC, id${limit}`;
    return (await this.rows(sql, args)).map((r) => this.fromRow(PG_SESSIONS, r));
  }

  async updateWorkSession(id: string, from: readonly SessionState[], patch: Patch<Session>, audit: AuditEntry | undefined): Promise<Session | undefined> {
    const rest = without(patch, 'id', 'owner');
    return this.tx(async (db) => {
      const [r] = await this.updateRow(db, PG_SESSIONS, rest, 'id = $1 AND state = ANY($2)', [id, from]);
      if (!r) return undefined;
      if (audit) await this.insertAudit(db, audit);
      return this.fromRow(PG_SESSIONS, r);
    });
  }

  async addPosition(p: PositionRecord): Promise<void> {
    await this.tx((db) => this.insertRow(db, POSITIONS, p));
  }

  async latestPosition(deviceId: string): Promise<PositionRecord | undefined> {
    const r = await this.row('SELECT * FROM positions WHERE device_id = $1 ORDER BY at DESC LIMIT 1', [deviceId]);
    return r ? this.fromRow(POSITIONS, r) : undefined;
  }

  async purge(req: PurgeRequest): Promise<{ positions: number; events: number; attempts: number }> {
    return this.tx(async (db) => {
      const positions = (await db.query('DELETE FROM positions WHERE at < $1', [req.positionsBefore])).rowCount ?? 0;
      // Remembers, per device, the highest counter purged: those counters stay refused as stale.
      await db.query(
        'UPDATE devices d SET purged_counter = GREATEST(d.purged_counter, x.mc) FROM (SELECT device_id, MAX(counter) AS mc FROM events WHERE received_at < $1 GROUP BY device_id) x WHERE d.id = x.device_id',
        [req.eventsBefore],
      );
      const events = (await db.query('DELETE FROM events WHERE received_at < $1', [req.eventsBefore])).rowCount ?? 0;
      const attempts = (await db.query('DELETE FROM attempts WHERE at < $1', [req.attemptsBefore])).rowCount ?? 0;
      return { positions, events, attempts };
    });
  }
}
