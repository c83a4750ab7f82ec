/**
 * The tenant matrix (issue 21 part 1, docs/security.md): two customer organisations with a full set
 * of records each, and every operation of the served OpenAPI document called by every role of one
 * (acmex) against the other's (bluex) records — its ids in the path, in the query and in the body,
 * with bodies valid enough to reach the handler. Every such call is refused (400, 403 or a plain 404:
 * the record does not exist for them), every answer that succeeds carries no record of bluex or of the
 * default organisation, and bluex's records are exactly as before when all is done. Against their own
 * records the same users are answered as the role matrix says, and the centre's own staff see both.
 */
import type { Harness } from '../helpers/centre-harness';
import { call } from '../helpers/http';
import { operations, type Operation } from '../fuzz/http-requests';
import { ROLES, startTenantPair, snapshot, type Tenant } from '../helpers/tenants';

/** Routes that end the caller's own login, the live stream (tested in tenant-streams.test.ts), the worker app and responder links (not console users'). */
const SKIP = /^(POST \/api\/logout|POST \/api\/app\/logout|GET \/api\/stream$)|\/api\/app\/|\{token\}/;
/** What the default organisation (the harness's seed) serves: no other organisation's user may see it either. */
const DEFAULT_ORG_MARKS = ['site-a', '0000beef', 'Wendy Worker'];

let h: Harness;
let ops: Operation[];
let a: Tenant;
let b: Tenant;
let centreAdmin: string;

beforeAll(async () => {
  ({ h, centreAdmin, a, b } = await startTenantPair());
  ops = operations((await call<Parameters<typeof operations>[0]>(h.base, 'GET', '/api/openapi.json')).body).filter((op) => !SKIP.test(op.key));
}, 60_000);

afterAll(() => h.stop());

/** The path of an operation with the ids of organisation `t` (undefined: no path parameter). */
function pathFor(op: Operation, t: Tenant): string {
  const resource = op.path.split('/')[2]!;
  const ids: Record<string, string> = {
    alarms: t.alarm, sessions: t.session, workers: t.worker, sites: t.site, devices: t.device, teams: t.team, contacts: t.contact, ladders: t.ladder, zones: t.zone,
    beacons: t.beacon, inputs: encodeURIComponent(t.input), users: t.users.admin.id, organisations: t.org,
  };
  return op.path.replace('{id}', ids[resource] ?? 'nobody').replace('{siteId}', t.site).replace('{gatewayId}', 'gw').replace('{floor}', 'G');
}

/** A body that passes validation, naming organisation `t`'s records where the body refers to any. */
function bodyFor(op: Operation, t: Tenant, other: Tenant): unknown {
  const bodies: Record<string, unknown> = {
    'POST /api/sites': { id: t.site, name: 'taken over' }, 'PUT /api/sites/{id}': { name: 'taken over' },
    'POST /api/workers': { id: `${other.org}-new-w`, name: 'new', siteId: t.site, teamId: t.team, ladderId: t.ladder }, 'PUT /api/workers/{id}': { name: 'taken over' },
    'POST /api/teams': { id: t.team, name: 'taken over' }, 'PUT /api/teams/{id}': { name: 'taken over' },
    'POST /api/contacts': { id: t.contact, name: 'taken over' }, 'PUT /api/contacts/{id}': { name: 'taken over' },
    'POST /api/ladders': { id: `${other.org}-new-l`, name: 'new', steps: [{ contactId: t.contact, channel: 'sms' }] }, 'PUT /api/ladders/{id}': { name: 'x', steps: [] },
    'POST /api/zones': { id: t.zone, siteId: other.site, name: 'taken over' }, 'PUT /api/zones/{id}': { siteId: other.site, name: 'taken over' },
    'POST /api/beacons': { id: t.beacon, siteId: other.site }, 'PUT /api/beacons/{id}': { siteId: other.site },
    'POST /api/inputs': { siteId: t.site, gatewayId: 'gw', inputId: 'in1', name: 'taken over' },
    'PUT /api/gateways/{siteId}/{gatewayId}': { name: 'taken over' },
    'POST /api/devices': { board: 'puckjs', workerId: t.worker }, 'PUT /api/devices/{id}': { workerId: other.worker, siteId: other.site },
    'PUT /api/devices/{id}/settings': { settings: { checkInIntervalS: 600 } },
    'POST /api/users': { username: `${other.org}-sneak`, password: 'sneaky-password-1', role: 'admin', organisationId: t.org },
    'PUT /api/users/{id}': { name: 'taken over', scope: { siteIds: [t.site], teamIds: [] } }, 'POST /api/users/{id}/password': { password: 'taken-over-password-1' },
    'POST /api/organisations': { id: `${other.org}-new-org`, name: 'new' }, 'PUT /api/organisations/{id}': { name: 'taken over' },
    'POST /api/alarms/{id}/resolve': { reason: 'test', comment: 'taken over' }, 'POST /api/alarms/{id}/notes': { text: 'x' }, 'POST /api/alarms/{id}/sms': { text: 'x' },
    'POST /api/sessions': { workerId: t.worker, durationMin: 30 }, 'POST /api/sessions/{id}/extend': { addMin: 10 },
    'POST /api/workers/{id}/protection': { on: false }, 'PUT /api/workers/{id}/app-login': { username: `${t.org}-app`, password: 'taken-over-password-1' },
    'POST /api/workers/{id}/app-pairing': { ttlH: 1 }, 'POST /api/workers/{id}/erase': { confirm: t.worker }, 'POST /api/notifications/{id}/answer': { answer: 'accept' },
  };
  return bodies[op.key] ?? (op.method === 'GET' || op.method === 'DELETE' ? undefined : {});
}

