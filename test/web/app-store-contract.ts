/**
 * The worker app's part of the Store contract (store/app-records.ts): every Store implementation runs
 * it. Worker logins, pairing codes that work once, and phone events idempotent on their key.
 */
import type { Store } from '../../centre/src/store/types';

export function describeAppStore(name: string, make: () => Promise<Store>): void {
  describe(`${name} store: worker app`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await make();
      await store.migrate();
      await store.upsertSite({ id: 's', name: 'S' });
      await store.upsertWorker({ id: 'w1', name: 'Wendy', phone: null, siteId: 's' });
      await store.upsertWorker({ id: 'w2', name: 'Will', phone: null, siteId: 's' });
      await store.addDevice({ id: '0000f00d', key: '00'.repeat(16), board: 'phone', workerId: 'w1', siteId: 's', createdAt: 1, lastCounter: -1, lastSeenAt: null, batteryPct: null });
    });

    afterEach(async () => store.close());

    it('keeps one login per worker, user names unique across workers', async () => {
      const c = { workerId: 'w1', username: 'wendy', passwordHash: 'h1', createdAt: 1, createdBy: 'user:root' };
      expect(await store.putWorkerCredential(c)).toBe(true);
      expect(await store.putWorkerCredential({ ...c, passwordHash: 'h2' })).toBe(true);
      expect(await store.putWorkerCredential({ ...c, workerId: 'w2' })).toBe(false);
      expect(await store.getWorkerCredential({ username: 'wendy' })).toMatchObject({ workerId: 'w1', passwordHash: 'h2' });
      expect(await store.getWorkerCredential({ workerId: 'w2' })).toBeUndefined();
      await store.createWorkerLogin({ tokenHash: 't1', workerId: 'w1', via: 'password', createdAt: 1, expiresAt: 100 });
      await store.touchWorkerLogin('t1', 50);
      expect((await store.getWorkerLogin('t1'))?.expiresAt).toBe(100);
      await store.touchWorkerLogin('t1', 200);
      expect((await store.getWorkerLogin('t1'))?.expiresAt).toBe(200);
      expect(await store.deleteWorkerCredential('w1')).toBe(true);
      expect(await store.getWorkerLogin('t1')).toBeUndefined();
      expect(await store.getWorkerCredential({ username: 'wendy' })).toBeUndefined();
    });

    it('redeems a pairing code once, and never after it expired', async () => {
      await store.createPairingCode({ codeHash: 'c1', workerId: 'w1', createdAt: 1, createdBy: 'user:root', expiresAt: 100, usedAt: null });
      await store.createPairingCode({ codeHash: 'c2', workerId: 'w1', createdAt: 1, createdBy: 'user:root', expiresAt: 100, usedAt: null });
      expect(await store.redeemPairingCode('c1', 10)).toMatchObject({ workerId: 'w1', usedAt: 10 });
      expect(await store.redeemPairingCode('c1', 11)).toBeUndefined();
      expect(await store.redeemPairingCode('c2', 100)).toBeUndefined();
      expect(await store.redeemPairingCode('nope', 10)).toBeUndefined();
    });

    it('stores a phone event once per key, with the next counter and its incident', async () => {
      const base = { workerId: 'w1', deviceId: '0000f00d', siteId: 's', batteryPct: 70, position: null, mustHandle: true };
      const pre = await store.recordAppEvent({ ...base, key: 'k-pre', type: 'pre_alarm', at: 10, detail: 2 });
      expect(pre).toEqual({ verdict: 'new', counter: 0, ref: 0 });
      // Not handled yet: a retry must run the rules again.
      expect(await store.recordAppEvent({ ...base, key: 'k-pre', type: 'pre_alarm', at: 11, detail: 2 })).toEqual({ verdict: 'retry', counter: 0, ref: 0 });
      await store.markEventHandled('0000f00d', 0);
      expect(await store.recordAppEvent({ ...base, key: 'k-pre', type: 'pre_alarm', at: 12, detail: 2 })).toEqual({ verdict: 'duplicate', counter: 0, ref: 0 });
      const alarm = await store.recordAppEvent({ ...base, key: 'k-sos', type: 'sos', at: 20, detail: 0, incidentKey: 'k-pre', position: { kind: 'gps', lat: 1, lon: 2 } });
      expect(alarm).toEqual({ verdict: 'new', counter: 1, ref: 0 });
      expect(await store.getDevice('0000f00d')).toMatchObject({ lastCounter: 1, lastSeenAt: 20, batteryPct: 70 });
      expect((await store.listUnhandledEvents(10)).map((e) => [e.counter, e.type, e.ref, e.position])).toEqual([[1, 'sos', 0, { kind: 'gps', lat: 1, lon: 2 }]]);
      // Another worker cannot reuse (or learn about) a key; a removed device is no device.
      expect(await store.recordAppEvent({ ...base, workerId: 'w2', key: 'k-sos', type: 'sos', at: 21, detail: 0 })).toEqual({ verdict: 'foreign' });
      expect(await store.recordAppEvent({ ...base, deviceId: '0000dead', key: 'k-new', type: 'sos', at: 21, detail: 0 })).toEqual({ verdict: 'unknown_device' });
      expect(await store.getAppAction('k-sos')).toMatchObject({ workerId: 'w1', deviceId: '0000f00d', counter: 1 });
    });

    it('keeps the first answer to a keyed action, and purges old keys, expired logins and codes', async () => {
      const a = { key: 'k1', workerId: 'w1', action: 'session_start', at: 5, deviceId: null, counter: null, status: 201, response: { session: { id: 'x' } } };
      expect(await store.putAppAction(a)).toBe(true);
      expect(await store.putAppAction({ ...a, status: 409, response: null })).toBe(false);
      expect(await store.getAppAction('k1')).toEqual(a);
      await store.createWorkerLogin({ tokenHash: 'old', workerId: 'w1', via: 'pairing', createdAt: 1, expiresAt: 50 });
      await store.createWorkerLogin({ tokenHash: 'live', workerId: 'w1', via: 'pairing', createdAt: 1, expiresAt: 500 });
      await store.createPairingCode({ codeHash: 'c', workerId: 'w1', createdAt: 1, createdBy: 'u', expiresAt: 50, usedAt: null });
      expect(await store.purgeApp(10, 100)).toBe(3);
      expect(await store.getAppAction('k1')).toBeUndefined();
      expect(await store.getWorkerLogin('live')).toBeDefined();
    });
  });
}
