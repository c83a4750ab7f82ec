/**
 * The contract every centre store passes (SQLite, PostgreSQL): idempotent ingest, alarm numbering,
 * one open alarm per subject, conditional transitions, an append-only audit log, registry records and
 * version, sessions, escalations with their outbox (claims, leases, fencing), tokens, positions, and
 * live-stream tickets. Operations that several centre workers run at the same time are run here
 * concurrently (Promise.all): on SQLite they serialise in one process, on PostgreSQL they race.
 */
import type { Escalation, NewAlarm, NewOutboxMessage, Session, Store } from '../../centre/src/store/types';

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

    const event = (counter: number, receivedAt = 1000, mustHandle = false) => ({
      deviceId: '0000beef', counter, type: 'heartbeat' as const, receivedAt, gatewayId: 'gw', siteId: 's1', rssiDbm: -70, batteryPct: 80, position: null, detail: 0, ref: counter, mustHandle,
    });

    it('migrates twice without harm', async () => {
      await store.migrate();
      expect(await store.listSites()).toEqual([{ id: 's1', name: 'Site 1', ladderId: null, timeZone: null, organisationId: 'default' }]);
    });

    it('keeps a site\'s time zone and a worker\'s language (issue 20)', async () => {
      await store.upsertSite({ id: 's1', name: 'Site 1', timeZone: 'Europe/Paris' });
      await store.upsertWorker({ id: 'w-fr', name: 'Chloé', phone: null, siteId: 's1', language: 'fr' });
      expect(await store.getSite('s1')).toMatchObject({ timeZone: 'Europe/Paris' });
      expect(await store.getWorker('w-fr')).toMatchObject({ language: 'fr' });
      await store.upsertWorker({ id: 'w-fr', name: 'Chloé', phone: null, siteId: 's1' });
      expect(await store.getWorker('w-fr')).toMatchObject({ language: null });
      await store.deleteWorker('w-fr');
      await store.upsertSite({ id: 's1', name: 'Site 1' });
    });

    it('ingests each device + counter once and tracks the device', async () => {
      expect(await store.recordEvent(event(5, 1000))).toBe('new');
      expect(await store.recordEvent(event(5, 1001))).toBe('duplicate');
      expect(await store.recordEvent(event(3, 900))).toBe('new');
      const d = await store.getDevice('0000beef');
      expect(d).toMatchObject({ lastCounter: 5, lastSeenAt: 1000, batteryPct: 80 });
    });

    it('records a batch of events in one transaction, with a verdict each', async () => {
      expect(await store.recordEvents([event(1, 10), event(2, 20), event(1, 30), event(3, 40, true)])).toEqual(['new', 'new', 'duplicate', 'new']);
      expect(await store.getDevice('0000beef')).toMatchObject({ lastCounter: 3, lastSeenAt: 40 });
    });

    it('says retry for a stored event whose rules never completed, until marked handled', async () => {
      expect(await store.recordEvent(event(7, 1000, true))).toBe('new');
      expect(await store.recordEvent(event(7, 1000, true))).toBe('retry');
      expect((await store.listUnhandledEvents(10)).map((e) => e.counter)).toEqual([7]);
      await store.markEventHandled('0000beef', 7);
      expect(await store.recordEvent(event(7, 1000, true))).toBe('duplicate');
      expect(await store.listUnhandledEvents(10)).toEqual([]);
    });

    it('refuses counters purged by the retention as stale', async () => {
      await store.recordEvent(event(10, 1000));
      await store.recordEvent(event(11, 5000));
      const n = await store.purge({ positions: 2000, events: 2000, notifications: 2000 });
      expect(n.events).toBe(1);
      expect(await store.recordEvent(event(10, 6000))).toBe('stale');
      expect(await store.recordEvent(event(12, 6000))).toBe('new');
    });

    const alarm = (id: string, at: number, extra: Partial<NewAlarm> = {}): NewAlarm => ({
      id, type: 'sos', state: 'raised', priority: 2, siteId: 's1', deviceId: '0000beef', workerId: 'w1', incidentRef: 1, lastCounter: 1,
      position: { kind: 'beacon', beaconId: 7, rssiDbm: -60, ageS: 1 }, positionAt: at, createdAt: at, raisedAt: at, updatedAt: at,
      acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null, ...extra,
    });
    const audit = (id: string, at = 1) => ({ at, actor: 'system', action: 'raised', entity: 'alarm', entityId: id });

    it('numbers alarms and finds the open one per device, subject and number', async () => {
      const a = await store.createAlarm(alarm('a1', 10), { at: 10, actor: 'device:0000beef', action: 'raised', entity: 'alarm', entityId: 'a1' });
      await store.updateAlarm('a1', ['raised'], { state: 'resolved' }, undefined);
      const b = await store.createAlarm(alarm('a2', 20), audit('a2', 20));
      expect(Number(b.number)).toBe(Number(a.number) + 1);
      expect((await store.getAlarm('a1'))?.position).toEqual({ kind: 'beacon', beaconId: 7, rssiDbm: -60, ageS: 1 });
      expect((await store.findOpenAlarm('0000beef', 'sos'))?.id).toBe('a2');
      expect(await store.findOpenAlarm('0000beef', 'fall')).toBeUndefined();
      expect((await store.getAlarmByNumber(b.number))?.id).toBe('a2');
      expect(await store.getAlarmByNumber('nope')).toBeUndefined();
      await store.createAlarm(alarm('g1', 30, { type: 'gateway_offline', priority: 4, deviceId: null, workerId: null, subject: 'gateway:s1/gw-1', text: 'gone' }), audit('g1'));
      expect((await store.findOpenAlarmBySubject('gateway:s1/gw-1', 'gateway_offline'))?.text).toBe('gone');
      expect(await store.siteAlarmSummary('s1')).toEqual({ openAlarms: 2, types: ['gateway_offline', 'sos'] });
    });

    it('keeps one open alarm per subject and type: a second raise, even concurrent, returns the open one', async () => {
      await store.createAlarm(alarm('a1', 10), audit('a1'));
      expect((await store.createAlarm(alarm('a2', 11), audit('a2'))).id).toBe('a1');
      expect(await store.getAlarm('a2')).toBeUndefined();
      expect(await store.listAudit('alarm', 'a2')).toEqual([]);
      // workers raising the same incident at the same time: one alarm
      const racers = await Promise.all(Array.from({ length: 8 }, (_, i) => store.createAlarm(alarm(`r${i}`, 30, { type: 'fall' }), audit(`r${i}`))));
      expect(new Set(racers.map((r) => r.id)).size).toBe(1);
      expect(await store.listAlarms({ states: ['raised'], deviceId: '0000beef' })).toHaveLength(2);
      // closed, the next incident is a new alarm; other subjects are independent
      await store.updateAlarm('a1', ['raised'], { state: 'resolved' }, undefined);
      expect((await store.createAlarm(alarm('a3', 40), audit('a3'))).id).toBe('a3');
      expect((await store.createAlarm(alarm('g1', 50, { type: 'gateway_offline', deviceId: null, subject: 'gateway:s1/gw' }), audit('g1'))).id).toBe('g1');
    });

    it('lists alarms most urgent first, then oldest first, then by number', async () => {
      // same priority and same millisecond: the number (the order they were raised) decides
      await store.createAlarm(alarm('late', 30, { type: 'fall', subject: 'device:late' }), audit('late'));
      await store.createAlarm(alarm('tie-1', 20, { type: 'fall', subject: 'device:t1' }), audit('tie-1'));
      await store.createAlarm(alarm('tie-2', 20, { type: 'fall', subject: 'device:t2' }), audit('tie-2'));
      await store.updateAlarm('tie-1', ['raised'], { comment: 'seen' }, undefined); // PostgreSQL writes the row anew, after tie-2
      await store.createAlarm(alarm('urgent', 40, { type: 'duress', priority: 1, subject: 'device:u' }), audit('urgent'));
      await store.createAlarm(alarm('minor', 10, { type: 'low_battery', priority: 5, subject: 'device:m' }), audit('minor'));
      expect((await store.listAlarms()).map((a) => a.id)).toEqual(['urgent', 'tie-1', 'tie-2', 'late', 'minor']);
      expect((await store.listAlarms({ limit: 2 })).map((a) => a.id)).toEqual(['urgent', 'tie-1']);
    });

    it('lets only the first acknowledgement win', async () => {
      await store.createAlarm(alarm('a1', 10), audit('a1', 10));
      const acks = await Promise.all(['x', 'y', 'z', 'v', 'w'].map((u) =>
        store.updateAlarm('a1', ['raised'], { state: 'acknowledged', acknowledgedBy: `user:${u}` }, { at: 11, actor: `user:${u}`, action: 'acknowledged', entity: 'alarm', entityId: 'a1' })));
      expect(acks.filter(Boolean)).toHaveLength(1);
      expect((await store.getAlarm('a1'))?.acknowledgedBy).toBe(acks.find(Boolean)?.acknowledgedBy);
      expect((await store.listAudit('alarm', 'a1')).map((e) => e.action)).toEqual(['raised', 'acknowledged']);
      expect(await store.listAlarms({ states: ['acknowledged'] })).toHaveLength(1);
    });

    it('keeps users and expiring sessions', async () => {
      await store.createUser({ id: 'u1', username: 'op', name: 'Op', role: 'operator', passwordHash: 'scrypt$x' });
      expect((await store.getUserByName('op'))?.id).toBe('u1');
      expect((await store.listUsers()).map((u) => u.username)).toEqual(['op']);
      await store.createSession({ tokenHash: 'h', userId: 'u1', createdAt: 1, expiresAt: 2 });
      expect(await store.getSession('h')).toEqual({ tokenHash: 'h', userId: 'u1', createdAt: 1, expiresAt: 2 });
      await store.deleteSession('h');
      expect(await store.getSession('h')).toBeUndefined();
    });

    it('keeps registry records by kind and site, and versions what gateways and caches depend on', async () => {
      const v0 = await store.registryVersion();
      await store.putEntity('contact', { id: 'c1', name: 'Ann', kind: 'supervisor', siteId: 's1', phone: '+331', email: null, webhookUrl: null, language: null });
      await store.putEntity('contact', { id: 'arc', name: 'ARC', kind: 'monitoring_centre', siteId: null, phone: '+332', email: null, webhookUrl: null, language: null });
      await store.upsertSite({ id: 's2', name: 'Site 2' });
      await store.putEntity('contact', { id: 'c2', name: 'Bob', kind: 'person', siteId: 's2', phone: null, email: 'b@x.eu', webhookUrl: null, language: null });
      const v1 = await store.registryVersion();
      expect(v1).toBeGreaterThan(v0);
      expect((await store.listEntities('contact', { siteId: 's1' })).map((c) => c.id)).toEqual(['arc', 'c1']);
      expect((await store.listEntities('contact')).map((c) => c.id)).toEqual(['arc', 'c1', 'c2']);
      expect((await store.getEntity('contact', 'c1'))?.name).toBe('Ann');
      // liveness of gateways and ingest change often and change nothing a keyring depends on
      await store.putEntity('gateway', { id: 's1/gw', siteId: 's1', gatewayId: 'gw', name: null, online: true, lastSeenAt: 5, lastStatusAt: 5, heartbeatS: 30 });
      await store.recordEvent(event(1));
      expect(await store.registryVersion()).toBe(v1);
      await store.addDevice({ id: '0000cafe', key: '11'.repeat(16), board: 'puckjs', workerId: null, siteId: 's1', createdAt: 2, lastCounter: -1, lastSeenAt: null, batteryPct: null });
      expect(await store.registryVersion()).toBeGreaterThan(v1);
      expect(await store.deleteEntity('contact', 'c2')).toBe(true);
      expect(await store.deleteEntity('contact', 'c2')).toBe(false);
      expect((await store.updateDevice('0000cafe', { workerId: 'w1' }))?.workerId).toBe('w1');
      expect((await store.listDevices({ workerId: 'w1' })).map((d) => d.id).sort()).toEqual(['0000beef', '0000cafe']);
      expect(await store.deleteSite('s1')).toBe(false); // still used
    });

    const session = (id: string, owner = 'w1'): Session => ({
      id, owner, workerId: owner, deviceId: '0000beef', siteId: 's1', kind: 'timed', state: 'active', startedAt: 1, startedBy: 'user:op', plannedEndAt: 100,
      reminderBeforeS: 10, reminderSentAt: null, checkInIntervalS: null, checkInGraceS: 60, nextCheckInAt: null, checkInPromptedAt: null, lastCheckInAt: null,
      note: 'meter room', phone: null, callList: [{ name: 'Porter', phone: '+33600' }], endedAt: null, endedBy: null, updatedAt: 1,
    });

    it('keeps one active session per owner, with conditional updates', async () => {
      const a = await store.createWorkSession(session('s-a'), { at: 1, actor: 'x', action: 'session_started', entity: 'session', entityId: 's-a' });
      expect(a.created).toBe(true);
      const b = await store.createWorkSession(session('s-b'), { at: 1, actor: 'x', action: 'session_started', entity: 'session', entityId: 's-b' });
      expect(b).toMatchObject({ created: false, session: { id: 's-a' } });
      expect((await store.findActiveWorkSession('w1'))?.callList).toEqual([{ name: 'Porter', phone: '+33600' }]);
      expect(await store.updateWorkSession('s-a', ['active'], { state: 'expired', endedAt: 100 }, undefined)).toMatchObject({ state: 'expired', note: 'meter room' });
      expect(await store.updateWorkSession('s-a', ['active'], { state: 'stopped' }, undefined)).toBeUndefined();
      expect((await store.createWorkSession(session('s-c'), { at: 2, actor: 'x', action: 'session_started', entity: 'session', entityId: 's-c' })).created).toBe(true);
      expect((await store.listWorkSessions({ states: ['active'] })).map((s) => s.id)).toEqual(['s-c']);
      expect((await store.listAudit('session', 's-a')).map((e) => e.action)).toEqual(['session_started']);
    });

    const esc = (alarmId: string): Escalation => ({
      id: `esc-${alarmId}`, alarmId, siteId: 's1', state: 'running', phase: 'ladder', step: 0, round: 0, repeat: true, nextAt: 500, version: 0, startedAt: 1, updatedAt: 1, endedAt: null, endReason: null,
      steps: [{ key: 'ladder:c1:sms', contactId: 'c1', name: 'Ann', role: 'ladder', channel: 'sms', address: '+331', timeoutS: 60 }], broadcast: [],
    });
    const msg = (id: string, extra: Partial<NewOutboxMessage> = {}): NewOutboxMessage => ({
      id, alarmId: 'a1', alarmNumber: '1001', escalationId: 'esc-a1', step: 0, targetKey: 'ladder:c1:sms', channel: 'sms', to: '+331', contactId: 'c1', contactName: 'Ann',
      subject: 's', text: 't', link: null, data: { n: 1, retry_after_s: 2 }, priority: 2, maxAttempts: 3, nextAttemptAt: 10, createdAt: 10, ...extra,
    });

    it('starts one escalation per alarm with its notifications, and advances it only from the version read', async () => {
      await store.createAlarm(alarm('a1', 10), audit('a1'));
      const first = await store.createEscalation(esc('a1'), [msg('m1')], [{ at: 1, actor: 'system', action: 'escalation_started', entity: 'escalation', entityId: 'a1' }]);
      expect(first.created).toBe(true);
      const again = await store.createEscalation(esc('a1'), [msg('m-dup')], []);
      expect(again.created).toBe(false);
      expect((await store.listOutbox({ alarmId: 'a1' })).map((m) => m.id)).toEqual(['m1']);
      const next = await store.updateEscalation('esc-a1', 0, { step: 1, nextAt: 900 }, [msg('m2', { step: 1, createdAt: 11 })], []);
      expect(next).toMatchObject({ step: 1, version: 1, steps: first.escalation.steps });
      expect(await store.updateEscalation('esc-a1', 0, { step: 2 }, [msg('m3')], [])).toBeUndefined(); // lost race
      expect((await store.listOutbox({ escalationId: 'esc-a1' })).map((m) => m.id)).toEqual(['m1', 'm2']);
      const stopped = await store.updateEscalation('esc-a1', 1, { state: 'stopped', endReason: 'acknowledged' }, [], [], { cancelPending: true });
      expect(stopped?.state).toBe('stopped');
      expect((await store.listOutbox({ escalationId: 'esc-a1' })).map((m) => m.state)).toEqual(['cancelled', 'cancelled']);
      expect((await store.listEscalations({ states: ['running'] }))).toEqual([]);
      expect((await store.getEscalationByAlarm('a1'))?.id).toBe('esc-a1');
    });

    it('claims due notifications by priority under a lease, fences completion to the claimer, and hands back abandoned claims', async () => {
      await store.createAlarm(alarm('a1', 10), audit('a1'));
      await store.enqueue([msg('low', { priority: 5 }), msg('duress', { priority: 1 }), msg('later', { nextAttemptAt: 1000 })]);
      const claimed = await store.claimOutbox({ now: 100, limit: 10, leaseMs: 60, by: 'p1' });
      expect(claimed.map((m) => m.id)).toEqual(['duress', 'low']);
      expect(claimed[0]).toMatchObject({ state: 'sending', attempts: 1, claimedBy: 'p1', data: { n: 1, retry_after_s: 2 } }); // JSON keeps its own keys
      expect(await store.claimOutbox({ now: 100, limit: 10, leaseMs: 60, by: 'p2' })).toEqual([]);
      // p1 "dies"; after its lease p2 takes the rows over, and p1's late completion no longer counts
      expect(await store.reclaimAbandoned({ now: 150, by: 'p2', leaseMs: 60 })).toEqual([]);
      expect((await store.reclaimAbandoned({ now: 161, by: 'p2', leaseMs: 60 })).map((m) => m.id)).toEqual(['duress', 'low']);
      expect(await store.completeOutbox('duress', 'p1', { state: 'sent', at: 162 }, undefined)).toBe(false);
      const attempt = { at: 163, notificationId: 'duress', alarmId: 'a1', channel: 'sms' as const, to: '+331', contactName: 'Ann', status: 'sent' as const, detail: null };
      expect(await store.completeOutbox('duress', 'p2', { state: 'sent', at: 163 }, attempt)).toBe(true);
      expect(await store.getOutbox('duress')).toMatchObject({ state: 'sent', sentAt: 163, attempts: 2, claimedBy: null });
      expect((await store.listAttempts('a1')).map((a) => a.status)).toEqual(['sent']);
      // a restarting lone centre takes over every claim of its predecessor at once
      expect((await store.reclaimAbandoned({ now: 164, by: 'p3', leaseMs: 60, all: true })).map((m) => m.id)).toEqual(['low']);
      expect(await store.completeOutbox('low', 'p3', { state: 'pending', at: 165, nextAttemptAt: 500, detail: 'modem busy' }, undefined)).toBe(true);
      expect((await store.claimOutbox({ now: 499, limit: 10, leaseMs: 60, by: 'p3' })).map((m) => m.id)).toEqual([]);
      expect((await store.claimOutbox({ now: 1000, limit: 10, leaseMs: 60, by: 'p3' })).map((m) => m.id)).toEqual(['later', 'low']) // priority before due time;
    });

    it('hands each due notification to one of many concurrent claimers, only on channels the claimer has', async () => {
      await store.createAlarm(alarm('a1', 10), audit('a1'));
      await store.enqueue(Array.from({ length: 30 }, (_, i) => msg(`m${i}`, { channel: i % 3 === 0 ? 'email' : 'sms', createdAt: 10 + i })));
      const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => store.claimOutbox({ now: 100, limit: 10, leaseMs: 60, by: `w${i}`, channels: ['sms'] })));
      const ids = claims.flat().map((m) => m.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
      expect(claims.flat().every((m) => m.channel === 'sms')).toBe(true);
      expect(await store.claimOutbox({ now: 100, limit: 50, leaseMs: 60, by: 'w9', channels: [] })).toEqual([]);
      expect((await store.claimOutbox({ now: 100, limit: 50, leaseMs: 60, by: 'w9', channels: ['email'] })).map((m) => m.id)).toHaveLength(10);
    });

    it("re-claims at once the notifications of a claimer known dead, and leaves the others' alone", async () => {
      await store.createAlarm(alarm('a1', 10), audit('a1'));
      await store.enqueue([msg('m1'), msg('m2', { createdAt: 11 })]);
      await store.claimOutbox({ now: 100, limit: 1, leaseMs: 60_000, by: 'dead' });
      await store.claimOutbox({ now: 100, limit: 1, leaseMs: 60_000, by: 'alive' });
      expect(await store.reclaimAbandoned({ now: 200, by: 'alive', leaseMs: 60_000 })).toEqual([]); // leases still running
      const taken = await store.reclaimAbandoned({ now: 200, by: 'alive', leaseMs: 60_000, deadClaimers: ['dead', 'gone-long-ago'] });
      expect(taken.map((m) => [m.id, m.claimedBy, m.attempts])).toEqual([['m1', 'alive', 2]]);
      expect(await store.completeOutbox('m1', 'dead', { state: 'sent', at: 201 }, undefined)).toBe(false);
      expect(await store.reclaimAbandoned({ now: 300, by: 'alive', leaseMs: 60_000, deadClaimers: ['dead'] })).toEqual([]);
    });

    it('advances an escalation once when workers race on the same version', async () => {
      await store.createAlarm(alarm('a1', 10), audit('a1'));
      await store.createEscalation({ ...esc('a1'), partition: '0000beef' }, [], []);
      expect((await store.getEscalation('esc-a1'))?.partition).toBe('0000beef');
      const moves = await Promise.all(Array.from({ length: 6 }, (_, i) => store.updateEscalation('esc-a1', 0, { step: 1 }, [msg(`m${i}`)], [])));
      expect(moves.filter(Boolean)).toHaveLength(1);
      expect(await store.listOutbox({ escalationId: 'esc-a1' })).toHaveLength(1);
      expect((await store.getEscalation('esc-a1'))?.version).toBe(1);
    });

    it('starts one session per owner when several start it at once, and stores each frame once when several workers do', async () => {
      const starts = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        store.createWorkSession(session(`s-${i}`), { at: 1, actor: 'x', action: 'session_started', entity: 'session', entityId: `s-${i}` })));
      expect(starts.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(starts.map((r) => r.session.id)).size).toBe(1);
      const verdicts = await Promise.all(Array.from({ length: 6 }, () => store.recordEvent(event(9, 1000, true))));
      expect(verdicts.filter((v) => v === 'new')).toHaveLength(1);
      expect(verdicts.filter((v) => v !== 'new').every((v) => v === 'retry')).toBe(true);
    });

    it('redeems a live-stream ticket once, and not after it expired', async () => {
      await store.createUser({ id: 'u1', username: 'op', name: 'Op', role: 'operator', passwordHash: 'scrypt$x' });
      await store.putStreamTicket({ ticketHash: 't1', userId: 'u1', expiresAt: 100 });
      await store.putStreamTicket({ ticketHash: 't2', userId: 'u1', expiresAt: 100 });
      const takes = await Promise.all([store.takeStreamTicket('t1', 50), store.takeStreamTicket('t1', 50)]);
      expect(takes.filter((t) => t === 'u1')).toHaveLength(1);
      expect(await store.takeStreamTicket('t2', 101)).toBeUndefined();
      expect(await store.takeStreamTicket('t2', 50)).toBeUndefined();
      expect(await store.takeStreamTicket('nope', 50)).toBeUndefined();
    });

    it('matches a reply to the latest notification of an open alarm at that address', async () => {
      await store.createAlarm(alarm('a1', 10), audit('a1'));
      await store.enqueue([msg('m1')]);
      const [m] = await store.claimOutbox({ now: 10, limit: 1, leaseMs: 60, by: 'p' });
      await store.completeOutbox(m!.id, 'p', { state: 'sent', at: 11 }, undefined);
      expect((await store.findReplyTarget('sms', '+331'))?.id).toBe('m1');
      expect((await store.findReplyTarget('sms', '+331', '1001'))?.id).toBe('m1');
      expect(await store.findReplyTarget('sms', '+331', '9999')).toBeUndefined();
      expect((await store.findReplyTarget('sms', '+331', 'OK'))?.id).toBe('m1'); // not a number: by address alone
      expect(await store.findReplyTarget('sms', '+339')).toBeUndefined();
      await store.updateAlarm('a1', ['raised'], { state: 'resolved' }, undefined);
      expect(await store.findReplyTarget('sms', '+331')).toBeUndefined();
    });

    it('keeps responder tokens by hash with expiry and revocation, and one stable secret', async () => {
      const t = { tokenHash: 'h1', alarmId: 'a1', targetKey: 'k', contactName: 'Ann', channel: 'sms' as const, address: '+331', createdAt: 1, expiresAt: 100, revokedAt: null };
      await store.putResponderToken(t);
      await store.putResponderToken({ ...t, expiresAt: 200 });
      expect(await store.getResponderToken('h1')).toEqual({ ...t, expiresAt: 200 });
      await store.revokeResponderTokens('a1', 50);
      expect((await store.getResponderToken('h1'))?.revokedAt).toBe(50);
      const s1 = await store.secret('x');
      expect(s1.length).toBe(32);
      expect((await store.secret('x')).equals(s1)).toBe(true);
      expect((await store.secret('y')).equals(s1)).toBe(false);
    });

    it('keeps push subscriptions per user: one per endpoint (another user subscribing it takes it under a new id), outcomes, removal', async () => {
      const sub = (n: number) => ({ endpoint: `https://fcm.googleapis.com/fcm/send/e${n}`, p256dh: `key${n}`, auth: `auth${n}`, language: 'en', label: null });
      const a = await store.putPushSubscription('u1', sub(1), 'p1', 100);
      expect(a).toEqual({ id: 'p1', userId: 'u1', ...sub(1), createdAt: 100, lastSuccessAt: null, failures: 0 });
      await store.putPushSubscription('u1', sub(2), 'p2', 200);
      await store.putPushSubscription('u2', sub(3), 'p3', 300);
      // The same browser again: keys and language refreshed, same id and age.
      expect(await store.putPushSubscription('u1', { ...sub(1), p256dh: 'new', language: 'fr', label: 'phone' }, 'p9', 400)).toMatchObject({ id: 'p1', p256dh: 'new', language: 'fr', label: 'phone', createdAt: 100 });
      expect((await store.listPushSubscriptions({ userId: 'u1' })).map((s) => s.id)).toEqual(['p1', 'p2']);
      expect((await store.listPushSubscriptions()).map((s) => s.id)).toEqual(['p1', 'p2', 'p3']);
      await store.recordPushResult('p1', false, 500);
      await store.recordPushResult('p1', false, 510);
      expect(await store.getPushSubscription('p1')).toMatchObject({ failures: 2, lastSuccessAt: null });
      await store.recordPushResult('p1', true, 520);
      expect(await store.getPushSubscription('p1')).toMatchObject({ failures: 0, lastSuccessAt: 520 });
      // A shared phone: u2 subscribes the endpoint u1 had — it moves, under a new id.
      expect(await store.putPushSubscription('u2', sub(2), 'p4', 600)).toMatchObject({ id: 'p4', userId: 'u2', createdAt: 600 });
      expect(await store.getPushSubscription('p2')).toBeUndefined();
      expect(await store.deletePushSubscription('p1')).toBe(true);
      expect(await store.deletePushSubscription('p1')).toBe(false);
      expect(await store.deleteUserPushSubscriptions('u2')).toBe(2);
      expect(await store.listPushSubscriptions()).toEqual([]);
    });

    it('keeps positions, the latest first, until the retention purge', async () => {
      const p = { deviceId: '0000beef', workerId: 'w1', kind: 'beacon' as const, lat: null, lon: null, beaconId: '65537', zoneId: 'z1', rssiDbm: -60 };
      await store.addPosition({ ...p, at: 100 });
      await store.addPosition({ ...p, at: 300, kind: 'gps', lat: 48.8, lon: 2.3, beaconId: null, zoneId: null });
      expect(await store.latestPosition('0000beef')).toMatchObject({ at: 300, kind: 'gps', lat: 48.8 });
      expect((await store.purge({ positions: 200 })).positions).toBe(1);
      expect((await store.purge({ positions: 400 })).positions).toBe(1);
      expect(await store.latestPosition('0000beef')).toBeUndefined();
    });
  });
}