/** Query strings naming organisation `t` (lists and exports filter by them). */
const queriesFor = (t: Tenant): string[] => ['', `?siteId=${t.site}`, `?workerId=${t.worker}`, `?organisationId=${t.org}`, `?entityId=${t.alarm}`, `?from=0&to=99999999999999`];

async function ask(op: Operation, path: string, token: string, body: unknown): Promise<{ status: number; text: string }> {
  const upload = !!op.upload;
  const res = await fetch(h.base + path + (upload ? `${path.includes('?') ? '&' : '?'}widthM=1&heightM=1` : ''), {
    method: op.method,
    headers: { authorization: `Bearer ${token}`, ...(upload ? { 'content-type': 'image/png' } : body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(upload ? { body: Buffer.from('\x89PNG\r\n\x1a\n') } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * The answer without the audit log's record of the caller's organisation's own exports: an export's
 * entry keeps the filter its user typed (another organisation's ids among them), which is theirs.
 */
function ownExportsAside(text: string, t: Tenant): string {
  const own = (actor: unknown, action: unknown): boolean => action === 'audit_exported' && String(actor).startsWith(`user:${t.org}-`);
  if (!text.startsWith('{"total"')) return text.split('\n').filter((line) => !/,user:[^,]+,audit_exported,/.test(line) || !line.includes(`,user:${t.org}-`)).join('\n');
  const page = JSON.parse(text) as { entries?: { actor: unknown; action: unknown }[] };
  return JSON.stringify({ ...page, entries: page.entries?.filter((e) => !own(e.actor, e.action)) });
}

const admitted = (op: Operation, role: string): boolean => op.roles === 'any' || (Array.isArray(op.roles) && op.roles.includes(role));

it('no operation reaches, changes or shows another organisation\'s records', async () => {
  expect(ops.length).toBeGreaterThan(100);
  const before = await snapshot(h, b);
  const wrong: string[] = [];
  const table: Record<string, number> = {};
  for (const role of ROLES) {
    const token = a.users[role].token;
    for (const op of ops) {
      const targeted = op.params.length > 0;
      const paths = targeted ? [pathFor(op, b)] : queriesFor(b).map((q) => op.path + (op.method === 'GET' ? q : ''));
      for (const path of new Set(paths)) {
        const r = await ask(op, path, token, bodyFor(op, b, a));
        table[`${targeted ? 'their record' : 'no id'}→${r.status}`] = (table[`${targeted ? 'their record' : 'no id'}→${r.status}`] ?? 0) + 1;
        const at = `${op.method} ${path} as ${a.org}-${role}`;
        if (r.status >= 500) wrong.push(`${at}: ${r.status}`);
        // a record of another organisation is a plain 404 (or refused before it is looked up)
        if (targeted && ![400, 401, 403, 404].includes(r.status)) wrong.push(`${at}: expected 400/403/404, got ${r.status} ${r.text.slice(0, 120)}`);
        if (r.status < 300 && [b.org, ...DEFAULT_ORG_MARKS].some((m) => ownExportsAside(r.text, a).includes(m))) wrong.push(`${at}: ${r.status} shows another organisation's record: ${r.text.slice(0, 200)}`);
        if (!targeted && r.status < 300 && op.method !== 'GET' && JSON.stringify(bodyFor(op, b, a)).includes(b.org)) wrong.push(`${at}: ${r.status} accepted a body naming ${b.org}'s records`);
      }
    }
  }
  console.log(`tenant matrix: ${ops.length} operations × ${ROLES.length} roles of ${a.org} against ${b.org}: ${JSON.stringify(table)}`);
  expect(wrong).toEqual([]);
  expect(await snapshot(h, b)).toEqual(before);
}, 180_000);

it('answers an organisation\'s users about their own records as the role matrix says', async () => {
  const wrong: string[] = [];
  const gets = ops.filter((op) => op.method === 'GET' && op.params.length > 0 && !op.path.includes('/push/'));
  for (const role of ROLES) {
    for (const op of gets) {
      const r = await ask(op, pathFor(op, a), a.users[role].token, undefined);
      const refused = r.status === 401 || (r.status === 403 && r.text.includes('"forbidden"'));
      if (refused === admitted(op, role) || r.status >= 500) wrong.push(`${op.key} as ${a.org}-${role}: ${r.status} ${r.text.slice(0, 120)}`);
    }
  }
  expect(wrong).toEqual([]);
  // what every role of the organisation reads of its own
  for (const path of [`/api/alarms/${a.alarm}`, `/api/sessions/${a.session}`, `/api/workers/${a.worker}`, `/api/sites/${a.site}`, `/api/devices/${a.device}`, `/api/contacts/${a.contact}`, `/api/organisations/${a.org}`]) {
    for (const role of ROLES) expect([path, role, (await call(h.base, 'GET', path, { token: a.users[role].token })).status]).toEqual([path, role, 200]);
  }
  const users = await call<{ users: { username: string }[] }>(h.base, 'GET', '/api/users', { token: a.users.admin.token });
  expect(users.body.users.map((u) => u.username).sort()).toEqual(ROLES.map((r) => `${a.org}-${r}`).sort());
  expect((await call(h.base, 'POST', '/api/organisations', { token: a.users.admin.token, body: { id: 'mine', name: 'Mine' } })).status).toBe(403);
});

it('shows the centre\'s own staff every organisation, and lets them filter by one', async () => {
  for (const t of [a, b]) {
    for (const path of [`/api/alarms/${t.alarm}`, `/api/workers/${t.worker}`, `/api/sites/${t.site}`, `/api/devices/${t.device}`, `/api/organisations/${t.org}`]) {
      expect([path, (await call(h.base, 'GET', path, { token: centreAdmin })).status]).toEqual([path, 200]);
    }
  }
  const alarms = await call<{ alarms: { id: string; organisationId: string }[] }>(h.base, 'GET', `/api/reports/alarms?organisationId=${b.org}`, { token: centreAdmin });
  expect(alarms.body.alarms.map((x) => x.id)).toEqual([b.alarm]);
  const stats = await call<{ byOrganisation: { organisationId: string; total: number }[] }>(h.base, 'GET', '/api/reports/stats?from=0&to=99999999999999', { token: centreAdmin });
  expect(stats.body.byOrganisation.map((g) => [g.organisationId, g.total])).toEqual([[a.org, 1], [b.org, 1]]);
  const orgs = await call<{ organisations: { id: string }[] }>(h.base, 'GET', '/api/organisations', { token: centreAdmin });
  expect(orgs.body.organisations.map((o) => o.id)).toEqual([a.org, b.org, 'default']);
  const created = await call<{ organisationId: string }>(h.base, 'POST', '/api/users', { token: centreAdmin, body: { username: 'new-blue-op', password: 'new-blue-password-1', role: 'operator', organisationId: b.org } });
  expect([created.status, created.body.organisationId]).toEqual([201, b.org]);
});
