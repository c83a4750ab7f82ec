/**
 * The store contract of running Vigil as a service (issue 21), on every engine: retention by record
 * kind (never what an open alarm or an active session needs; the audit log only below its horizon),
 * the audit view's searches, one worker's data (GDPR article 15) and its erasure (article 17) that
 * keeps the alarm statistics and leaves nothing that names the person.
 */
import type { AlarmStats, NewAlarm, NewOutboxMessage, Session, Store } from '../../centre/src/store/types';

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;

export function describeOpsStore(name: string, build: () => Promise<Store>): void {
  describe(`ops store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await build();
      await store.migrate();
      await store.upsertSite({ id: 's1', name: 'Site 1' });
      await store.upsertWorker({ id: 'w1', name: 'Wendy Wright', phone: '+33600000001', siteId: 's1' });
      await store.upsertWorker({ id: 'w2', name: 'Walt', phone: '+33600000002', siteId: 's1' });
      await store.addDevice({ id: '0000beef', key: '00'.repeat(16), board: 'puckjs', workerId: 'w1', siteId: 's1', createdAt: 1, lastCounter: -1, lastSeenAt: null, batteryPct: null });
    });

    afterEach(async () => {
      await store.close();
    });

    const alarm = (id: string, at: number, extra: Partial<NewAlarm> = {}): NewAlarm => ({
      id, type: 'sos', state: 'raised', priority: 2, siteId: 's1', deviceId: '0000beef', workerId: 'w1', incidentRef: 1, lastCounter: 1, subject: `device:${id}`,
      position: { kind: 'gps', lat: 48.85, lon: 2.35 }, positionAt: at, createdAt: at, raisedAt: at, updatedAt: at,
      acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null, ...extra,
    });
    const raised = (id: string, at: number) => ({ at, actor: 'device:0000beef', action: 'raised', entity: 'alarm', entityId: id });
    const closed = (at: number, by = 'user:olga', comment = 'pressed by mistake') => ({
      state: 'resolved' as const, acknowledgedAt: at + 20_000, acknowledgedBy: by, resolvedAt: at + 60_000, resolvedBy: by, resolution: 'false_alarm' as const, comment, updatedAt: at + 60_000,
    });
    const session = (id: string, at: number, extra: Partial<Session> = {}): Session => ({
      id, owner: 'w1', workerId: 'w1', deviceId: '0000beef', siteId: 's1', kind: 'timed', state: 'stopped', startedAt: at, startedBy: 'worker:w1', plannedEndAt: at + 3600_000,
      reminderBeforeS: 10, reminderSentAt: null, checkInIntervalS: null, checkInGraceS: 60, nextCheckInAt: null, checkInPromptedAt: null, lastCheckInAt: null,
      note: 'meter room', phone: '+33611111111', callList: [{ name: 'Porter', phone: '+33600' }], endedAt: at + 3600_000, endedBy: 'worker:w1', updatedAt: at, ...extra,
    });
    const sms = (id: string, alarmId: string | null, at: number, to = '+33600000001'): NewOutboxMessage => ({
      id, alarmId, alarmNumber: null, escalationId: null, step: null, targetKey: null, channel: 'sms', to, contactId: '@worker', contactName: 'Wendy Wright',
      subject: 'SOS', text: 'SOS Wendy Wright', link: null, data: null, priority: 2, maxAttempts: 3, nextAttemptAt: at, createdAt: at,
    });

    it('purges each kind by its own cutoff, never an open alarm, an active session or a newer audit entry', async () => {
      await store.createAlarm(alarm('old', T0), raised('old', T0));
      await store.updateAlarm('old', ['raised'], closed(T0), { at: T0 + 60_000, actor: 'user:olga', action: 'resolved', entity: 'alarm', entityId: 'old' });
      await store.createAlarm(alarm('open', T0, { subject: 'device:open', type: 'fall' }), raised('open', T0));
      await store.enqueue([sms('m-old', 'old', T0), sms('m-open', 'open', T0)]);
      await store.createWorkSession(session('sess-old', T0), { at: T0, actor: 'worker:w1', action: 'session_started', entity: 'session', entityId: 'sess-old' });
      await store.createWorkSession(session('sess-on', T0, { state: 'active', endedAt: null, endedBy: null }), { at: T0, actor: 'worker:w1', action: 'session_started', entity: 'session', entityId: 'sess-on' });
      await store.addPosition({ deviceId: '0000beef', workerId: 'w1', kind: 'gps', lat: 1, lon: 2, beaconId: null, zoneId: null, rssiDbm: null, at: T0 });
      await store.appendAudit({ at: T0 + 10 * DAY, actor: 'user:olga', action: 'login', entity: 'user', entityId: 'olga' });

      // nothing configured: nothing goes
      expect(Object.values(await store.purge({}))).toEqual([0, 0, 0, 0, 0, 0, 0]);
      const cut = T0 + 5 * DAY;
      const n = await store.purge({ positions: cut, events: cut, notifications: cut, alarms: cut, sessions: cut, audit: cut, now: cut });
      expect(n).toMatchObject({ positions: 1, alarms: 1, sessions: 1 });
      expect(n.audit).toBeGreaterThanOrEqual(3); // the raises, resolve and session starts before the cutoff
      expect(await store.getAlarm('old')).toBeUndefined();
      expect(await store.getAlarm('open')).toBeDefined();
      expect((await store.listOutbox({ alarmId: 'open' })).map((m) => m.id)).toEqual(['m-open']);
      expect(await store.getWorkSession('sess-old')).toBeUndefined();
      expect((await store.getWorkSession('sess-on'))?.state).toBe('active');
      expect((await store.searchAudit({})).entries.map((e) => e.action)).toEqual(['login']);
      // the horizon never moves back: a later purge with an earlier cutoff deletes nothing newer
      expect((await store.purge({ audit: T0 })).audit).toBe(0);
      expect((await store.searchAudit({})).total).toBe(1);
    });

    it('keeps an ended session an alarm still refers to', async () => {
      await store.createWorkSession(session('sess-x', T0), { at: T0, actor: 'worker:w1', action: 'session_started', entity: 'session', entityId: 'sess-x' });
      await store.createAlarm(alarm('a', T0, { type: 'session_expired', sessionId: 'sess-x' }), raised('a', T0));
      expect((await store.purge({ sessions: T0 + 10 * DAY })).sessions).toBe(0);
      expect(await store.getWorkSession('sess-x')).toBeDefined();
    });

    it('searches the audit log by time, actor, action and entity, newest first, with the total', async () => {
      const e = (at: number, actor: string, action: string, entity = 'user', entityId = 'x') => store.appendAudit({ at, actor, action, entity, entityId });
      await e(T0, 'user:olga', 'login');
      await e(T0 + 1, 'user:olga', 'login_failed');
      await e(T0 + 2, 'worker:olga', 'session_started', 'session', 'sx');
      await e(T0 + 3, 'user:bob', 'acknowledged', 'alarm', 'a1');
      await e(T0 + 4, 'user:bob', 'resolved', 'alarm', 'a1');
      expect((await store.searchAudit({})).entries.map((x) => x.at - T0)).toEqual([4, 3, 2, 1, 0]);
      expect((await store.searchAudit({ actor: 'olga' })).total).toBe(3);
      expect((await store.searchAudit({ actor: 'user:olga' })).total).toBe(2);
      expect((await store.searchAudit({ actions: ['acknowledged', 'resolved'] })).entries.map((x) => x.action)).toEqual(['resolved', 'acknowledged']);
      expect((await store.searchAudit({ from: T0 + 1, to: T0 + 3 })).entries.map((x) => x.action)).toEqual(['session_started', 'login_failed']);
      expect((await store.searchAudit({ entity: 'alarm', entityId: 'a1' })).total).toBe(2);
      const page = await store.searchAudit({ limit: 2, offset: 2 });
      expect(page).toMatchObject({ total: 5 });
      expect(page.entries.map((x) => x.action)).toEqual(['session_started', 'login_failed']);
    });

    const history = async (): Promise<void> => {
      await store.createAlarm(alarm('a1', T0), raised('a1', T0));
      await store.updateAlarm('a1', ['raised'], closed(T0), { at: T0 + 60_000, actor: 'user:olga', action: 'resolved', entity: 'alarm', entityId: 'a1', data: { comment: 'Wendy pressed it' } });
      await store.createAlarm(alarm('b1', T0 + 1000, { workerId: 'w2', deviceId: null, subject: 'worker:w2' }), raised('b1', T0 + 1000));
      await store.updateAlarm('b1', ['raised'], closed(T0 + 1000), undefined);
      await store.createWorkSession(session('sess-1', T0), { at: T0, actor: 'worker:w1', action: 'session_started', entity: 'session', entityId: 'sess-1' });
      await store.addPosition({ deviceId: '0000beef', workerId: 'w1', kind: 'gps', lat: 48.85, lon: 2.35, beaconId: null, zoneId: null, rssiDbm: null, at: T0 });
      await store.enqueue([sms('m1', 'a1', T0)]);
      await store.recordAttempt({ at: T0, notificationId: 'm1', alarmId: 'a1', channel: 'sms', to: '+33600000001', contactName: 'Wendy Wright', status: 'sent', detail: null });
      await store.appendAudit({ at: T0 + 5, actor: 'user:admin', action: 'device_assigned', entity: 'device', entityId: '0000beef', data: { workerId: 'w1', name: 'Wendy Wright' } });
    };

    it('gathers everything held about a worker', async () => {
      await history();
      const d = await store.workerData('w1');
      expect(d.worker?.name).toBe('Wendy Wright');
      expect(d.alarms.map((a) => a.id)).toEqual(['a1']);
      expect(d.sessions.map((s) => s.id)).toEqual(['sess-1']);
      expect(d.positions).toHaveLength(1);
      expect(d.devices.map((x) => x.id)).toEqual(['0000beef']);
      expect(d.notifications.map((m) => m.to)).toEqual(['+33600000001']);
      expect(d.attempts).toHaveLength(1);
      expect(d.audit.map((e) => e.action).sort()).toEqual(['device_assigned', 'raised', 'resolved', 'session_started']);
      expect((await store.workerData('nobody')).alarms).toEqual([]);
    });

    it('erases a worker keeping the alarm statistics, with its audit entry, and refuses while an alarm is open', async () => {
      await history();
      await store.createAlarm(alarm('open', T0 + 2000, { subject: 'device:open', type: 'fall' }), raised('open', T0 + 2000));
      const request = (at: number) => ({ workerId: 'w1', at, pseudonym: 'erased-1', audit: { at, actor: 'user:admin', action: 'worker_erased', entity: 'worker', entityId: 'erased-1', data: {} } });
      expect(await store.eraseWorker(request(T0 + 9000))).toMatchObject({ ok: false, code: 'open_alarm' });
      await store.updateAlarm('open', ['raised'], closed(T0 + 2000), undefined);
      const stats: AlarmStats = await store.alarmStats({ from: T0 - DAY, to: T0 + DAY });

      const r = await store.eraseWorker(request(T0 + 10_000));
      expect(r).toMatchObject({ ok: true, counts: { alarms: 2, sessions: 1, positions: 1, worker: 1 } });
      // the figures are unchanged; the person is gone
      expect(await store.alarmStats({ from: T0 - DAY, to: T0 + DAY })).toEqual(stats);
      expect(await store.getWorker('w1')).toBeUndefined();
      const left = await store.workerData('w1');
      expect([left.worker, left.alarms, left.sessions, left.positions, left.devices, left.notifications, left.attempts, left.audit]).toEqual([null, [], [], [], [], [], [], []]);
      expect((await store.getAlarm('a1'))?.workerId).toBe('erased-1');
      // nothing left anywhere names them: their name, numbers or id
      const everything = JSON.stringify([
        await store.listAlarms(), await store.listWorkSessions(), await store.searchAudit({ limit: 1000 }), await store.listOutbox({ alarmId: 'a1' }), await store.listAttempts('a1'), await store.listDevices(),
      ]);
      for (const trace of ['Wendy', '+33600000001', '+33611111111', '"w1"', 'worker:w1']) expect(everything).not.toContain(trace);
      // the other worker is untouched, and the erasure is in the log
      expect((await store.getAlarm('b1'))?.workerId).toBe('w2');
      expect((await store.searchAudit({ actions: ['worker_erased'] })).entries[0]?.data).toMatchObject({ counts: { alarms: 2 } });
    });

    it('erases the person\'s full name and numbers from what others wrote about other people, keeping the rest of the text', async () => {
      await history();
      // Walt's alarm: its resolve comment, a note on its timeline, his session's note, all naming Wendy
      await store.updateAlarm('b1', ['resolved'], { comment: 'Walt fell; WENDY WRIGHT found him and called +33600000001', updatedAt: T0 + 70_000 }, undefined);
      await store.appendAudit({ at: T0 + 70_000, actor: 'user:olga', action: 'note', entity: 'alarm', entityId: 'b1', data: { text: 'Called Wendy  Wright back: she is with Walt (not Wendy Wrightson)' } });
      await store.createWorkSession(session('sess-2', T0, { owner: 'w2', workerId: 'w2', note: 'pairs with Wendy Wright today', phone: null, callList: [] }), { at: T0, actor: 'worker:w2', action: 'session_started', entity: 'session', entityId: 'sess-2' });
      const r = await store.eraseWorker({ workerId: 'w1', at: T0 + 80_000, pseudonym: 'erased-2', audit: { at: T0 + 80_000, actor: 'user:admin', action: 'worker_erased', entity: 'worker', entityId: 'erased-2', data: {} } });
      expect(r).toMatchObject({ ok: true, counts: { freeText: 3 } });

      expect((await store.getAlarm('b1'))?.comment).toBe('Walt fell; (erased) found him and called (erased)');
      const note = (await store.searchAudit({ actions: ['note'] })).entries[0]!;
      expect(note.data).toEqual({ text: 'Called (erased) back: she is with Walt (not Wendy Wrightson)' });
      expect(note.redactedAt).toBe(T0 + 80_000);
      expect((await store.getWorkSession('sess-2'))?.note).toBe('pairs with (erased) today');
      // the export after the erasure shows nothing of the person, and nothing else names them
      const left = await store.workerData('w1');
      expect([left.worker, left.alarms, left.sessions, left.positions, left.devices, left.notifications, left.attempts, left.audit]).toEqual([null, [], [], [], [], [], [], []]);
      const everything = JSON.stringify([await store.listAlarms(), await store.listWorkSessions(), await store.searchAudit({ limit: 1000 }), await store.workerData('w2')]);
      expect(everything.replace(/Wendy Wrightson/g, '')).not.toMatch(/Wendy Wright|\+33600000001/i);
    });
  });
}
