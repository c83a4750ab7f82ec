/**
 * PostgreSQL store, console part (console-records.ts; sqlite-console.ts is the SQLite twin): users'
 * changes, floor plans, alarm searches for the history and the monthly statistics. The statistics
 * are grouped by the same function as on SQLite (nearest-rank percentiles over the exact durations),
 * from the same columns, so both engines give the same figures for the same rows.
 */
import { type Row } from './postgres-base';
import { PgAppStore } from './postgres-app';
import { group, type StatRow } from './sqlite-console';
import type { Alarm, AlarmSearch, AlarmStats, FloorPlan, StoreScope, User } from './types';

export class PgConsoleStore extends PgAppStore {
  async updateUser(id: string, patch: Partial<Pick<User, 'name' | 'role' | 'scope' | 'passwordHash'>>): Promise<User | undefined> {
    const cols: [string, unknown][] = [];
    if (patch.name !== undefined) cols.push(['name', patch.name]);
    if (patch.role !== undefined) cols.push(['role', patch.role]);
    if (patch.scope !== undefined) cols.push(['scope', patch.scope === null ? null : JSON.stringify(patch.scope)]);
    if (patch.passwordHash !== undefined) cols.push(['password_hash', patch.passwordHash]);
    if (cols.length) await this.tx((db) => db.query(`UPDATE users SET ${cols.map(([c], i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${cols.length + 1}`, [...cols.map(([, v]) => v), id]));
    return this.getUser(id);
  }

  async deleteUser(id: string): Promise<boolean> {
    return this.tx(async (db) => {
      await db.query('DELETE FROM auth_sessions WHERE user_id = $1', [id]);
      await db.query('DELETE FROM stream_tickets WHERE user_id = $1', [id]);
      return ((await db.query('DELETE FROM users WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  async deleteUserSessions(userId: string, exceptTokenHash?: string): Promise<number> {
    return (await this.tx((db) => db.query('DELETE FROM auth_sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2', [userId, exceptTokenHash ?? null]))).rowCount ?? 0;
  }

  async putFloorPlan(plan: Omit<FloorPlan, 'bytes'>, image: Buffer): Promise<void> {
    await this.tx((db) => db.query(
      `INSERT INTO floor_plans (site_id, floor, content_type, width_m, height_m, image, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (site_id, floor) DO UPDATE SET content_type = excluded.content_type, width_m = excluded.width_m, height_m = excluded.height_m,
       image = excluded.image, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [plan.siteId, plan.floor, plan.contentType, plan.widthM, plan.heightM, image, plan.updatedAt, plan.updatedBy],
    ));
  }

  async listFloorPlans(siteId?: string): Promise<FloorPlan[]> {
    const cols = 'site_id, floor, content_type, width_m, height_m, octet_length(image) AS bytes, updated_at, updated_by';
    const rows = siteId === undefined
      ? await this.rows(`SELECT ${cols} FROM floor_plans ORDER BY site_id, floor`)
      : await this.rows(`SELECT ${cols} FROM floor_plans WHERE site_id = $1 ORDER BY floor`, [siteId]);
    return rows.map((r) => this.toPlan(r));
  }

  async getFloorPlanImage(siteId: string, floor: string): Promise<{ plan: FloorPlan; image: Buffer } | undefined> {
    const r = await this.row('SELECT *, octet_length(image) AS bytes FROM floor_plans WHERE site_id = $1 AND floor = $2', [siteId, floor]);
    return r ? { plan: this.toPlan(r), image: r['image'] as Buffer } : undefined;
  }

  async deleteFloorPlan(siteId: string, floor: string): Promise<boolean> {
    return ((await this.tx((db) => db.query('DELETE FROM floor_plans WHERE site_id = $1 AND floor = $2', [siteId, floor]))).rowCount ?? 0) > 0;
  }

  async searchAlarms(q: AlarmSearch): Promise<{ alarms: Alarm[]; total: number }> {
    const { where, args } = alarmWhere(q);
    const total = Number((await this.row<{ n: number }>(`SELECT count(*) AS n FROM alarms ${where}`, args))!.n);
    const limit = Math.min(1000, Math.max(1, q.limit ?? 100));
    const rows = await this.rows(`SELECT * FROM alarms ${where} ORDER BY created_at DESC, number DESC LIMIT $${args.length + 1} OFFSET $${args.length + 2}`, [...args, limit, Math.max(0, q.offset ?? 0)]);
    return { alarms: rows.map((r) => this.toAlarm(r)), total };
  }

  async alarmStats(q: { from: number; to: number; siteId?: string; scope?: StoreScope }): Promise<AlarmStats> {
    const { where, args } = alarmWhere(q);
    const rows = await this.rows<StatRow & Row>(
      `SELECT type, state, site_id, resolution,
              CASE WHEN acknowledged_at IS NULL THEN NULL ELSE acknowledged_at - COALESCE(raised_at, created_at) END AS ack_ms
       FROM alarms ${where}`,
      args,
    );
    const by = <K>(key: (r: StatRow) => K): Map<K, StatRow[]> => {
      const m = new Map<K, StatRow[]>();
      for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
      return m;
    };
    // as sqlite-console.ts: types by name, sites by count (no site last)
    const byType = Object.fromEntries([...by((r) => r.type)].sort(([a], [b]) => a.localeCompare(b)).map(([t, rs]) => [t, group(rs)]));
    const bySite = [...by((r) => r.site_id)].map(([siteId, rs]) => ({ siteId, ...group(rs) })).sort((a, b) => Number(a.siteId === null) - Number(b.siteId === null) || b.total - a.total || String(a.siteId).localeCompare(String(b.siteId)));
    return { from: q.from, to: q.to, ...group(rows), byType, bySite };
  }

  private toPlan(r: Row): FloorPlan {
    return {
      siteId: r['site_id'] as string, floor: r['floor'] as string, contentType: r['content_type'] as string, widthM: r['width_m'] as number,
      heightM: r['height_m'] as number, bytes: r['bytes'] as number, updatedAt: r['updated_at'] as number, updatedBy: r['updated_by'] as string,
    };
  }
}

/** The WHERE of a search, numbered `$1…` (sqlite-console.ts builds the same with `?`). */
function alarmWhere(q: AlarmSearch): { where: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const p = (v: unknown): string => {
    args.push(v);
    return `$${args.length}`;
  };
  if (q.from !== undefined) where.push(`created_at >= ${p(q.from)}`);
  if (q.to !== undefined) where.push(`created_at < ${p(q.to)}`);
  if (q.workerId) where.push(`worker_id = ${p(q.workerId)}`);
  if (q.siteId) where.push(`site_id = ${p(q.siteId)}`);
  if (q.types?.length) where.push(`type = ANY(${p(q.types)}::text[])`);
  if (q.states?.length) where.push(`state = ANY(${p(q.states)}::text[])`);
  if (q.resolution) where.push(`resolution = ${p(q.resolution)}`);
  if (q.scope) {
    const parts: string[] = [];
    if (q.scope.siteIds.length) parts.push(`site_id = ANY(${p(q.scope.siteIds)}::text[])`);
    if (q.scope.workerIds.length) parts.push(`worker_id = ANY(${p(q.scope.workerIds)}::text[])`);
    where.push(parts.length ? `(${parts.join(' OR ')})` : 'false');
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}
