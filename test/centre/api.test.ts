/**
 * The centre's API over real HTTP: registry administration (roles, validation by path, references,
 * deletes refused while in use), provisioning with keyring publication, sessions, alarm detail with
 * its escalation, the responder token routes and the signed webhook callback.
 */
import { VirtualClock } from '../../common/clock';
import { SqliteStore } from '../../centre/src/store/sqlite';
import { Registry } from '../../centre/src/registry/registry';
import { sign, WebhookNotifier } from '../../centre/src/notify/webhook';
import { createLogger } from '../../common/log';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

const SECRET = 'a-webhook-secret-of-some-length';

describe('centre API', () => {
  let h: Harness;
  let admin: string;
  let viewer: string;
  let dir: string;
  const clock = new VirtualClock(Date.now()); // webhook signatures are checked against the clock

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-api-'));
    const hook = new WebhookNotifier({ secret: SECRET, timeoutMs: 1000, answerUrl: null }, { clock });
    h = await startHarness({ http: true, clock, storePath: join(dir, 'centre.db'), replace: [hook], config: { escalation: { publicUrl: 'https://centre.example.org', defaultLadderId: null, callListTimeoutS: 60, broadcastRepeatS: 120, responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 }, registryPollS: 30 } });
    await h.centre.auth.createUser({ username: 'root', password: 'root-pass', role: 'admin' });
    await h.centre.auth.createUser({ username: 'viewer', password: 'viewer-pass', role: 'readonly' });
    admin = await login(h.base, 'root', 'root-pass');
    viewer = await login(h.base, 'viewer', 'viewer-pass');
  });

  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets an admin manage the registry, validated by path, with references checked', async () => {
    expect((await call(h.base, 'POST', '/api/contacts', { token: viewer, body: { id: 'x', name: 'X' } })).status).toBe(403);
    const bad = await call<{ error: { message: string } }>(h.base, 'POST', '/api/contacts', { token: admin, body: { id: 'bad id', kind: 'cousin', email: 'nope', extra: 1 } });
    expect(bad.status).toBe(400);
    for (const part of ['name: is required', 'id: must match pattern', 'kind: must be one of', 'email: must match format "email"', 'extra: is not a known setting']) expect(bad.body.error.message).toContain(part);
    expect((await call(h.base, 'POST', '/api/contacts', { token: admin, body: { id: 'ann', name: 'Ann', phone: '+33 6 00 00 00 01', siteId: SITE } })).status).toBe(201);
    expect((await call(h.base, 'POST', '/api/contacts', { token: admin, body: { id: 'sue', name: 'Sue', kind: 'supervisor', phone: '+33600000004', siteId: SITE } })).status).toBe(201);
    const noContact = await call(h.base, 'POST', '/api/ladders', { token: admin, body: { id: 'day', name: 'Day', steps: [{ contactId: 'zed', channel: 'sms' }] } });
    expect(noContact).toMatchObject({ status: 404, body: { error: { message: "Unknown contact 'zed'" } } });
    const ladder = await call(h.base, 'POST', '/api/ladders', { token: admin, body: { id: 'day', name: 'Day', steps: [{ contactId: 'ann', channel: 'sms', timeoutS: 60 }] } });
    expect(ladder).toMatchObject({ status: 201, body: { steps: [{ contactId: 'ann', channel: 'sms', timeoutS: 60 }], fallback: null } });
    expect((await call(h.base, 'PUT', `/api/sites/${SITE}`, { token: admin, body: { name: 'Site A', ladderId: 'day' } })).status).toBe(200);
    expect(await call(h.base, 'DELETE', '/api/contacts/ann', { token: admin })).toMatchObject({ status: 409, body: { error: { message: "contact 'ann' is still used by ladder 'day'" } } });
    expect(await call(h.base, 'DELETE', '/api/ladders/day', { token: admin })).toMatchObject({ status: 409 });
    expect((await call(h.base, 'POST', '/api/zones', { token: admin, body: { id: 'hall', siteId: SITE, name: 'Hall', floor: '0' } })).status).toBe(201);
    expect((await call(h.base, 'POST', '/api/beacons', { token: admin, body: { id: '65543', siteId: SITE, zoneId: 'hall' } })).status).toBe(201);
    expect((await call(h.base, 'POST', '/api/inputs', { token: admin, body: { siteId: SITE, gatewayId: 'gw-1', inputId: 'in1', name: 'Desk', zoneId: 'hall' } })).status).toBe(201);
    expect((await call<{ inputs: { id: string }[] }>(h.base, 'GET', '/api/inputs', { token: viewer })).body.inputs.map((i) => i.id)).toEqual([`${SITE}/gw-1/in1`]);
    expect((await call(h.base, 'DELETE', `/api/inputs/${encodeURIComponent(`${SITE}/gw-1/in1`)}`, { token: admin })).status).toBe(204);
    expect((await call(h.base, 'PUT', `/api/gateways/${SITE}/gw-1`, { token: admin, body: { name: 'Hall gateway' } })).body).toMatchObject({ id: `${SITE}/gw-1`, name: 'Hall gateway' });
    expect((await call(h.base, 'POST', '/api/workers', { token: admin, body: { id: 'w2', name: 'Walt', siteId: 'nowhere' } })).status).toBe(404);
    expect((await call(h.base, 'POST', '/api/users', { token: admin, body: { username: 'op2', password: 'op2-password', role: 'operator' } })).status).toBe(201);
    const audit = await h.centre.store.listAudit('ladder', 'day');
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['ladder_saved', 'user:root']]);
  });

  it('provisions a pendant: its key once, the keyring to the gateways at once, never the key in listings', async () => {
    h.bus.clear();
    const r = await call<{ device: { id: string; key: string }; settings: string }>(h.base, 'POST', '/api/devices', { token: admin, body: { board: 'puckjs', workerId: 'w1' } });
    expect(r.status).toBe(201);
    expect(r.body.settings).toContain(r.body.device.key);
    const keyring = h.bus.sent.filter((m) => m.topic === `vigil/v1/sites/${SITE}/keyring`).at(-1)!;
    expect(keyring.opts).toEqual({ qos: 1, retain: true });
    expect((keyring.payload['devices'] as { deviceId: string }[]).map((d) => d.deviceId)).toContain(r.body.device.id);
    const list = await call<{ devices: Record<string, unknown>[] }>(h.base, 'GET', '/api/devices', { token: viewer });
    expect(list.body.devices.every((d) => !('key' in d))).toBe(true);
  });

  it('republishes keyrings when another process adds a pendant to the database', async () => {
    const other = new SqliteStore(join(dir, 'centre.db'));
    await new Registry({ store: other, clock, log: createLogger('cli', 'silent') }).provision({ board: 'bangle2', siteId: SITE, deviceId: '00c0ffee' });
    await other.close();
    h.bus.clear();
    await h.advance(30_000);
    const keyring = h.bus.sent.filter((m) => m.topic === `vigil/v1/sites/${SITE}/keyring`).at(-1);
    expect((keyring?.payload['devices'] as { deviceId: string }[]).map((d) => d.deviceId)).toContain('00c0ffee');
  });

  it('runs sessions and guards positions', async () => {
    const start = await call<{ session: { id: string; plannedEndAt: number } }>(h.base, 'POST', '/api/sessions', { token: admin, body: { workerId: 'w1', durationMin: 90, note: 'Archive, 2nd floor', callList: [{ name: 'Porter', phone: '+33600000099' }] } });
    expect(start.status).toBe(201);
    expect((await call(h.base, 'POST', '/api/sessions', { token: viewer, body: { workerId: 'w1' } })).status).toBe(403);
    expect((await call(h.base, 'POST', '/api/sessions', { token: admin, body: { workerId: 'w1', durationMin: -5 } })).status).toBe(400);
    const id = start.body.session.id;
    const ext = await call<{ session: { plannedEndAt: number } }>(h.base, 'POST', `/api/sessions/${id}/extend`, { token: admin, body: { addMin: 30 } });
    expect(ext.body.session.plannedEndAt).toBe(start.body.session.plannedEndAt + 30 * 60_000);
    expect((await call(h.base, 'POST', `/api/sessions/${id}/check-in`, { token: admin })).status).toBe(200);
    expect((await call<{ sessions: unknown[] }>(h.base, 'GET', '/api/sessions', { token: viewer })).body.sessions).toHaveLength(1);
    expect((await call(h.base, 'GET', '/api/sessions?state=all', { token: viewer })).status).toBe(403);
    expect((await call(h.base, 'GET', '/api/workers/w1/position', { token: admin })).status).toBe(404); // protected, but nothing heard yet
    expect((await call(h.base, 'POST', `/api/sessions/${id}/stop`, { token: admin })).status).toBe(200);
    expect((await call(h.base, 'POST', `/api/sessions/${id}/stop`, { token: admin })).status).toBe(409);
    expect(await call(h.base, 'GET', '/api/workers/w1/position', { token: admin })).toMatchObject({ status: 403, body: { error: { code: 'not_shared' } } });
    expect((await call(h.base, 'POST', '/api/workers/w1/protection', { token: admin, body: { on: true } })).status).toBe(201);
    expect((await call(h.base, 'POST', '/api/workers/w1/protection', { token: admin, body: { on: false } })).status).toBe(200);
  });

  it('shows an alarm with its escalation, finds it by number, and serves the responder token routes', async () => {
    await h.frame('sos');
    const [alarm] = await h.centre.store.listAlarms({ states: ['raised'] });
    const byNumber = await call<{ alarms: { id: string }[] }>(h.base, 'GET', `/api/alarms?number=${alarm!.number}`, { token: viewer });
    expect(byNumber.body.alarms.map((a) => a.id)).toEqual([alarm!.id]);
    const detail = await call<{ attempts: { contactName: string; status: string }[]; escalation: { steps: { name: string }[]; timeline: { action: string }[] } }>(h.base, 'GET', `/api/alarms/${alarm!.id}`, { token: viewer });
    expect(detail.body.escalation.steps.map((s) => s.name)).toEqual(['Ann']);
    expect(detail.body.attempts.map((a) => `${a.contactName}:${a.status}`)).toEqual(['Ann:sent']);
    const token = h.sms.sent.at(-1)!.link!.split('/r/')[1]!;

    const wrong = await call(h.base, 'GET', `/api/responder/${'A'.repeat(22)}`);
    expect(wrong).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'Not found' } } });
    expect((await call(h.base, 'GET', '/api/responder/short')).status).toBe(404);
    const page = await call<Record<string, unknown>>(h.base, 'GET', `/api/responder/${token}`);
    expect(page.body).toMatchObject({ you: { name: 'Ann', channel: 'sms' }, alarm: { number: alarm!.number, type: 'sos', state: 'raised' }, worker: { name: 'Wendy Worker', doNotCall: false }, contacted: [{ name: 'Ann', status: 'sent' }] });
    const accept = await call(h.base, 'POST', `/api/responder/${token}/answer`, { body: { answer: 'accepted' } });
    expect(accept).toMatchObject({ status: 200, body: { accepted: true, alarm: { state: 'acknowledged', acknowledgedBy: 'contact:Ann' } } });
  });

  it('takes a webhook answer only with a valid signature', async () => {
    await h.centre.store.putEntity('contact', { id: 'arc', name: 'ARC', kind: 'monitoring_centre', siteId: null, phone: null, email: null, webhookUrl: 'http://127.0.0.1:9/never', language: null });
    await h.frame('duress');
    const alarm = (await h.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.type === 'duress')!;
    // (the duress took over an SOS of this pendant opened earlier in the suite: its first messages are on the record too)
    const m = (await h.centre.store.listOutbox({ alarmId: alarm.id })).find((x) => x.channel === 'webhook');
    expect(m).toMatchObject({ channel: 'webhook', contactName: 'ARC' });
    const body = JSON.stringify({ notificationId: m!.id, answer: 'accepted', from: 'ARC operator 12' });
    const post = (sig: string) => fetch(`${h.base}/api/webhooks/answer`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-vigil-signature': sig }, body });
    expect((await post('t=1,v1=' + '0'.repeat(64))).status).toBe(401);
    expect((await post(sign('wrong-secret-wrong-secret', body, clock.now()))).status).toBe(401);
    expect((await post(sign(SECRET, body, clock.now() - 10 * 60_000))).status).toBe(401); // stale
    expect((await post(sign(SECRET, body, clock.now()))).status).toBe(204);
    await h.settle();
    expect(await h.centre.store.getAlarm(alarm.id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'contact:ARC' });
  });
});
