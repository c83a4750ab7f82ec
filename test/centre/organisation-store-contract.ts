/**
 * The organisation part of the store contract (issue 21 part 1), run on SQLite and PostgreSQL: the
 * default organisation an install starts with, records filed under the organisation of what they are
 * placed on (a worker under its site's, a device under its worker's, an alarm and a session under
 * their worker's), an organisation kept when a record is written again without one, and the SQL
 * filters — alarm searches, statistics and the audit log — that never return another organisation's rows.
 */
import type { NewAlarm, Session, Store } from '../../centre/src/store/types';

export function describeOrganisationStore(name: string, build: () => Promise<Store>): void {
  describe(`organisation store contract: ${name}`, () => {
    let store: Store;
    const entry = (entity: string, entityId: string, actor = 'system') => ({ at: 5, actor, action: 'x', entity, entityId });

    beforeEach(async () => {
      store = await build();
      await store.migrate();
      await store.putOrganisation({ id: 'acme', name: 'Acme', createdAt: 2 }, entry('organisation', 'acme'));
      await store.putOrganisation({ id: 'blue', name: 'Blue', createdAt: 3 });
      for (const org of ['acme', 'blue']) {
        await store.upsertSite({ id: `s-${org}`, name: org, organisationId: org });
        // no organisation given: the site's
        await store.upsertWorker({ id: `w-${org}`, name: org, phone: null, siteId: `s-${org}` });
        await store.addDevice({ id: org === 'acme' ? '000000a1' : '000000b1', key: '00'.repeat(16), board: 'puckjs', workerId: `w-${org}`, siteId: null, createdAt: 1, lastCounter: -1, lastSeenAt: null, batteryPct: null });
        await store.putEntity('contact', { id: `c-${org}`, name: org, kind: 'person', siteId: `s-${org}`, phone: null, email: null, webhookUrl: null, language: null });
        await store.createUser({ id: `u-${org}`, username: `admin-${org}`, name: org, role: 'admin', passwordHash: 'x', organisationId: org });
      }
    });

    afterEach(async () => {
      await store.close();
    });

    const alarm = (id: string, org: string, at: number): NewAlarm => ({
      id, type: 'sos', state: 'raised', priority: 2, siteId: null, deviceId: null, workerId: `w-${org}`, incidentRef: null, lastCounter: null, position: null, positionAt: null,
      createdAt: at, raisedAt: at, updatedAt: at, acknowledgedAt: at + 20_000, acknowledgedBy: 'user:op', resolvedAt: null, resolvedBy: null, resolution: null, comment: null, subject: `test:${id}`,
    });
    const session = (id: string, org: string): Session => ({
      id, owner: `w-${org}`, workerId: `w-${org}`, deviceId: null, siteId: null, kind: 'timed', state: 'active', startedAt: 1, startedBy: 'user:op', plannedEndAt: 100,
      reminderBeforeS: 10, reminderSentAt: null, checkInIntervalS: null, checkInGraceS: 60, nextCheckInAt: null, checkInPromptedAt: null, lastCheckInAt: null,
      note: null, phone: null, callList: [], endedAt: null, endedBy: null, updatedAt: 1,
    });

    it('starts with the default organisation and keeps a renamed one\'s creation time', async () => {
      expect((await store.listOrganisations()).map((o) => o.id)).toEqual(['acme', 'blue', 'default']);
      await store.putOrganisation({ id: 'acme', name: 'Acme Ltd', createdAt: 99 });
      expect(await store.getOrganisation('acme')).toEqual({ id: 'acme', name: 'Acme Ltd', createdAt: 2 });
      expect(await store.getOrganisation('nobody')).toBeUndefined();
    });

    it('files records under the organisation of what they are placed on', async () => {
      expect(await store.getWorker('w-blue')).toMatchObject({ organisationId: 'blue' });
      expect(await store.getDevice('000000b1')).toMatchObject({ organisationId: 'blue' });
      expect(await store.getEntity('contact', 'c-blue')).toMatchObject({ organisationId: 'blue' });
      expect((await store.listEntities('contact')).map((c) => [c.id, c.organisationId])).toEqual([['c-acme', 'acme'], ['c-blue', 'blue']]);
      const a = await store.createAlarm(alarm('a-blue', 'blue', 10), entry('alarm', 'a-blue'));
      expect(a.organisationId).toBe('blue');
      expect((await store.getAlarm('a-blue'))?.organisationId).toBe('blue');
      const s = await store.createWorkSession(session('sess-blue', 'blue'), entry('session', 'sess-blue'));
      expect(s.session.organisationId).toBe('blue');
      expect((await store.getWorkSession('sess-blue'))?.organisationId).toBe('blue');
      expect(await store.getUser('u-blue')).toMatchObject({ organisationId: 'blue' });
      expect(await store.getUserByName('admin-acme')).toMatchObject({ organisationId: 'acme' });
    });

    it('keeps a record\'s organisation when it is written again without one', async () => {
      await store.upsertSite({ id: 's-blue', name: 'Blue HQ' });
      await store.upsertWorker({ id: 'w-blue', name: 'Bea', phone: null, siteId: 's-blue' });
      await store.putEntity('contact', { id: 'c-blue', name: 'Bob', kind: 'person', siteId: null, phone: null, email: null, webhookUrl: null, language: null });
      expect(await store.getSite('s-blue')).toMatchObject({ name: 'Blue HQ', organisationId: 'blue' });
      expect(await store.getWorker('w-blue')).toMatchObject({ name: 'Bea', organisationId: 'blue' });
      expect(await store.getEntity('contact', 'c-blue')).toMatchObject({ name: 'Bob', organisationId: 'blue' });
    });

    it('never returns another organisation\'s alarms, statistics or audit entries', async () => {
      await store.createAlarm(alarm('a-acme', 'acme', 10), entry('alarm', 'a-acme'));
      await store.createAlarm(alarm('a-blue', 'blue', 20), entry('alarm', 'a-blue'));
      await store.createAlarm(alarm('a-blue2', 'blue', 30), entry('alarm', 'a-blue2', 'user:admin-blue'));
      const acme = { siteIds: [], workerIds: [], sites: false, organisationId: 'acme' };
      expect((await store.searchAlarms({ scope: acme })).alarms.map((a) => a.id)).toEqual(['a-acme']);
      expect((await store.searchAlarms({ organisationId: 'blue' })).alarms.map((a) => a.id)).toEqual(['a-blue2', 'a-blue']);
      // an organisation's supervisor: its own sites and workers within it
      expect((await store.searchAlarms({ scope: { siteIds: [], workerIds: ['w-blue'], sites: true, organisationId: 'acme' } })).total).toBe(0);
      const stats = await store.alarmStats({ from: 0, to: 100, scope: acme });
      expect(stats.total).toBe(1);
      expect(stats.byOrganisation.map((g) => [g.organisationId, g.total])).toEqual([['acme', 1]]);
      const all = await store.alarmStats({ from: 0, to: 100 });
      expect(all.byOrganisation.map((g) => [g.organisationId, g.total, g.acknowledged])).toEqual([['acme', 1, 1], ['blue', 2, 2]]);

      await store.appendAudit(entry('user', 'u-blue', 'user:admin-blue'));
      await store.appendAudit({ ...entry('session', 'nothing', 'user:admin-blue'), action: 'login' });
      await store.appendAudit(entry('contact', 'c-acme', 'user:centre-op'));
      const acmeLog = (await store.searchAudit({ organisationId: 'acme' })).entries.map((e) => `${e.entity}:${e.entityId}`);
      expect(acmeLog.sort()).toEqual(['alarm:a-acme', 'contact:c-acme']);
      const blueLog = await store.searchAudit({ organisationId: 'blue' });
      expect(blueLog.total).toBe(4);
      expect(blueLog.entries.every((e) => !e.entityId.includes('acme'))).toBe(true);
    });

    it('deletes an organisation only once nothing belongs to it', async () => {
      expect(await store.deleteOrganisation('blue')).toBe(false);
      await store.putOrganisation({ id: 'empty', name: 'Empty', createdAt: 4 });
      expect(await store.deleteOrganisation('empty', entry('organisation', 'empty'))).toBe(true);
      expect(await store.getOrganisation('empty')).toBeUndefined();
      expect(await store.deleteOrganisation('empty')).toBe(false);
    });
  });
}
