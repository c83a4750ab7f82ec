/**
 * The console's own API on a real centre: users (scopes, password reset ends logins, own password
 * change, last admin), floor plans (types, sizes, scope, a sandboxed SVG), history as CSV (BOM,
 * quoting, formula guard, local times, headings in the user's language), statistics, notes and SMS
 * on an alarm (refused for duress), and the operator screen's worker statuses.
 */
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f00000000049454e44ae426082', 'hex');

async function upload(base: string, path: string, token: string, type: string, body: Buffer): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + path, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('console API: users, plans, history, statistics, alarm actions', () => {
  let h: Harness;
  let admin: string;
  let op: string;

  beforeAll(async () => {
    h = await startHarness({ http: true });
    await h.centre.auth.createUser({ username: 'ana', password: 'ana-password', role: 'admin' });
    await h.centre.auth.createUser({ username: 'op', password: 'op-password', role: 'operator' });
    admin = await login(h.base, 'ana', 'ana-password');
    op = await login(h.base, 'op', 'op-password');
    await h.centre.store.putEntity('team', { id: 'day', name: 'Day', siteId: 'site-a' });
  });
  afterAll(() => h.stop());

  it('manages users: scopes checked, weak passwords refused, a reset ends the user\'s logins', async () => {
    const bad = await call(h.base, 'POST', '/api/users', { token: admin, body: { username: 'sue', password: 'sue-password', role: 'supervisor', scope: { siteIds: ['nowhere'], teamIds: [] } } });
    expect(bad).toMatchObject({ status: 404, body: { error: { message: "Unknown site 'nowhere'" } } });
    expect((await call(h.base, 'POST', '/api/users', { token: admin, body: { username: 'sue', password: 'short', role: 'supervisor' } })).status).toBe(400);
    expect((await call(h.base, 'POST', '/api/users', { token: admin, body: { username: 'sue', password: 'x', role: 'boss' } })).body).toMatchObject({ error: { message: expect.stringContaining('role') } });
    const created = await call<{ id: string; scope: unknown }>(h.base, 'POST', '/api/users', { token: admin, body: { username: 'sue', name: 'Sue', password: 'sue-password', role: 'supervisor', scope: { siteIds: ['site-a'], teamIds: ['day'] } } });
    expect(created).toMatchObject({ status: 201, body: { scope: { siteIds: ['site-a'], teamIds: ['day'] } } });
    expect(JSON.stringify(created.body)).not.toContain('passwordHash');
    const sue = await login(h.base, 'sue', 'sue-password');
    const changed = await call(h.base, 'PUT', `/api/users/${created.body.id}`, { token: admin, body: { role: 'readonly', scope: null } });
    expect(changed).toMatchObject({ status: 200, body: { role: 'readonly', scope: null } });
    expect((await call(h.base, 'POST', `/api/users/${created.body.id}/password`, { token: admin, body: { password: 'new-password-1' } })).status).toBe(204);
    expect((await call(h.base, 'GET', '/api/me', { token: sue })).status).toBe(401);
    const again = await login(h.base, 'sue', 'new-password-1');
    // Own password: the current one is required; other logins end, this one stays
    const other = await login(h.base, 'sue', 'new-password-1');
    expect((await call(h.base, 'POST', '/api/me/password', { token: again, body: { current: 'wrong', password: 'newer-password' } })).status).toBe(403);
    expect((await call(h.base, 'POST', '/api/me/password', { token: again, body: { current: 'new-password-1', password: 'newer-password' } })).status).toBe(204);
    expect((await call(h.base, 'GET', '/api/me', { token: again })).status).toBe(200);
    expect((await call(h.base, 'GET', '/api/me', { token: other })).status).toBe(401);
    expect((await call(h.base, 'DELETE', `/api/users/${created.body.id}`, { token: admin })).status).toBe(204);
    expect((await call(h.base, 'GET', '/api/me', { token: again })).status).toBe(401);
  });

  it('keeps the last admin an admin, and admins cannot delete themselves', async () => {
    const me = (await call<{ id: string }>(h.base, 'GET', '/api/me', { token: admin })).body;
    expect((await call(h.base, 'PUT', `/api/users/${me.id}`, { token: admin, body: { role: 'operator' } })).body).toMatchObject({ error: { code: 'last_admin' } });
    expect((await call(h.base, 'DELETE', `/api/users/${me.id}`, { token: admin })).body).toMatchObject({ error: { code: 'self' } });
  });

  it('stores floor plans: admins upload real images with their size, everyone logged in sees them', async () => {
    const path = '/api/sites/site-a/plans/1?widthM=40&heightM=25';
    expect((await upload(h.base, path, op, 'image/png', PNG)).status).toBe(403);
    expect((await upload(h.base, path, admin, 'image/gif', PNG)).status).toBe(415);
    expect((await upload(h.base, path, admin, 'image/png', Buffer.from('not a png'))).status).toBe(400);
    expect((await upload(h.base, '/api/sites/site-a/plans/1?widthM=0&heightM=25', admin, 'image/png', PNG)).status).toBe(400);
    expect((await upload(h.base, path, admin, 'image/png', Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]))).status).toBe(413);
    expect(await upload(h.base, path, admin, 'image/png', PNG)).toMatchObject({ status: 200, body: { floor: '1', widthM: 40, heightM: 25, bytes: PNG.length } });
    const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
    expect((await upload(h.base, '/api/sites/site-a/plans/B1?widthM=10&heightM=10', admin, 'image/svg+xml', svg)).status).toBe(200);
    expect((await call<{ plans: { floor: string }[] }>(h.base, 'GET', '/api/sites/site-a/plans', { token: op })).body.plans.map((p) => p.floor)).toEqual(['1', 'B1']);
    const img = await fetch(`${h.base}/api/sites/site-a/plans/B1/image`, { headers: { authorization: `Bearer ${op}` } });
    expect([img.status, img.headers.get('content-type'), img.headers.get('content-security-policy')]).toEqual([200, 'image/svg+xml', expect.stringContaining('sandbox')]);
    expect((await fetch(`${h.base}/api/sites/site-a/plans/B1/image`)).status).toBe(401);
    expect((await call(h.base, 'DELETE', '/api/sites/site-a/plans/B1', { token: admin })).status).toBe(204);
  });

  it('writes notes on the timeline, and sends the worker an SMS through the centre — never for duress', async () => {
    await h.frame('sos');
    const sos = (await h.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.type === 'sos')!;
    expect((await call(h.base, 'POST', `/api/alarms/${sos.id}/notes`, { token: op, body: { text: '  ' } })).status).toBe(400);
    expect((await call(h.base, 'POST', `/api/alarms/${sos.id}/notes`, { token: op, body: { text: 'Called Wendy: no answer' } })).status).toBe(201);
    const sent = await call(h.base, 'POST', `/api/alarms/${sos.id}/sms`, { token: op, body: { text: 'Wendy, answer your phone please' } });
    expect(sent).toMatchObject({ status: 202, body: { to: '+44 7700 900123' } });
    await h.settle();
    expect(h.sms.sent.filter((n) => n.text === 'Wendy, answer your phone please').map((n) => n.to)).toEqual(['+44 7700 900123']);
    const detail = await call<{ timeline: { action: string; actor: string; data?: { text?: string } }[] }>(h.base, 'GET', `/api/alarms/${sos.id}`, { token: op });
    expect(detail.body.timeline.filter((e) => e.action === 'note' || e.action === 'sms_to_worker').map((e) => [e.action, e.actor, e.data?.text])).toEqual([
      ['note', 'user:op', 'Called Wendy: no answer'], ['sms_to_worker', 'user:op', 'Wendy, answer your phone please'],
    ]);
    // the worker's second pendant (a duress from the same one would take the SOS over: one incident)
    const second = { ...h.device, id: '0000cafe' };
    await h.centre.store.addDevice(second);
    await h.frame('duress', {}, second);
    const duress = (await h.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.type === 'duress')!;
    expect((await call(h.base, 'POST', `/api/alarms/${duress.id}/sms`, { token: op, body: { text: 'ok?' } })).body).toMatchObject({ error: { code: 'duress' } });
    const settings = await call(h.base, 'GET', '/api/console/settings', { token: op });
    expect(settings.body).toMatchObject({ sms: true, map: { tileUrl: null } });
  });

  it('shows workers with their status, battery and last seen on the operator screen', async () => {
    const o = await call<{ now: number; workers: { id: string; status: string; batteryPct: number | null; lastSeenAt: number | null; alarmId: string | null }[] }>(h.base, 'GET', '/api/console/overview', { token: op });
    const w1 = o.body.workers.find((w) => w.id === 'w1')!;
    expect(w1).toMatchObject({ status: 'alarm', batteryPct: 80, lastSeenAt: expect.any(Number) });
    const duress = (await h.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.type === 'duress')!;
    expect(w1.alarmId).toBe(duress.id); // the most urgent
    expect(o.body.now).toBe(h.clock.now());
  });

  it('exports the history as CSV for spreadsheets', async () => {
    const sos = (await h.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.type === 'sos')!;
    await call(h.base, 'POST', `/api/alarms/${sos.id}/resolve`, { token: op, body: { reason: 'false_alarm', comment: '=HYPERLINK("x"), she said "sorry"\nall fine' } });
    const res = await fetch(`${h.base}/api/reports/alarms.csv?type=sos&tz=Europe/Paris&lang=fr&delimiter=;`, { headers: { authorization: `Bearer ${op}` } });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    const [header, row, end] = text.split('\r\n');
    expect(header).toMatch(/^Numéro;Type;/);
    expect(row).toContain(';Fausse alarme;');
    expect(row).toContain(`;"'=HYPERLINK(""x""), she said ""sorry""\nall fine";`);
    // Paris is UTC+1 in winter (the virtual clock starts in January)
    expect(new Date(sos.createdAt).getUTCMonth()).toBe(0);
    expect(row).toContain(`;${new Date(sos.createdAt + 3600_000).toISOString().slice(0, 19).replace('T', ' ')};`);
    expect(end).toBe('');
    expect((await fetch(`${h.base}/api/reports/alarms.csv?tz=Mars/Olympus`, { headers: { authorization: `Bearer ${op}` } })).status).toBe(400);
    const json = await call<{ total: number; alarms: { id: string }[] }>(h.base, 'GET', '/api/reports/alarms?state=resolved&type=sos', { token: op });
    expect(json.body.alarms.map((a) => a.id)).toEqual([sos.id]);
    expect((await call(h.base, 'GET', '/api/reports/alarms?type=volcano', { token: op })).status).toBe(400);
    const stats = await call<{ total: number; byResolution: Record<string, number>; bySite: { siteName: string }[] }>(h.base, 'GET', `/api/reports/stats?from=0&to=${h.clock.now() + 1}`, { token: op });
    expect(stats.body).toMatchObject({ total: 2, byResolution: { false_alarm: 1 }, bySite: [{ siteName: 'Site A' }] });
  });
});
