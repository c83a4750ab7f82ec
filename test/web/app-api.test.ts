/**
 * The worker app's API over real HTTP on a centre with a virtual clock: worker logins kept apart from
 * console logins, pairing codes, sessions that live on the server (reminder by SMS, session_expired
 * with the note and call list), the phone as a device (pre-alarm, cancel, alarm with its position,
 * idempotent retries, the server raising a pre-alarm the phone abandoned, silence while it watches),
 * the responder page's data and answers, and what a worker may not see.
 */
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

const S = 1000;
const MIN = 60 * S;

describe('worker app API', () => {
  let h: Harness;
  let admin: string;
  let wendy: string;
  let pia: string;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, asserted by shape
  const app = <T = Record<string, any>>(token: string, method: string, path: string, body?: unknown) => call<T>(h.base, method, path, { token, ...(body === undefined ? {} : { body }) });
  let n = 0;
  const key = (): string => `test-key-${++n}-${Date.now()}`;

  beforeEach(async () => {
    h = await startHarness({ http: true, config: { escalation: { publicUrl: 'https://centre.example.org', callListTimeoutS: 60, broadcastRepeatS: 120, defaultLadderId: null, responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 } } });
    await h.centre.store.upsertWorker({ id: 'w2', name: 'Pia Phone', phone: '+44 7700 900456', siteId: SITE });
    await h.centre.auth.createUser({ username: 'root', password: 'root-pass', role: 'admin', name: 'Rita Root' });
    admin = await login(h.base, 'root', 'root-pass');
    expect((await app(admin, 'PUT', '/api/workers/w1/app-login', { username: 'wendy', password: 'wendy-pass' })).status).toBe(200);
    expect((await app(admin, 'PUT', '/api/workers/w2/app-login', { username: 'pia', password: 'pia-pass1' })).status).toBe(200);
    wendy = (await call<{ token: string }>(h.base, 'POST', '/api/app/login', { body: { username: 'wendy', password: 'wendy-pass' } })).body.token;
    pia = (await call<{ token: string }>(h.base, 'POST', '/api/app/login', { body: { username: 'pia', password: 'pia-pass1' } })).body.token;
  });

  afterEach(async () => h.stop());

  it('keeps worker and console logins apart, and a worker to their own data', async () => {
    expect((await call(h.base, 'POST', '/api/app/login', { body: { username: 'wendy', password: 'nope' } })).status).toBe(401);
    expect((await call(h.base, 'POST', '/api/login', { body: { username: 'wendy', password: 'wendy-pass' } })).status).toBe(401);
    expect((await app(admin, 'GET', '/api/app/state')).status).toBe(401);
    for (const path of ['/api/alarms', '/api/sessions', '/api/workers', '/api/me']) expect([path, (await app(wendy, 'GET', path)).status]).toEqual([path, 401]);
    const state = await app(wendy, 'GET', '/api/app/state');
    expect(state.body).toMatchObject({ worker: { id: 'w1', name: 'Wendy Worker' }, site: { id: SITE }, pendants: [{ id: '0000beef', board: 'puckjs' }], session: null, settings: { maxContacts: 3, preAlarmS: 20 } });
    expect(state.body['serverNow']).toBe(h.clock.now());
    // Pia's session is invisible to Wendy, whether it exists or not.
    const s = await app(pia, 'POST', '/api/app/sessions', { key: key(), durationMin: 60, note: 'roof' });
    expect(s.status).toBe(201);
    const id = s.body['session'].id as string;
    expect(await app(wendy, 'GET', `/api/app/sessions/${id}`)).toMatchObject({ status: 404, body: { error: { message: 'Not found' } } });
    expect((await app(wendy, 'GET', '/api/app/sessions/no-such-session')).body).toEqual((await app(wendy, 'GET', `/api/app/sessions/${id}`)).body);
    for (const action of ['stop', 'extend', 'check-in']) expect((await app(wendy, 'POST', `/api/app/sessions/${id}/${action}`, { key: key() })).status).toBe(404);
    expect((await app(wendy, 'GET', '/api/app/state')).body['session']).toBeNull();
    expect((await app(pia, 'GET', `/api/app/sessions/${id}`)).body['session']).toMatchObject({ id, note: 'roof', workerId: 'w2', deviceId: null });
  });

  it('pairs a phone once with a code an admin created, shown as a QR code', async () => {
    const p = await app(admin, 'POST', '/api/workers/w2/app-pairing', { ttlH: 2 });
    expect(p.status).toBe(201);
    expect(p.body['link']).toBe(`https://centre.example.org/app/#pair=${p.body['code']}`);
    expect(p.body['qrSvg']).toMatch(/^<svg[^>]*viewBox="0 0 (\d+) \1"/);
    expect((await app(wendy, 'POST', '/api/workers/w2/app-pairing', {})).status).toBe(401);
    const paired = await call<{ token: string; workerId: string }>(h.base, 'POST', '/api/app/pair', { body: { code: p.body['code'] } });
    expect(paired).toMatchObject({ status: 200, body: { workerId: 'w2' } });
    expect((await app(paired.body.token, 'GET', '/api/app/state')).body['worker']).toMatchObject({ id: 'w2' });
    expect((await call(h.base, 'POST', '/api/app/pair', { body: { code: p.body['code'] } })).status).toBe(401);
    const late = await app(admin, 'POST', '/api/workers/w2/app-pairing', { ttlH: 1 });
    await h.advance(61 * MIN);
    expect((await call(h.base, 'POST', '/api/app/pair', { body: { code: late.body['code'] } })).status).toBe(401);
    // A lost phone: signed out, the others too; the login itself stays.
    expect((await app(admin, 'DELETE', '/api/workers/w2/app-phones')).body).toEqual({ signedOut: 2 });
    expect((await app(paired.body.token, 'GET', '/api/app/state')).status).toBe(401);
  });

  it('runs a session on the server: reminder by SMS, then session_expired with the note and the call list', async () => {
    const k = key();
    const start = { key: k, durationMin: 30, phone: '+44 7700 900999', note: 'Meter cupboard, second floor', callList: [{ name: 'Porter Pete', phone: '+44 7700 900001' }, { name: 'Sam', phone: '+44 7700 900002' }] };
    const s = await app(pia, 'POST', '/api/app/sessions', start);
    expect(s.status).toBe(201);
    // The phone retries (lost answer): the same answer, still one session.
    expect(await app(pia, 'POST', '/api/app/sessions', start)).toEqual(s);
    const id = s.body['session'].id as string;
    expect((await app(pia, 'POST', '/api/app/sessions', { ...start, key: key() })).status).toBe(409);
    const note = await app(pia, 'POST', `/api/app/sessions/${id}/note`, { key: key(), note: 'Boiler room, basement' });
    expect(note.body['session'].note).toBe('Boiler room, basement');
    await h.advance(24 * MIN);
    expect(h.sms.sent).toHaveLength(0);
    await h.advance(1 * MIN);
    expect(h.sms.log()).toEqual(['+447700900999: Session reminder']);
    expect((await app(pia, 'GET', '/api/app/state')).body['session'].reminderSentAt).toBe(h.clock.now());
    await h.advance(5 * MIN);
    const alarms = await h.centre.store.listAlarms({ states: ['raised'] });
    expect(alarms.map((a) => [a.type, a.workerId, a.text])).toEqual([['session_expired', 'w2', 'Session ran out without being stopped. Note: Boiler room, basement. Call list: Porter Pete, Sam']]);
    expect(h.sms.log()[1]).toMatch(/^\+447700900001: VIGIL ALARM \d+: Session expired — Pia Phone/);
    const state = await app(pia, 'GET', '/api/app/state');
    expect(state.body['session']).toBeNull();
    expect(state.body['alarms']).toMatchObject([{ type: 'session_expired', state: 'raised', fromThisPhone: false }]);
    expect(state.body['last']).toMatchObject({ phone: '+44 7700 900999', callList: start.callList });
  });

  it('extends to a time and stops; a retried stop changes nothing', async () => {
    // Short times: the virtual clock then runs through few supervision ticks (the test stays quick under load).
    const s = await app(pia, 'POST', '/api/app/sessions', { key: key(), durationMin: 10 });
    const id = s.body['session'].id as string;
    const end = h.clock.now() + 20 * MIN;
    expect((await app(pia, 'POST', `/api/app/sessions/${id}/extend`, { key: key(), plannedEndAt: end })).body['session'].plannedEndAt).toBe(end);
    const plus = await app(pia, 'POST', `/api/app/sessions/${id}/extend`, { key: key(), addMin: 10 });
    expect(plus.body['session'].plannedEndAt).toBe(end + 10 * MIN);
    const k = key();
    const stop = await app(pia, 'POST', `/api/app/sessions/${id}/stop`, { key: k });
    expect(stop.body['session']).toMatchObject({ state: 'stopped', endedBy: 'worker:w2' });
    expect(await app(pia, 'POST', `/api/app/sessions/${id}/stop`, { key: k })).toEqual(stop);
    expect((await app(pia, 'POST', `/api/app/sessions/${id}/stop`, { key: key() })).status).toBe(409);
    await h.advance(40 * MIN);
    expect(await h.centre.store.listAlarms()).toEqual([]);
  });

  it('runs the phone through the pendant rules: a cancelled pre-alarm raises nothing, an alarm carries the position once', async () => {
    const pre = key();
    expect((await app(pia, 'POST', '/api/app/events', { key: pre, kind: 'pre_alarm', alarmType: 'sos' })).body['alarm']).toMatchObject({ type: 'sos', state: 'pending', fromThisPhone: true });
    const cancel = await app(pia, 'POST', '/api/app/events', { key: key(), kind: 'cancel', alarmType: 'sos', incidentKey: pre });
    expect(cancel.body['alarm']).toMatchObject({ state: 'cancelled' });
    await h.advance(5 * MIN);
    expect((await h.centre.store.listAlarms()).map((a) => a.state)).toEqual(['cancelled']);
    expect(h.sms.sent).toEqual([]);

    const pre2 = key();
    const alarm = { key: key(), kind: 'alarm', alarmType: 'sos', incidentKey: pre2, position: { lat: 51.5007, lon: -0.1246, accuracyM: 12.4 } };
    await app(pia, 'POST', '/api/app/events', { key: pre2, kind: 'pre_alarm', alarmType: 'sos' });
    const raised = await app(pia, 'POST', '/api/app/events', alarm);
    expect(raised).toMatchObject({ status: 201, body: { duplicate: false, alarm: { state: 'raised', position: { kind: 'gps', lat: 51.5007, lon: -0.1246 } } } });
    const again = await app(pia, 'POST', '/api/app/events', alarm);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, alarm: { id: raised.body['alarm'].id } } });
    const open = await h.centre.store.listAlarms({ states: ['raised'] });
    expect(open).toHaveLength(1);
    expect((await h.centre.store.listAudit('alarm', open[0]!.id)).map((e) => e.action)).toEqual(['pending', 'raised', 'phone_position']);
    // Too late to cancel once raised: refused, and the app is told.
    await app(pia, 'POST', '/api/app/events', { key: key(), kind: 'cancel', alarmType: 'sos', incidentKey: pre2 });
    expect((await app(pia, 'GET', `/api/app/alarms/${open[0]!.id}`)).body).toMatchObject({ alarm: { state: 'raised' }, cancelRefused: true });
    expect((await app(wendy, 'GET', `/api/app/alarms/${open[0]!.id}`)).status).toBe(404);
  });

  it('raises a pre-alarm the phone abandoned, like a pendant that died in its cancel window', async () => {
    await app(pia, 'POST', '/api/app/events', { key: key(), kind: 'pre_alarm', alarmType: 'fall' });
    await h.advance(74 * S);
    expect((await h.centre.store.listAlarms()).map((a) => a.state)).toEqual(['pending']);
    await h.advance(1 * S);
    expect((await h.centre.store.listAlarms()).map((a) => [a.type, a.state])).toEqual([['fall', 'raised']]);
  });

  it('expects heartbeats from a phone that watches for falls, and notices their absence', async () => {
    const s = await app(pia, 'POST', '/api/app/sessions', { key: key(), durationMin: 120, usePhone: true });
    const state = await app(pia, 'GET', '/api/app/state');
    expect(s.body['session'].deviceId).toBe(state.body['phoneDeviceId']);
    expect(state.body['session'].usesPhone).toBe(true);
    for (let i = 0; i < 5; i++) {
      await h.advance(60 * S);
      expect((await app(pia, 'POST', '/api/app/events', { key: key(), kind: 'heartbeat', batteryPct: 64 })).status).toBe(201);
    }
    expect(await h.centre.store.listAlarms()).toEqual([]);
    await h.advance(3 * MIN);
    expect((await h.centre.store.listAlarms()).map((a) => [a.type, a.workerId])).toEqual([['device_silent', 'w2']]);
    // Wendy has a pendant: the pendant is her session's device, the phone only raises alarms.
    const ws = await app(wendy, 'POST', '/api/app/sessions', { key: key(), durationMin: 60, usePhone: true });
    expect(ws.body['session'].deviceId).toBe('0000beef');
  });

  it('gives the responder page the note and the position; its Accept stops the ladder and the app says who is coming', async () => {
    await app(pia, 'POST', '/api/app/sessions', { key: key(), durationMin: 60, note: 'Pump house', callList: [{ name: 'Porter Pete', phone: '+44 7700 900001' }, { name: 'Sam', phone: '+44 7700 900002' }] });
    const alarm = await app(pia, 'POST', '/api/app/events', { key: key(), kind: 'alarm', alarmType: 'sos', position: { lat: 48.8584, lon: 2.2945, accuracyM: 8 } });
    const number = alarm.body['alarm'].number as string;
    await h.settle();
    const first = h.sms.sent[0]!;
    expect(first.to).toBe('+447700900001');
    expect(first.text).toContain(`ALARM ${number}`);
    const link = first.link!;
    const token = link.split('/r/')[1]!;
    expect(link).toBe(`https://centre.example.org/r/${token}`);
    await h.advance(10 * S);
    const data = await call<Record<string, unknown>>(h.base, 'GET', `/api/responder/${token}`);
    expect(data.body).toMatchObject({
      you: { name: 'Porter Pete', channel: 'sms', answer: null }, alarm: { number, type: 'sos', state: 'raised' }, worker: { name: 'Pia Phone', phone: '+44 7700 900456', doNotCall: false },
      position: { kind: 'gps', lat: 48.8584, lon: 2.2945 }, positionAgeS: 10, accuracyM: 8, note: 'Pump house', contacted: [{ name: 'Porter Pete', channel: 'sms', status: 'sent' }],
    });
    const page = await fetch(`${h.base}/r/${token}`);
    expect([page.status, page.headers.get('referrer-policy')]).toEqual([200, 'no-referrer']);
    expect(await page.text()).toContain('/responder/responder.js');
    expect((await call(h.base, 'POST', `/api/responder/${token}/answer`, { body: { answer: 'accepted' } })).body).toMatchObject({ accepted: true, alarm: { state: 'acknowledged', acknowledgedBy: 'contact:Porter Pete', helper: { name: 'Porter Pete', kind: 'contact' } } });
    await h.advance(10 * MIN);
    expect(h.sms.log().filter((l) => l.startsWith('+447700900002'))).toEqual([]);
    const mine = await app(pia, 'GET', `/api/app/alarms/${alarm.body['alarm'].id}`);
    expect(mine.body['alarm']).toMatchObject({ state: 'acknowledged', helper: { name: 'Porter Pete', kind: 'contact' } });
    // Resolved: the link is revoked and says nothing more than a wrong one.
    await h.centre.alarms.resolve(alarm.body['alarm'].id as string, 'user:root', 'genuine', 'Pete found her fine');
    const gone = await fetch(`${h.base}/r/${token}`);
    const wrong = await fetch(`${h.base}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    const junk = await fetch(`${h.base}/r/x`);
    const bodies = await Promise.all([gone, wrong, junk].map((r) => r.text()));
    expect([gone.status, wrong.status, junk.status]).toEqual([404, 404, 404]);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).not.toMatch(/expired|revoked|alarm|token/i);
    const api = await Promise.all([token, 'AAAAAAAAAAAAAAAAAAAAAA'].map((t) => call(h.base, 'GET', `/api/responder/${t}`)));
    expect(api.map((r) => [r.status, r.body])).toEqual([[404, { error: { code: 'not_found', message: 'Not found' } }], [404, { error: { code: 'not_found', message: 'Not found' } }]]);
  });

  it('never shows the worker a duress alarm', async () => {
    await h.frame('duress');
    expect((await h.centre.store.listAlarms()).map((a) => a.type)).toEqual(['duress']);
    const state = await app(wendy, 'GET', '/api/app/state');
    expect(state.body['alarms']).toEqual([]);
    const id = (await h.centre.store.listAlarms())[0]!.id;
    expect((await app(wendy, 'GET', `/api/app/alarms/${id}`)).status).toBe(404);
  });
});
