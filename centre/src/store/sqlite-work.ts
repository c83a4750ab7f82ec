/** SQLite store, lone-work part: sessions, positions and the retention purge. */
import { defineTable, omit, type Row } from './sqlite-base';
import { SqliteAlarmStore } from './sqlite-alarms';
import type { AuditEntry, Patch, PositionRecord, PurgeRequest, Session, SessionFilter, SessionState } from './types';

export const SESSIONS = defineTable<Session>({
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

const POSITIONS = defineTable<PositionRecord>({
  table: 'positions',
  columns: { deviceId: 'device_id', workerId: 'worker_id', at: 'at', kind: 'kind', lat: 'lat', lon: 'lon', beaconId: 'beacon_id', zoneId: 'zone_id', rssiDbm: 'rssi_dbm' },
});

export class SqliteWorkStore extends SqliteAlarmStore {
  async createWorkSession(s: Session, audit: AuditEntry): Promise<{ created: true; session: Session } | { created: false; session: Session }> {
    return this.tx(() => {
      const existing = this.stmt("SELECT * FROM work_sessions WHERE owner = ? AND state = 'active'").get(s.owner) as Row | undefined;
      if (existing) return { created: false as const, session: this.fromRow(SESSIONS, existing) };
      this.insertRow(SESSIONS, s);
      this.insertAudit(audit);
      return { created: true as const, session: s };
    });
  }

  async getWorkSession(id: string): Promise<Session | undefined> {
    const r = this.stmt('SELECT * FROM work_sessions WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(SESSIONS, r) : undefined;
  }

  async findActiveWorkSession(owner: string): Promise<Session | undefined> {
    const r = this.stmt("SELECT * FROM work_sessions WHERE owner = ? AND state = 'active'").get(owner) as Row | undefined;
    return r ? this.fromRow(SESSIONS, r) : undefined;
  }

  async listWorkSessions(filter: SessionFilter = {}): Promise<Session[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states?.length) {
      where.push(`state IN (${SqliteWorkStore.placeholders(filter.states.length)})`);
      args.push(...filter.states);
    }
    if (filter.workerId) {
      where.push('worker_id = ?');
      args.push(filter.workerId);
    }
    if (filter.siteId) {
      where.push('site_id = ?');
      args.push(filter.siteId);
    }
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const sql = `SELECT * FROM work_sessions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY started_at DESC${limit}`;
    return (this.stmt(sql).all(...args) as Row[]).map((r) => this.fromRow(SESSIONS, r));
  }

  async updateWorkSession(id: string, from: readonly SessionState[], patch: Patch<Session>, audit: AuditEntry | undefined): Promise<Session | undefined> {
    return this.tx(() => {
      const changed = this.updateRow(SESSIONS, omit(patch, 'id', 'owner'), `id = ? AND state IN (${SqliteWorkStore.placeholders(from.length)})`, [id, ...from]);
      if (changed === 0) return undefined;
      if (audit) this.insertAudit(audit);
      return this.fromRow(SESSIONS, this.stmt('SELECT * FROM work_sessions WHERE id = ?').get(id) as Row);
    });
  }

  async addPosition(p: PositionRecord): Promise<void> {
    this.insertRow(POSITIONS, p);
  }

  async latestPosition(deviceId: string): Promise<PositionRecord | undefined> {
    const r = this.stmt('SELECT * FROM positions WHERE device_id = ? ORDER BY at DESC LIMIT 1').get(deviceId) as Row | undefined;
    return r ? this.fromRow(POSITIONS, r) : undefined;
  }

  /** Remembers, per device, the highest counter purged: those counters stay refused as stale. */
  private purgeEvents(before: number): number {
    this.stmt('UPDATE devices SET purged_counter = MAX(purged_counter, (SELECT COALESCE(MAX(counter), -1) FROM events WHERE events.device_id = devices.id AND received_at < ?))').run(before);
    return this.stmt('DELETE FROM events WHERE received_at < ?').run(before).changes;
  }

  async purge(req: PurgeRequest): Promise<{ positions: number; events: number; attempts: number }> {
    return this.tx(() => ({
      positions: this.stmt('DELETE FROM positions WHERE at < ?').run(req.positionsBefore).changes,
      events: this.purgeEvents(req.eventsBefore),
      attempts: this.stmt('DELETE FROM attempts WHERE at < ?').run(req.attemptsBefore).changes,
    }));
  }
}
