/**
 * The console's store operations on fixed data: history search (dates, worker, type, state, scope),
 * monthly statistics (by type, genuine vs false, time to acknowledge p50/p95 by nearest rank, per
 * site), users' changes and logins, teams, floor plans. Every Store implementation runs it
 * (console-store.test.ts on SQLite, test/scale/postgres-store.test.ts on PostgreSQL).
 */
import type { AlarmType } from '../../protocol/src';
import { alarmPriority } from '../../protocol/src';
import { percentile } from '../../centre/src/store/repositories/reports';
import type { Alarm, NewAlarm, Store } from '../../centre/src/store/types';

const T0 = Date.UTC(2025, 4, 1); // 1 May 2025
const MIN = 60_000;

function alarm(id: string, o: Partial<NewAlarm> & { type: AlarmType; createdAt: number }): NewAlarm {
  return {
    id, state: 'raised', priority: alarmPriority(o.type), siteId: 'north', deviceId: null, workerId: 'w1', incidentRef: null, lastCounter: null,
    position: null, positionAt: null, raisedAt: o.createdAt, updatedAt: o.createdAt, acknowledgedAt: null, acknowledgedBy: null,
    resolvedAt: null, resolvedBy: null, resolution: null, comment: null, subject: `test:${id}`, ...o,
  };
}

