/**
 * The contract every centre store passes (SQLite now, PostgreSQL in the scale-out issue):
 * idempotent ingest, alarm numbering, conditional transitions, an append-only audit log.
 */
import type { NewAlarm, Store } from '../../centre/src/store/types';

export function describeStore(name: string, build: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await build();
      await store.migrate();
      await store.upsertSite({ id: 's1', name: 'Site 1' });
      await store.upsertWorker({ id: 'w1', name: 'Wendy', phone: null, siteId: 's1' });
      await store.addDevice({ id: '0000beef', key: '00'.repeat(16), board: 'puckjs', workerId: 'w1', siteId: 's1', createdAt: 1, lastCounter: -1, lastSeenAt: null, batteryPct: null });
    });

    afterEach(async () => {
      await store.close();
    });

    const event = (counter: number, receivedAt = 1000) => ({
      deviceId: '0000beef', counter, type: 'heartbeat' as const, receivedAt, gatewayId: 'gw', siteId: 's1', rssiDbm: -70, batteryPct: 80, position: null, detail: 0, ref: counter,
    });

    it('migrates twice without harm', async () => {
      await store.migrate();
      expect(await store.listSites()).toEqual([{ id: 's1', name: 'Site 1' }]);
    });

    it('ingests each device + counter once and tracks the device', async () => {
      expect(await store.recordEvent(event(5, 1000))).toBe('new');
      expect(await store.recordEvent(event(5, 1001))).toBe('duplicate');
      expect(await store.recordEvent(event(3, 900))).toBe('new');
      const d = await store.getDevice('0000beef');
      expect(d).toMatchObject({ lastCounter: 5, lastSeenAt: 1000, batteryPct: 80 });
    });

    const alarm = (id: string, at: number): NewAlarm => ({
      id, type: 'sos', state: 'raised', priority: 2, siteId: 's1', deviceId: '0000beef', workerId: 'w1', incidentRef: 1, lastCounter: 1,
      position: { kind: 'beacon', beaconId: 7, rssiDbm: -60, ageS: 1 }, positionAt: at, createdAt: at, raisedAt: at, updatedAt: at,
      acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null,
    });

    it('numbers alarms and finds the open one per device and type', async () => {
      const a = await store.createAlarm(alarm('a1', 10), { at: 10, actor: 'device:0000beef', action: 'raised', entity: 'alarm', entityId: 'a1' });
      const b = await store.createAlarm(alarm('a2', 20), { at: 20, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'a2' });
      expect(Number(b.number)).toBe(Number(a.number) + 1);
      expect((await store.getAlarm('a1'))?.position).toEqual({ kind: 'beacon', beaconId: 7, rssiDbm: -60, ageS: 1 });
      expect((await store.findOpenAlarm('0000beef', 'sos'))?.id).toBe('a2');
      expect(await store.findOpenAlarm('0000beef', 'fall')).toBeUndefined();
    });

    it('lets only the first acknowledgement win', async () => {
      await store.createAlarm(alarm('a1', 10), { at: 10, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'a1' });
      const [x, y] = await Promise.all([
        store.updateAlarm('a1', ['raised'], { state: 'acknowledged', acknowledgedBy: 'user:x' }, { at: 11, actor: 'user:x', action: 'acknowledged', entity: 'alarm', entityId: 'a1' }),
        store.updateAlarm('a1', ['raised'], { state: 'acknowledged', acknowledgedBy: 'user:y' }, { at: 11, actor: 'user:y', action: 'acknowledged', entity: 'alarm', entityId: 'a1' }),
      ]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
      const audit = await store.listAudit('alarm', 'a1');
      expect(audit.map((e) => e.action)).toEqual(['raised', 'acknowledged']);
      expect(await store.listAlarms({ states: ['acknowledged'] })).toHaveLength(1);
    });

    it('keeps users and expiring sessions', async () => {
      await store.createUser({ id: 'u1', username: 'op', name: 'Op', role: 'operator', passwordHash: 'scrypt$x' });
      expect((await store.getUserByName('op'))?.id).toBe('u1');
      await store.createSession({ tokenHash: 'h', userId: 'u1', createdAt: 1, expiresAt: 2 });
      expect(await store.getSession('h')).toEqual({ tokenHash: 'h', userId: 'u1', createdAt: 1, expiresAt: 2 });
      await store.deleteSession('h');
      expect(await store.getSession('h')).toBeUndefined();
    });
  });
}
