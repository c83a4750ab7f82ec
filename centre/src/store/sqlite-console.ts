/**
 * SQLite store, console part (console-records.ts): users' changes, floor plans, alarm searches for the
 * history and the monthly statistics. Percentiles are nearest-rank over the exact durations.
 */
import { RESOLUTION_REASONS, type ResolutionReason } from '../../../protocol/src';
import type { AckFigures, AlarmSearch, AlarmStats, FloorPlan, StatsGroup, StoreScope } from './console-records';
import type { Row } from './sqlite-base';
import { SqliteAppStore } from './sqlite-app';
import type { Alarm, User } from './types';

const OPEN = new Set(['pending', 'raised', 'acknowledged']);

/** Nearest-rank percentile (q in 0..1) of sorted values, rounded to a tenth of a second. */
export function percentile(sortedS: number[], q: number): number | null {
  if (sortedS.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sortedS.length));
  return Math.round(sortedS[rank - 1]! * 10) / 10;
}

function emptyGroup(): StatsGroup {
  return { total: 0, cancelled: 0, open: 0, acknowledged: 0, p50S: null, p95S: null, byResolution: Object.fromEntries(RESOLUTION_REASONS.map((r) => [r, 0])) as Record<ResolutionReason, number> };
}

export interface StatRow {
  type: string;
  state: string;
  site_id: string | null;
  resolution: ResolutionReason | null;
  ack_ms: number | null;
}

export function group(rows: StatRow[]): StatsGroup {
  const g = emptyGroup();
  const acks: number[] = [];
  for (const r of rows) {
    if (r.state === 'cancelled') {
      g.cancelled++;
      continue;
    }
    g.total++;
    if (OPEN.has(r.state)) g.open++;
    if (r.resolution) g.byResolution[r.resolution]++;
    if (r.ack_ms !== null) acks.push(Math.max(0, r.ack_ms) / 1000);
  }
  acks.sort((a, b) => a - b);
  const ack: AckFigures = { acknowledged: acks.length, p50S: percentile(acks, 0.5), p95S: percentile(acks, 0.95) };
  return { ...g, ...ack };
}