export function describeConsoleStore(name: string, make: () => Promise<Store>): void {
  describe(`${name} store: console`, () => {
    let store: Store;
    const created: Alarm[] = [];

    beforeAll(async () => {
      store = await make();
      await store.migrate();
      await store.upsertSite({ id: 'north', name: 'North' });
      await store.upsertSite({ id: 'south', name: 'South' });
      await store.putEntity('team', { id: 'night', name: 'Night shift', siteId: null });
      await store.upsertWorker({ id: 'w1', name: 'Ann', phone: null, siteId: 'north', teamId: 'night' });
      await store.upsertWorker({ id: 'w2', name: 'Ben', phone: null, siteId: 'south' });
      const audit = { at: T0, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'x' };
      const rows: NewAlarm[] = [
        // May, north: acknowledged after 10, 20, 30, 40 s; one false alarm, two genuine, one dispatched
        alarm('a1', { type: 'sos', createdAt: T0 + 1 * MIN, state: 'resolved', acknowledgedAt: T0 + 1 * MIN + 10_000, resolution: 'genuine' }),
        alarm('a2', { type: 'fall', createdAt: T0 + 2 * MIN, raisedAt: T0 + 2 * MIN + 30_000, state: 'resolved', acknowledgedAt: T0 + 2 * MIN + 50_000, resolution: 'false_alarm' }),
        alarm('a3', { type: 'sos', createdAt: T0 + 3 * MIN, state: 'resolved', acknowledgedAt: T0 + 3 * MIN + 30_000, resolution: 'genuine' }),
        alarm('a4', { type: 'duress', createdAt: T0 + 4 * MIN, state: 'resolved', acknowledgedAt: T0 + 4 * MIN + 40_000, resolution: 'dispatched' }),
        // May, north: still open; a cancelled pre-alarm (not an alarm)
        alarm('a5', { type: 'sos', createdAt: T0 + 5 * MIN, state: 'raised' }),
        alarm('a6', { type: 'fall', createdAt: T0 + 6 * MIN, raisedAt: null, state: 'cancelled' }),
        // May, south (Ben): acknowledged after 100 s, false alarm
        alarm('b1', { type: 'fall', createdAt: T0 + 7 * MIN, siteId: 'south', workerId: 'w2', state: 'resolved', acknowledgedAt: T0 + 7 * MIN + 100_000, resolution: 'false_alarm' }),
        // May, no site: a channel failing
        alarm('n1', { type: 'notifier_failed', createdAt: T0 + 8 * MIN, siteId: null, workerId: null, state: 'resolved', resolution: 'genuine' }),
        // April and June: outside the month
        alarm('x1', { type: 'sos', createdAt: T0 - 1, state: 'resolved', resolution: 'test' }),
        alarm('x2', { type: 'sos', createdAt: Date.UTC(2025, 5, 1), state: 'resolved', resolution: 'test' }),
      ];
      for (const r of rows) created.push(await store.createAlarm(r, { ...audit, entityId: r.id }));
    });
    afterAll(() => store.close());

    it('computes nearest-rank percentiles', () => {
      expect(percentile([], 0.5)).toBeNull();
      expect(percentile([7], 0.95)).toBe(7);
      expect(percentile([10, 20, 20, 30, 100], 0.5)).toBe(20);
      expect(percentile([10, 20, 20, 30, 100], 0.95)).toBe(100);
      expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 0.95)).toBe(95);
    });

    it('counts a month: by type, by resolution, time to acknowledge, per site', async () => {
      const s = await store.alarmStats({ from: T0, to: Date.UTC(2025, 5, 1) });
      expect(s).toMatchObject({ total: 7, cancelled: 1, open: 1, acknowledged: 5, byResolution: { genuine: 3, false_alarm: 2, dispatched: 1, test: 0 } });
      // 10, 20 (from raised, not created), 30, 40, 100 s
      expect([s.p50S, s.p95S]).toEqual([30, 100]);
      expect(s.byType['sos']).toMatchObject({ total: 3, open: 1, acknowledged: 2, p50S: 10, p95S: 30 });
      expect(s.byType['fall']).toMatchObject({ total: 2, cancelled: 1, byResolution: { false_alarm: 2 } });
      expect(s.byType['low_battery']).toBeUndefined();
      expect(s.bySite.map((g) => [g.siteId, g.total, g.p50S])).toEqual([['north', 5, 20], ['south', 1, 100], [null, 1, null]]);
    });

    it('limits statistics to a site or to a scope (sites OR workers)', async () => {
      const may = { from: T0, to: Date.UTC(2025, 5, 1) };
      expect((await store.alarmStats({ ...may, siteId: 'south' })).total).toBe(1);
      expect((await store.alarmStats({ ...may, scope: { siteIds: [], workerIds: ['w2'] } })).total).toBe(1);
      expect((await store.alarmStats({ ...may, scope: { siteIds: ['north'], workerIds: ['w2'] } })).total).toBe(6);
      expect((await store.alarmStats({ ...may, scope: { siteIds: [], workerIds: [] } })).total).toBe(0);
    });

    it('searches the history by date range, worker, type, state and resolution, newest first', async () => {
      const may = { from: T0, to: Date.UTC(2025, 5, 1) };
      const all = await store.searchAlarms(may);
      expect(all.total).toBe(8);
      expect(all.alarms.map((a) => a.id)).toEqual(['n1', 'b1', 'a6', 'a5', 'a4', 'a3', 'a2', 'a1']);
      expect((await store.searchAlarms({ ...may, workerId: 'w2' })).alarms.map((a) => a.id)).toEqual(['b1']);
      expect((await store.searchAlarms({ ...may, types: ['sos', 'duress'] })).alarms.map((a) => a.id)).toEqual(['a5', 'a4', 'a3', 'a1']);
      expect((await store.searchAlarms({ ...may, states: ['raised'] })).alarms.map((a) => a.id)).toEqual(['a5']);
      expect((await store.searchAlarms({ ...may, resolution: 'false_alarm' })).alarms.map((a) => a.id)).toEqual(['b1', 'a2']);
      expect((await store.searchAlarms({})).total).toBe(10);
      const page = await store.searchAlarms({ ...may, limit: 3, offset: 3 });
      expect([page.total, page.alarms.map((a) => a.id)]).toEqual([8, ['a5', 'a4', 'a3']]);
      expect((await store.searchAlarms({ scope: { siteIds: ['south'], workerIds: [] } })).alarms.map((a) => a.id)).toEqual(['b1']);
    });

    it('keeps workers\' teams and users\' scopes', async () => {
      expect((await store.getWorker('w1'))!.teamId).toBe('night');
      expect((await store.getWorker('w2'))!.teamId).toBeNull();
      await store.createUser({ id: 'u1', username: 'sue', name: 'Sue', role: 'supervisor', passwordHash: 'x', scope: { siteIds: ['north'], teamIds: ['night'] } });
      await store.createUser({ id: 'u2', username: 'op', name: 'Op', role: 'operator', passwordHash: 'x' });
      expect((await store.getUserByName('sue'))!.scope).toEqual({ siteIds: ['north'], teamIds: ['night'] });
      expect((await store.getUser('u2'))!.scope).toBeNull();
      const changed = await store.updateUser('u1', { role: 'readonly', scope: null, name: 'Sue M.' });
      expect(changed).toMatchObject({ role: 'readonly', scope: null, name: 'Sue M.', passwordHash: 'x' });
      expect(await store.updateUser('nobody', { name: 'x' })).toBeUndefined();
    });

    it('ends a user\'s logins (all but the current one) and deletes users with their logins', async () => {
      for (const t of ['t1', 't2', 't3']) await store.createSession({ tokenHash: t, userId: 'u2', createdAt: 0, expiresAt: 1e15 });
      expect(await store.deleteUserSessions('u2', 't1')).toBe(2);
      expect(await store.getSession('t1')).toBeDefined();
      expect(await store.getSession('t2')).toBeUndefined();
      expect(await store.deleteUser('u2')).toBe(true);
      expect(await store.getSession('t1')).toBeUndefined();
      expect(await store.deleteUser('u2')).toBe(false);
    });

    it('stores floor plans per site and floor, and drops them with their site', async () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
      await store.putFloorPlan({ siteId: 'south', floor: '0', contentType: 'image/png', widthM: 40, heightM: 20, updatedAt: 5, updatedBy: 'user:ana' }, png);
      await store.putFloorPlan({ siteId: 'south', floor: '0', contentType: 'image/png', widthM: 50, heightM: 25, updatedAt: 6, updatedBy: 'user:ana' }, png);
      await store.putFloorPlan({ siteId: 'south', floor: '1', contentType: 'image/svg+xml', widthM: 50, heightM: 25, updatedAt: 7, updatedBy: 'user:ana' }, Buffer.from('<svg/>'));
      expect((await store.listFloorPlans('south')).map((p) => [p.floor, p.widthM, p.bytes])).toEqual([['0', 50, 7], ['1', 50, 6]]);
      const got = await store.getFloorPlanImage('south', '0');
      expect([got!.plan.contentType, got!.image.equals(png)]).toEqual(['image/png', true]);
      expect(await store.deleteFloorPlan('south', '1')).toBe(true);
      expect(await store.getFloorPlanImage('south', '1')).toBeUndefined();
      await store.upsertSite({ id: 'east', name: 'East' });
      await store.putFloorPlan({ siteId: 'east', floor: '0', contentType: 'image/png', widthM: 1, heightM: 1, updatedAt: 8, updatedBy: 'x' }, png);
      expect(await store.deleteSite('east')).toBe(true);
      expect(await store.listFloorPlans('east')).toEqual([]);
    });

    void created;
  });
}
