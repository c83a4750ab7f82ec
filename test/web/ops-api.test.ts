/**
 * Running Vigil as a service, over HTTP on a real centre (issue 21 parts 3, 4, 8): the audit view
 * (logins, failed logins, acknowledgements, resolves, exports, admin changes; filters; CSV; admins
 * and auditors only), one worker's data exported as JSON and CSV and erased — after which an export
 * finds nothing while the statistics stay the same, all of it audited — and the statistics' answer
 * figures and CSV.
 */
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

const S = 1000;

describe('ops API: audit, people, statistics', () => {
  let h: Harness;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness({ http: true });
    for (const role of ['admin', 'auditor', 'readonly', 'operator'] as const) await h.centre.auth.createUser({ username: role, password: `${role}-password`, role });
    for (const u of ['admin', 'auditor', 'readonly', 'operator']) tokens[u] = await login(h.base, u, `${u}-password`);
  });
  afterAll(() => h.stop());

  const text = async (path: string, token: string): Promise<{ status: number; body: string; type: string | null }> => {
    const res = await fetch(h.base + path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
  };

  it('shows who did what when to admins and auditors, filtered and as CSV, and audits the export', async () => {
    expect((await call(h.base, 'POST', '/api/login', { body: { username: 'operator', password: 'wrong' } })).status).toBe(401);
    expect((await call(h.base, 'POST', '/api/login', { body: { username: 'mallory', password: 'guess' } })).status).toBe(401);
    await h.frame('sos');
    const [alarm] = await h.centre.store.listAlarms({ states: ['raised'] });
    expect((await call(h.base, 'POST', `/api/alarms/${alarm!.id}/acknowledge`, { token: tokens['operator']! })).status).toBe(200);
    expect((await call(h.base, 'POST', `/api/alarms/${alarm!.id}/resolve`, { token: tokens['operator']!, body: { reason: 'genuine', comment: 'helped up' } })).status).toBe(200);
    expect((await call(h.base, 'POST', '/api/users', { token: tokens['admin']!, body: { username: 'newbie', password: 'newbie-password', role: 'auditor' } })).status).toBe(201);

    expect((await call(h.base, 'GET', '/api/audit', { token: tokens['readonly']! })).status).toBe(403);
    expect((await call(h.base, 'GET', '/api/audit', { token: tokens['operator']! })).status).toBe(403);
    const all = await call<{ total: number; entries: { action: string; actor: string }[] }>(h.base, 'GET', '/api/audit?limit=1000', { token: tokens['auditor']! });
    expect(all.status).toBe(200);
    const actions = new Set(all.body.entries.map((e) => e.action));
    for (const a of ['login', 'login_failed', 'acknowledged', 'resolved', 'user_created']) expect(actions).toContain(a);
    const failed = await call<{ total: number; entries: { actor: string; entityId: string }[] }>(h.base, 'GET', '/api/audit?action=login_failed', { token: tokens['admin']! });
    expect(failed.body.entries.map((e) => `${e.actor}/${e.entityId === '(unknown)' ? '?' : 'known'}`).sort()).toEqual(['user:mallory/?', 'user:operator/known']);
    const byOperator = await call<{ entries: { action: string }[] }>(h.base, 'GET', '/api/audit?actor=operator&action=acknowledged,resolved', { token: tokens['admin']! });
    expect(byOperator.body.entries.map((e) => e.action)).toEqual(['resolved', 'acknowledged']);
    expect((await call(h.base, 'GET', '/api/audit?from=yesterday', { token: tokens['admin']! })).status).toBe(400);

    const csv = await text('/api/audit.csv?action=login_failed&tz=Europe/Paris', tokens['auditor']!);
    expect(csv.type).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Number,Time,Who,Action,On,Id,Details,Redacted');
    expect(lines).toHaveLength(3); // the heading, then mallory's and the operator's failures
    // headings in the export's language, values as logged
    const french = (await text('/api/audit.csv?action=login_failed&tz=Europe/Paris&lang=fr', tokens['auditor']!)).body.replace(/^\uFEFF/, '').split('\r\n');
    expect(french[0]).toBe('Numéro,Heure,Qui,Action,Sur,Identifiant,Détails,Expurgée');
    expect(french[1]).toMatch(/,login_failed,user,/);
    const exports = await call<{ entries: { actor: string; data: { format: string } }[] }>(h.base, 'GET', '/api/audit?action=audit_exported', { token: tokens['admin']! });
    expect(exports.body.entries).toMatchObject([{ actor: 'user:auditor', data: { format: 'csv' } }, { actor: 'user:auditor', data: { format: 'csv' } }]);
  });

  it('exports a worker\'s data as JSON and CSV, erases them keeping the statistics, and audits both', async () => {
    const { store } = h.centre;
    await h.frame('fall');
    const [open] = await store.listAlarms({ states: ['raised'] });
    const stats = async () => (await call<Record<string, unknown>>(h.base, 'GET', '/api/reports/stats?from=0&to=9999999999999', { token: tokens['admin']! })).body;

    expect((await call(h.base, 'GET', '/api/workers/w1/data', { token: tokens['auditor']! })).status).toBe(403);
    const json = await call<{ worker: { name: string }; alarms: unknown[]; audit: unknown[] }>(h.base, 'GET', '/api/workers/w1/data', { token: tokens['admin']! });
    expect(json.status).toBe(200);
    expect(json.body.worker.name).toBe('Wendy Worker');
    expect(json.body.alarms.length).toBeGreaterThanOrEqual(2);
    const csv = await text('/api/workers/w1/data.csv?delimiter=;', tokens['admin']!);
    expect(csv.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('record;time;id;data');
    expect(csv.body).toContain('Wendy Worker');

    const refused = await call<{ error: { code: string } }>(h.base, 'POST', '/api/workers/w1/erase', { token: tokens['admin']!, body: { confirm: 'w1' } });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'open_alarm' } } });
    expect((await call(h.base, 'POST', '/api/workers/w1/erase', { token: tokens['admin']!, body: { confirm: 'w2' } })).status).toBe(400);
    expect((await h.centre.alarms.resolve(open!.id, 'user:operator', 'false_alarm', 'knocked over')).ok).toBe(true);
    const before = await stats();
    const erased = await call<{ pseudonym: string; counts: Record<string, number> }>(h.base, 'POST', '/api/workers/w1/erase', { token: tokens['admin']!, body: { confirm: 'w1' } });
    expect(erased.status).toBe(200);
    expect(erased.body.pseudonym).toMatch(/^erased-[0-9a-f]{12}$/);
    expect(erased.body.counts['alarms']).toBeGreaterThanOrEqual(2);

    // erase → export shows nothing; the figures are the same
    expect((await call(h.base, 'GET', '/api/workers/w1/data', { token: tokens['admin']! })).status).toBe(404);
    expect(await stats()).toEqual(before);
    const history = await text('/api/reports/alarms.csv', tokens['admin']!);
    expect(history.body).not.toContain('Wendy');
    const log = await call<{ entries: { action: string; entityId: string }[] }>(h.base, 'GET', '/api/audit?action=worker_data_exported,worker_erased', { token: tokens['auditor']! });
    expect(log.body.entries.map((e) => e.action)).toEqual(['worker_erased', 'worker_data_exported', 'worker_data_exported']);
    expect(log.body.entries[0]!.entityId).toBe(erased.body.pseudonym);
    // the device is free again: its frames no longer name anyone
    expect((await store.getDevice('0000beef'))?.workerId).toBeNull();
  });

  it('gives the share of person alarms acknowledged within 30 s, 60 s and 3 min, per site, and as CSV', async () => {
    const { store } = h.centre;
    await h.advance(S); // after the earlier tests' alarms
    const from = h.clock.now();
    for (const delayS of [10, 45, 120, 600]) {
      await h.frame('sos');
      const [a] = await store.listAlarms({ states: ['raised'] });
      await h.advance(delayS * S);
      await h.centre.alarms.acknowledge(a!.id, 'user:operator');
      expect((await h.centre.alarms.resolve(a!.id, 'user:operator', delayS === 600 ? 'false_alarm' : 'genuine', 'seen')).ok).toBe(true);
    }
    const to = h.clock.now() + 1;
    const s = await call<{ answered: Record<string, number>; bySite: { siteId: string; answered: Record<string, number> }[]; byResolution: Record<string, number> }>(
      h.base, 'GET', `/api/reports/stats?from=${from}&to=${to}`, { token: tokens['readonly']! });
    expect(s.body.answered).toEqual({ personAlarms: 4, within30S: 1, within60S: 2, within180S: 3 });
    expect(s.body.byResolution).toMatchObject({ genuine: 3, false_alarm: 1 });
    expect(s.body.bySite).toMatchObject([{ siteId: 'site-a', answered: { personAlarms: 4 } }]);
    const csv = await text(`/api/reports/stats.csv?from=${from}&to=${to}`, tokens['readonly']!);
    const [head, all, site] = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(head!.split(',').slice(0, 4)).toEqual(['Group', 'Id', 'Name', 'Alarms']);
    expect(head!.split(',').slice(-6)).toEqual(['Acknowledged within 30 s', 'Acknowledged within 60 s', 'Acknowledged within 3 min', '% acknowledged within 30 s', '% acknowledged within 60 s', '% acknowledged within 3 min']);
    expect(all!.split(',').slice(-6)).toEqual(['1', '2', '3', '25', '50', '75']);
    expect(site).toMatch(/^site,site-a,Site A,4,/);
    const german = (await text(`/api/reports/stats.csv?from=${from}&to=${to}&lang=de&delimiter=;`, tokens['readonly']!)).body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(german[0]!.split(';').slice(0, 4)).toEqual(['Gruppe', 'Kennung', 'Name', 'Alarme']);
    expect(german.find((l) => l.startsWith('type;sos;'))).toMatch(/^type;sos;SOS;/);
    expect(csv.body).toContain('\r\norganisation,default,Default organisation,4,'); // per customer organisation, last
  });
});