export class SqliteConsoleStore extends SqliteAppStore {
  async updateUser(id: string, patch: Partial<Pick<User, 'name' | 'role' | 'scope' | 'passwordHash'>>): Promise<User | undefined> {
    const cols: [string, unknown][] = [];
    if (patch.name !== undefined) cols.push(['name', patch.name]);
    if (patch.role !== undefined) cols.push(['role', patch.role]);
    if (patch.scope !== undefined) cols.push(['scope', patch.scope === null ? null : JSON.stringify(patch.scope)]);
    if (patch.passwordHash !== undefined) cols.push(['password_hash', patch.passwordHash]);
    if (cols.length) this.stmt(`UPDATE users SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map(([, v]) => v), id);
    return this.getUser(id);
  }

  async deleteUser(id: string): Promise<boolean> {
    return this.tx(() => {
      this.stmt('DELETE FROM auth_sessions WHERE user_id = ?').run(id);
      return this.stmt('DELETE FROM users WHERE id = ?').run(id).changes > 0;
    });
  }

  async deleteUserSessions(userId: string, exceptTokenHash?: string): Promise<number> {
    return this.stmt('DELETE FROM auth_sessions WHERE user_id = ? AND token_hash IS NOT ?').run(userId, exceptTokenHash ?? null).changes;
  }

  async putFloorPlan(plan: Omit<FloorPlan, 'bytes'>, image: Buffer): Promise<void> {
    this.stmt(
      `INSERT INTO floor_plans (site_id, floor, content_type, width_m, height_m, image, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(site_id, floor) DO UPDATE SET content_type = excluded.content_type, width_m = excluded.width_m, height_m = excluded.height_m,
       image = excluded.image, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(plan.siteId, plan.floor, plan.contentType, plan.widthM, plan.heightM, image, plan.updatedAt, plan.updatedBy);
  }

  async listFloorPlans(siteId?: string): Promise<FloorPlan[]> {
    const cols = 'site_id, floor, content_type, width_m, height_m, LENGTH(image) AS bytes, updated_at, updated_by';
    const rows = (siteId === undefined
      ? this.stmt(`SELECT ${cols} FROM floor_plans ORDER BY site_id, floor`).all()
      : this.stmt(`SELECT ${cols} FROM floor_plans WHERE site_id = ? ORDER BY floor`).all(siteId)) as Row[];
    return rows.map((r) => this.toPlan(r));
  }

  async getFloorPlanImage(siteId: string, floor: string): Promise<{ plan: FloorPlan; image: Buffer } | undefined> {
    const r = this.stmt('SELECT *, LENGTH(image) AS bytes FROM floor_plans WHERE site_id = ? AND floor = ?').get(siteId, floor) as Row | undefined;
    return r ? { plan: this.toPlan(r), image: r['image'] as Buffer } : undefined;
  }

  async deleteFloorPlan(siteId: string, floor: string): Promise<boolean> {
    return this.stmt('DELETE FROM floor_plans WHERE site_id = ? AND floor = ?').run(siteId, floor).changes > 0;
  }

  async searchAlarms(q: AlarmSearch): Promise<{ alarms: Alarm[]; total: number }> {
    const { where, args } = this.alarmWhere(q);
    const total = (this.stmt(`SELECT COUNT(*) AS n FROM alarms ${where}`).get(...args) as { n: number }).n;
    const limit = Math.min(1000, Math.max(1, q.limit ?? 100));
    const rows = this.stmt(`SELECT * FROM alarms ${where} ORDER BY created_at DESC, number DESC LIMIT ? OFFSET ?`).all(...args, limit, Math.max(0, q.offset ?? 0)) as Row[];
    return { alarms: rows.map((r) => this.toAlarm(r)), total };
  }

  async alarmStats(q: { from: number; to: number; siteId?: string; scope?: StoreScope }): Promise<AlarmStats> {
    const { where, args } = this.alarmWhere(q);
    const rows = this.stmt(
      `SELECT type, state, site_id, resolution,
              CASE WHEN acknowledged_at IS NULL THEN NULL ELSE acknowledged_at - COALESCE(raised_at, created_at) END AS ack_ms
       FROM alarms ${where}`,
    ).all(...args) as StatRow[];
    const by = <K>(key: (r: StatRow) => K): Map<K, StatRow[]> => {
      const m = new Map<K, StatRow[]>();
      for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
      return m;
    };
    const byType = Object.fromEntries([...by((r) => r.type)].sort(([a], [b]) => a.localeCompare(b)).map(([t, rs]) => [t, group(rs)]));
    const bySite = [...by((r) => r.site_id)].map(([siteId, rs]) => ({ siteId, ...group(rs) })).sort((a, b) => Number(a.siteId === null) - Number(b.siteId === null) || b.total - a.total || String(a.siteId).localeCompare(String(b.siteId)));
    return { from: q.from, to: q.to, ...group(rows), byType, bySite };
  }

  private alarmWhere(q: AlarmSearch): { where: string; args: unknown[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, ...a: unknown[]): void => {
      where.push(sql);
      args.push(...a);
    };
    if (q.from !== undefined) add('created_at >= ?', q.from);
    if (q.to !== undefined) add('created_at < ?', q.to);
    if (q.workerId) add('worker_id = ?', q.workerId);
    if (q.siteId) add('site_id = ?', q.siteId);
    if (q.types?.length) add(`type IN (${SqliteConsoleStore.placeholders(q.types.length)})`, ...q.types);
    if (q.states?.length) add(`state IN (${SqliteConsoleStore.placeholders(q.states.length)})`, ...q.states);
    if (q.resolution) add('resolution = ?', q.resolution);
    if (q.scope) {
      const parts: string[] = [];
      if (q.scope.siteIds.length) parts.push(`site_id IN (${SqliteConsoleStore.placeholders(q.scope.siteIds.length)})`);
      if (q.scope.workerIds.length) parts.push(`worker_id IN (${SqliteConsoleStore.placeholders(q.scope.workerIds.length)})`);
      add(parts.length ? `(${parts.join(' OR ')})` : '0', ...q.scope.siteIds, ...q.scope.workerIds);
    }
    return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
  }

  private toPlan(r: Row): FloorPlan {
    return {
      siteId: r['site_id'] as string, floor: r['floor'] as string, contentType: r['content_type'] as string, widthM: r['width_m'] as number,
      heightM: r['height_m'] as number, bytes: r['bytes'] as number, updatedAt: r['updated_at'] as number, updatedBy: r['updated_by'] as string,
    };
  }
}
