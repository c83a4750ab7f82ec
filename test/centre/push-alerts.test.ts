/**
 * Alerts on phones beside the escalation, on a whole centre with a virtual clock (real store, outbox,
 * scheduler and ingest), the pushes going over HTTPS to the push-service stand-in, which decrypts them
 * with each subscription's keys: who gets what (scope and customer organisation), when (raised, still unacknowledged after N
 * minutes, resolved), what a failing push service does (retried with back-off and counted, while the
 * ladder goes on at its own pace), an expired subscription (removed, not retried), and the start-up
 * rebuild (what a crash lost is written once, never twice; the reminder follows the alarm's time).
 */
import type { PushMessage } from '../../centre/src/notify/push/payload';
import { generateVapidKeys } from '../../centre/src/notify/push/vapid';
import type { PushAlerts } from '../../centre/src/escalation/push-alerts';
import type { Alarm, Store } from '../../centre/src/store/types';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { PushServiceStandIn, type ReceivedPush, type TestSubscription } from '../helpers/push-service';

const S = 1000;
const MIN = 60 * S;

describe('push alerts', () => {
  let service: PushServiceStandIn;
  let h: Harness;
  let book: Store;
  let alerts: PushAlerts;
  const subs: Record<string, TestSubscription> = {};
  let addSub: (sub: TestSubscription, userId: string, opts?: { createdAt?: number }) => Promise<unknown>;

  beforeAll(async () => {
    service = await PushServiceStandIn.start();
  });
  afterAll(async () => {
    await service.close();
  });

  beforeEach(async () => {
    const keys = generateVapidKeys();
    h = await startHarness({
      push: { pushAgent: service.agent },
      config: {
        escalation: { defaultLadderId: 'day', callListTimeoutS: 90, broadcastRepeatS: 120, publicUrl: null, responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 },
        push: { subject: 'mailto:ops@centre.example.net', vapid: keys, unacknowledgedAfterMin: 5, maxPriority: 4, ttlS: 3600, timeoutMs: 1000, endpointHosts: ['127.0.0.1'] },
      },
    });
    const { store, auth } = h.centre;
    await store.upsertSite({ id: 'site-b', name: 'Site B' });
    await store.putEntity('contact', { id: 'ann', name: 'Ann', kind: 'person', siteId: SITE, phone: '+33600000001', email: null, webhookUrl: null, language: null });
    await store.putEntity('contact', { id: 'carl', name: 'Carl', kind: 'person', siteId: SITE, phone: '+33600000003', email: null, webhookUrl: null, language: null });
    await store.putEntity('ladder', { id: 'day', name: 'Day', steps: [{ contactId: 'ann', channel: 'sms', timeoutS: 60 }], fallback: { contactId: 'carl', channel: 'sms', timeoutS: 60 } });
    const olga = await auth.createUser({ username: 'olga', password: 'olga-pass-1', role: 'operator', name: 'Olga' });
    const sue = await auth.createUser({ username: 'sue', password: 'sue-pass-12', role: 'supervisor', name: 'Sue', scope: { siteIds: [SITE], teamIds: [] } });
    const bob = await auth.createUser({ username: 'bob', password: 'bob-pass-12', role: 'supervisor', name: 'Bob', scope: { siteIds: ['site-b'], teamIds: [] } });
    // An operator of another customer organisation: every alarm of theirs, none of the default organisation's.
    await store.putOrganisation({ id: 'other', name: 'Other Ltd', createdAt: 0 });
    const otto = await auth.createUser({ username: 'otto', password: 'otto-pass-1', role: 'operator', name: 'Otto', organisationId: 'other' });
    book = store;
    const add = (sub: TestSubscription, userId: string, opts: { language?: string; createdAt?: number; label?: string } = {}) =>
      store.putPushSubscription(userId, { endpoint: sub.endpoint, p256dh: sub.json.keys.p256dh, auth: sub.json.keys.auth, language: opts.language ?? 'en', label: opts.label ?? null }, sub.id, opts.createdAt ?? 0);
    subs['olga'] = service.subscribe(keys.publicKey);
    subs['sue-phone'] = service.subscribe(keys.publicKey);
    subs['sue-pc'] = service.subscribe(keys.publicKey);
    subs['bob'] = service.subscribe(keys.publicKey);
    subs['gone-user'] = service.subscribe(keys.publicKey);
    subs['otto'] = service.subscribe(keys.publicKey);
    await add(subs['otto'], otto.id);
    await add(subs['olga'], olga.id, { label: 'desk' });
    await add(subs['sue-phone'], sue.id, { language: 'fr', label: 'phone' });
    await add(subs['sue-pc'], sue.id);
    await add(subs['bob'], bob.id);
    await add(subs['gone-user'], 'no-such-user');
    addSub = add;
    alerts = h.centre.push!.alerts;
  });

  afterEach(async () => {
    await h.stop();
  });

  /** Lets the outbox deliver (real HTTPS to the stand-in) and collects what reached the push service. */
  async function delivered(n: number, after: () => Promise<unknown>): Promise<ReceivedPush[]> {
    const got: ReceivedPush[] = [];
    const on = (p: ReceivedPush): number => got.push(p);
    service.received.on('push', on);
    try {
      await after();
      for (let i = 0; i < 200 && got.length < n; i++) {
        await h.settle();
        await new Promise((r) => setImmediate(r));
      }
      await h.settle();
    } finally {
      service.received.off('push', on);
    }
    return got;
  }
  const who = (ps: ReceivedPush[]): string[] => ps.map((p) => Object.entries(subs).find(([, s]) => s.id === p.subscriptionId)![0]).sort();
  const msg = (p: ReceivedPush): PushMessage => JSON.parse(p.text) as PushMessage;
  const raised = async (): Promise<Alarm> => (await h.centre.store.listAlarms({ states: ['raised'] }))[0]!;

  it('a raised alarm reaches every device of every user who may see it, and only them', async () => {
    // (waits for a fourth that must not come: Bob's sites and Otto's organisation are not the alarm's)
    const pushes = await delivered(4, () => h.frame('sos'));
    const alarm = await raised();
    expect(who(pushes)).toEqual(['olga', 'sue-pc', 'sue-phone']);
    for (const p of pushes) expect(p.problems).toEqual([]);
    const sue = msg(pushes.find((p) => p.subscriptionId === subs['sue-phone']!.id)!);
    expect(sue).toMatchObject({ kind: 'raised', alarmId: alarm.id, number: alarm.number, type: 'sos', priority: 2, duress: false, worker: 'Wendy Worker', site: 'Site A', lang: 'fr', url: `/#/alarm/${alarm.id}` });
    expect(sue.title).toBe(`Alarm ${alarm.number}: sos`);
    expect(JSON.stringify(sue)).not.toMatch(/lat|lon|zone|GPS/); // a lock screen is not the console: no position
    // On the alarm's record, beside the escalation's own notifications.
    const attempts = await h.centre.store.listAttempts(alarm.id);
    expect(attempts.filter((a) => a.channel === 'push').map((a) => [a.contactName, a.status]).sort()).toEqual([['olga: desk', 'sent'], ['sue: browser', 'sent'], ['sue: phone', 'sent']]);
    expect(h.centre.outbox.counters.get('push_sent')).toBe(3);
    // A subscription whose user was deleted hears nothing, and is forgotten.
    expect(await book.getPushSubscription(subs['gone-user']!.id)).toBeUndefined();
  });

  it('reminds after 5 minutes unacknowledged, not once acknowledged; tells when resolved', async () => {
    await delivered(3, () => h.frame('sos'));
    const alarm = await raised();
    expect(await delivered(1, () => h.advance(5 * MIN - 1))).toEqual([]);
    const reminders = await delivered(3, () => h.advance(1));
    expect(who(reminders)).toEqual(['olga', 'sue-pc', 'sue-phone']);
    expect(msg(reminders[0]!)).toMatchObject({ kind: 'unacknowledged', afterMin: 5, title: `Still not acknowledged: alarm ${alarm.number}` });
    expect(await delivered(1, () => h.advance(10 * MIN))).toEqual([]); // once

    // A second alarm, acknowledged in time: no reminder; resolved: everyone who heard of it hears the end.
    await h.centre.alarms.resolve(alarm.id, 'user:olga', 'false_alarm', 'test');
    await h.settle();
    const fall = await delivered(3, () => h.frame('fall'));
    const second = await raised();
    expect(fall.map(msg).every((m) => m.alarmId === second.id)).toBe(true);
    await h.advance(2 * MIN);
    await h.centre.alarms.acknowledge(second.id, 'user:sue');
    expect(await delivered(1, () => h.advance(10 * MIN))).toEqual([]);
    const ended = await delivered(3, () => h.centre.alarms.resolve(second.id, 'user:sue', 'genuine', 'helped up'));
    expect(who(ended)).toEqual(['olga', 'sue-pc', 'sue-phone']);
    expect(msg(ended[0]!)).toMatchObject({ kind: 'resolved', title: `Resolved: alarm ${second.number}` });
    expect(ended[0]!.headers['urgency']).toBe('normal');
  });

  it('pushes nothing for alarms less urgent than maxPriority (low battery)', async () => {
    expect(await delivered(1, () => h.frame('heartbeat', { batteryPct: 5 }))).toEqual([]);
    await h.advance(20);
    expect((await h.centre.store.listAlarms({ states: ['raised'] })).map((a) => a.type)).toEqual(['low_battery']);
    expect(await delivered(1, () => h.advance(6 * MIN))).toEqual([]);
  });

  it('a failing push service is retried with back-off and counted, while the ladder goes on at its own pace; an expired subscription is removed', async () => {
    service.answer(subs['olga']!, { status: 500 }, { status: 503 });
    service.expire(subs['sue-pc']!);
    const first = await delivered(1, () => h.frame('sos'));
    const alarm = await raised();
    expect(who(first)).toEqual(['sue-phone']);
    expect(h.sms.sent.map((n) => n.to)).toEqual(['+33600000001']); // the ladder's first step, at once
    expect(await book.getPushSubscription(subs['sue-pc']!.id)).toBeUndefined();
    expect(h.centre.outbox.counters.get('push_failed')).toBe(2); // olga's first try, sue-pc's only one
    // Olga's push: again after 5 s (503), then after 15 s it goes through.
    expect(await delivered(1, () => h.advance(5 * S - 1))).toEqual([]);
    expect(await delivered(1, () => h.advance(1))).toEqual([]);
    const third = await delivered(1, () => h.advance(15 * S));
    expect(who(third)).toEqual(['olga']);
    const olga = (await h.centre.store.listAttempts(alarm.id)).filter((a) => a.contactName === 'olga: desk').map((a) => a.status);
    expect(olga).toEqual(['failed', 'failed', 'sent']);
    const expired = (await h.centre.store.listAttempts(alarm.id)).filter((a) => a.contactName === 'sue: browser');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.detail).toContain('subscription expired (push service 410); removed');
    // Meanwhile the ladder moved on by its own clock: Ann at 0, Carl (fallback) at 60 s.
    await h.advance(40 * S);
    expect(h.sms.sent.map((n) => n.to)).toEqual(['+33600000001', '+33600000003']);
    // The push channel's failures did not raise notifier_failed: the service came back.
    expect((await h.centre.store.listAlarms({ states: ['raised'] })).map((a) => a.type)).toEqual(['sos']);
  });

  it('the start-up rebuild writes what a crash lost, once, to those subscribed before the alarm; the reminder follows raisedAt', async () => {
    // An alarm committed, and then the crash: neither its escalation nor its pushes were written.
    const detached = alerts;
    const raisedAt = h.clock.now();
    const alarm = await h.centre.store.createAlarm({
      id: 'a-crash', type: 'sos', state: 'raised', priority: 2, siteId: SITE, deviceId: null, workerId: 'w1', incidentRef: null, lastCounter: null, position: null, positionAt: null,
      createdAt: raisedAt, raisedAt, updatedAt: raisedAt, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null,
      subject: 'input:site-a/gw-1/in1', text: null, sessionId: null,
    }, { at: raisedAt, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'a-crash' });
    expect(await h.centre.store.listOutbox({ alarmId: alarm.id })).toEqual([]);
    const late = service.subscribe(generateVapidKeys().publicKey);
    await addSub(late, (await h.centre.store.getUserByName('olga'))!.id, { createdAt: raisedAt + 1 });
    await h.advance(2 * MIN);
    const rebuilt = await delivered(3, () => detached.rebuild());
    expect(who(rebuilt.filter((p) => p.subscriptionId !== late.id))).toEqual(['olga', 'sue-pc', 'sue-phone']);
    expect(rebuilt.some((p) => p.subscriptionId === late.id)).toBe(false); // subscribed after the alarm: not rung for its raise
    expect(await delivered(1, () => detached.rebuild())).toEqual([]); // twice: nothing more
    // The reminder is due 5 min after raisedAt, not 5 min after the rebuild.
    const reminders = await delivered(4, () => h.advance(3 * MIN));
    expect(reminders.length).toBeGreaterThanOrEqual(4);
    expect(reminders.map(msg).every((m) => m.kind === 'unacknowledged')).toBe(true);
    expect(reminders.some((p) => p.subscriptionId === late.id)).toBe(true); // a reminder goes to every device there is now
  });
});
