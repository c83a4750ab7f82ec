/**
 * Roles and scopes on a real centre over HTTP. Every route of the OpenAPI document is called without
 * a login (401) and with every role it does not allow (403) — so a new route is covered the day it is
 * registered. Supervisors see and act on their own sites and teams only (lists, details, actions, the
 * live stream). Logins are rate-limited; tokens are bearer-only (no cookies, so no CSRF).
 */
import type { UserRole } from '../../centre/src/store/types';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

const ROLES: UserRole[] = ['admin', 'supervisor', 'operator', 'readonly', 'auditor'];
const OPEN = ['pending', 'raised', 'acknowledged'] as const;

describe('console API: roles and scopes', () => {
  let h: Harness;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness({ http: true });
    const { store } = h.centre;
    // site-a (the harness's, worker w1 + device), north and south; team night has Nina (south)
    await store.upsertSite({ id: 'north', name: 'North' });
    await store.upsertSite({ id: 'south', name: 'South' });
    await store.putEntity('team', { id: 'night', name: 'Night', siteId: null });
    await store.upsertWorker({ id: 'nina', name: 'Nina', phone: '+1 555 0100', siteId: 'south', teamId: 'night' });
    await store.upsertWorker({ id: 'sam', name: 'Sam', phone: '+1 555 0101', siteId: 'south' });
    await store.upsertWorker({ id: 'ned', name: 'Ned', phone: null, siteId: 'north' });
    for (const role of ROLES) await h.centre.auth.createUser({ username: role, password: `${role}-password`, role });
    await h.centre.auth.createUser({ username: 'sue', password: 'sue-password', role: 'supervisor', scope: { siteIds: ['north'], teamIds: ['night'] } });
    for (const u of [...ROLES, 'sue']) tokens[u] = await login(h.base, u, `${u}-password`);
  });
  afterAll(() => h.stop());

  it('refuses every route without a login, and with every role the route does not allow', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, { 'x-roles': string | string[] }>> }>(h.base, 'GET', '/api/openapi.json')).body;
    const failures: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const roles = op['x-roles'];
        if (roles === 'public') continue;
        const url = path.replace(/\{\w+\}/g, 'nope');
        const anon = await call(h.base, method.toUpperCase(), url, method === 'get' ? {} : { body: {} });
        if (anon.status !== 401) failures.push(`${method} ${path} without login: ${anon.status}`);
        checked++;
        if (roles === 'any') continue;
        for (const role of ROLES.filter((r) => !roles.includes(r))) {
          const r = await call(h.base, method.toUpperCase(), url, { token: tokens[role]!, ...(method === 'get' ? {} : { body: {} }) });
          if (r.status !== 403) failures.push(`${method} ${path} as ${role}: ${r.status}`);
          checked++;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(80);
  });

  it('lets a read-only user read but not acknowledge, resolve, or start a session', async () => {
    await h.frame('sos');
    const alarm = (await h.centre.store.listAlarms({ states: [...OPEN] }))[0]!;
    const ro = tokens['readonly']!;
    expect((await call(h.base, 'GET', `/api/alarms/${alarm.id}`, { token: ro })).status).toBe(200);
    expect((await call(h.base, 'POST', `/api/alarms/${alarm.id}/acknowledge`, { token: ro })).status).toBe(403);
    expect((await call(h.base, 'POST', `/api/alarms/${alarm.id}/resolve`, { token: ro, body: { reason: 'test', comment: 'x' } })).status).toBe(403);
    expect((await call(h.base, 'POST', '/api/sessions', { token: ro, body: { workerId: 'w1' } })).status).toBe(403);
    expect((await call(h.base, 'POST', `/api/alarms/${alarm.id}/notes`, { token: ro, body: { text: 'x' } })).status).toBe(403);
    expect((await h.centre.store.getAlarm(alarm.id))!.state).toBe('raised');
    expect((await call(h.base, 'POST', `/api/alarms/${alarm.id}/resolve`, { token: tokens['operator']!, body: { reason: 'test', comment: 'drill' } })).status).toBe(200);
  });

  it('shows a supervisor only the alarms, workers, sessions and records of their sites and teams', async () => {
    const { store, auth } = h.centre;
    const audit = { at: h.clock.now(), actor: 'system', action: 'raised', entity: 'alarm', entityId: 'x' };
    const base = { state: 'raised' as const, priority: 2, deviceId: null, incidentRef: null, lastCounter: null, position: null, positionAt: null, createdAt: h.clock.now(), raisedAt: h.clock.now(), updatedAt: h.clock.now(), acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null };
    const north = await store.createAlarm({ ...base, id: 'al-north', type: 'sos', siteId: 'north', workerId: 'ned', subject: 'x:1' }, audit);
    const nina = await store.createAlarm({ ...base, id: 'al-nina', type: 'fall', siteId: 'south', workerId: 'nina', subject: 'x:2' }, audit);
    const sam = await store.createAlarm({ ...base, id: 'al-sam', type: 'sos', siteId: 'south', workerId: 'sam', subject: 'x:3' }, audit);
    const sue = tokens['sue']!;
    const ids = async (path: string, key: string) => ((await call<Record<string, { id: string }[]>>(h.base, 'GET', path, { token: sue })).body[key] ?? []).map((x) => x.id).sort();
    expect(await ids('/api/alarms', 'alarms')).toEqual([north.id, nina.id].sort());
    expect(await ids('/api/workers', 'workers')).toEqual(['ned', 'nina']);
    expect(await ids('/api/sites', 'sites')).toEqual(['north', 'south']); // south: Nina works there
    expect(await ids('/api/teams', 'teams')).toEqual(['night']);
    expect((await call(h.base, 'GET', `/api/alarms/${sam.id}`, { token: sue })).status).toBe(404);
    expect((await call(h.base, 'GET', `/api/alarms?number=${sam.number}`, { token: sue })).body).toEqual({ alarms: [] });
    expect((await call(h.base, 'POST', `/api/alarms/${sam.id}/acknowledge`, { token: sue })).status).toBe(404);
    expect((await call(h.base, 'GET', '/api/workers/sam', { token: sue })).status).toBe(404);
    expect((await call(h.base, 'POST', '/api/workers/sam/protection', { token: sue, body: { on: true } })).status).toBe(404);
    expect((await call(h.base, 'POST', '/api/sessions', { token: sue, body: { workerId: 'sam', durationMin: 30 } })).status).toBe(404);
    expect((await call(h.base, 'POST', `/api/alarms/${nina.id}/acknowledge`, { token: sue })).status).toBe(200);
    const started = await call<{ session: { id: string } }>(h.base, 'POST', '/api/sessions', { token: sue, body: { workerId: 'ned', durationMin: 30 } });
    expect(started.status).toBe(201);
    const other = await call<{ session: { id: string } }>(h.base, 'POST', '/api/sessions', { token: tokens['operator']!, body: { workerId: 'sam', durationMin: 30 } });
    expect(await ids('/api/sessions', 'sessions')).toEqual([started.body.session.id]);
    expect((await call(h.base, 'POST', `/api/sessions/${other.body.session.id}/stop`, { token: sue })).status).toBe(404);
    const stats = await call<{ total: number }>(h.base, 'GET', `/api/reports/stats?from=0&to=${h.clock.now() + 1}`, { token: sue });
    expect(stats.body.total).toBe(2);
    const overview = await call<{ workers: { id: string }[]; alarms: { id: string }[] }>(h.base, 'GET', '/api/console/overview', { token: sue });
    expect([overview.body.workers.map((w) => w.id).sort(), overview.body.alarms.map((a) => a.id).sort()]).toEqual([['ned', 'nina'], [north.id, nina.id].sort()]);
    // A supervisor without a scope sees nothing
    await auth.createUser({ username: 'lost', password: 'lost-password', role: 'supervisor' });
    expect((await call(h.base, 'GET', '/api/alarms', { token: await login(h.base, 'lost', 'lost-password') })).body).toEqual({ alarms: [] });
  });

  it('streams a supervisor only the events of their scope', async () => {
    const ticket = (await call<{ ticket: string }>(h.base, 'POST', '/api/stream/ticket', { token: tokens['sue']! })).body.ticket;
    const ac = new AbortController();
    const res = await fetch(`${h.base}/api/stream?ticket=${ticket}`, { signal: ac.signal });
    const reader = res.body!.getReader();
    let text = '';
    const until = async (re: RegExp): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (!re.test(text)) {
        const next = reader.read();
        const timeout = new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`no ${re} in the stream within 5 s; got: ${text}`)), Math.max(0, deadline - Date.now())).unref());
        const { value, done } = await Promise.race([next, timeout]);
        if (done) throw new Error('stream ended');
        text += Buffer.from(value).toString('utf8');
      }
    };
    await until(/event: hello\ndata: .*"now":\d+/);
    const { store, alarms } = h.centre;
    const now = h.clock.now();
    const base = { type: 'sos' as const, state: 'raised' as const, priority: 2, deviceId: null, incidentRef: null, lastCounter: null, position: null, positionAt: null, createdAt: now, raisedAt: now, updatedAt: now, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null };
    const audit = { at: now, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'x' };
    await store.createAlarm({ ...base, id: 'st-sam', siteId: 'south', workerId: 'sam', subject: 'x:st1' }, audit);
    await store.createAlarm({ ...base, id: 'st-ned', siteId: 'north', workerId: 'ned', subject: 'x:st2' }, audit);
    await alarms.acknowledge('st-sam', 'user:operator'); // south, Sam: not Sue's
    await alarms.acknowledge('st-ned', 'user:operator'); // north: Sue's
    await until(/"id":"st-ned"/);
    ac.abort();
    expect(text).not.toContain('st-sam');
  });

  it('keeps tokens out of cookies: no cookie is set, a cookie alone is not a login, no cross-origin access', async () => {
    const res = await fetch(`${h.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: 'operator-password' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    const token = ((await res.json()) as { token: string }).token;
    const withCookie = await fetch(`${h.base}/api/me`, { headers: { cookie: `token=${token}; vigil=${token}` } });
    expect(withCookie.status).toBe(401);
    const preflight = await fetch(`${h.base}/api/alarms`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // A cross-site form post cannot carry JSON: refused before anything happens
    const form = await fetch(`${h.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=operator&password=operator-password' });
    expect(form.status).toBe(415);
  });

  it('limits failed logins per client and user name, and lets them in again after the window', async () => {
    await h.centre.auth.createUser({ username: 'victim', password: 'victim-password', role: 'operator' });
    for (let i = 0; i < 10; i++) expect((await call(h.base, 'POST', '/api/login', { body: { username: 'victim', password: `guess-${i}` } })).status).toBe(401);
    const r = await call(h.base, 'POST', '/api/login', { body: { username: 'victim', password: 'victim-password' } });
    expect(r).toMatchObject({ status: 429, body: { error: { code: 'too_many_attempts' } } });
    await h.advance(5 * 60_000 + 1);
    expect((await call(h.base, 'POST', '/api/login', { body: { username: 'victim', password: 'victim-password' } })).status).toBe(200);
  });
});
