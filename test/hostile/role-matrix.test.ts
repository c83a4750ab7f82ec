/**
 * The role × route matrix (docs/security.md): every operation of the served OpenAPI document, called
 * by every kind of caller — nobody, a made-up token, a worker's app token, and a console user of each
 * role. A route's `x-roles` is what the router enforces; this checks that the server does what the
 * document says: 401 without a valid login, 403 for a role the route excludes, and neither for a role
 * it admits (the handler runs and answers for itself: 400, 404… or 2xx). Path parameters name nothing
 * that exists, so no call changes anything; the calls that end a login run last.
 */
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';
import { operations, type Operation, type Who, WHO } from '../fuzz/http-requests';

const ROLES = ['admin', 'supervisor', 'operator', 'readonly', 'auditor'] as const;
/** Routes that end the caller's own login: called last. */
const LAST = new Set(['POST /api/logout', 'POST /api/app/logout']);

let h: Harness;
let ops: Operation[];
const tokens: Partial<Record<Who, string>> = { garbage: 'f'.repeat(64) };

beforeAll(async () => {
  h = await startHarness({ http: true });
  for (const role of ROLES) {
    await h.centre.auth.createUser({ username: `m-${role}`, password: `${role}-password-1`, role });
    tokens[role] = await login(h.base, `m-${role}`, `${role}-password-1`);
  }
  await call(h.base, 'PUT', '/api/workers/w1/app-login', { token: tokens.admin!, body: { username: 'wendy', password: 'wendy-password-1' } });
  tokens.worker = (await call<{ token: string }>(h.base, 'POST', '/api/app/login', { body: { username: 'wendy', password: 'wendy-password-1' } })).body.token;
  ops = operations((await call<Parameters<typeof operations>[0]>(h.base, 'GET', '/api/openapi.json')).body);
  ops.sort((a, b) => Number(LAST.has(a.key)) - Number(LAST.has(b.key)));
}, 60_000);

afterAll(() => h.stop());

/** One call; the answer's status and error code (event streams and files are not read to their end). */
async function ask(method: string, path: string, token: string | undefined, body: unknown): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(h.base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  let code: string | undefined;
  if (res.headers.get('content-type')?.startsWith('application/json')) code = ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code;
  else await res.body?.cancel();
  return { status: res.status, code };
}

/** Who the route admits, by the document; undefined: a public route. */
function admitted(op: Operation): readonly Who[] | undefined {
  // The live stream takes a one-time ticket in its query (EventSource sends no header), not a token.
  if (op.path === '/api/stream') return [];
  if (op.path.startsWith('/api/app/') && !/\/(login|pair)$/.test(op.path)) return ['worker'];
  if (op.roles === 'public') return undefined;
  return op.roles === 'any' ? ROLES : (op.roles as Who[]);
}

it('every route answers every caller as its roles say', async () => {
  expect(ops.length).toBeGreaterThan(60);
  const wrong: string[] = [];
  const table: Record<string, number> = {};
  for (const op of ops) {
    const path = op.path.replace(/\{\w+\}/g, 'nobody');
    const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : op.upload ? undefined : {};
    for (const who of WHO) {
      const r = await ask(op.method, path + (op.upload ? '?widthM=1&heightM=1' : ''), tokens[who], body);
      // A refusal for who the caller is; a 403 with another code is the handler's own answer (a position not shared).
      const refused = (r.status === 401 && r.code === 'unauthenticated') || (r.status === 403 && r.code === 'forbidden');
      const allowedWho = admitted(op);
      const expected = allowedWho === undefined ? 'public' : allowedWho.includes(who) ? 'admitted' : who === 'none' || who === 'garbage' || who === 'worker' || op.path.startsWith('/api/app/') || op.path === '/api/stream' ? 401 : 403;
      const ok = expected === 'public' || expected === 'admitted' ? !refused && r.status < 500 : refused && r.status === expected;
      const cell = `${expected}→${r.status}`;
      table[cell] = (table[cell] ?? 0) + 1;
      if (!ok) wrong.push(`${op.key} as ${who}: expected ${expected}, got ${r.status} ${r.code ?? ''}`);
    }
  }
  console.log(`role matrix: ${ops.length} operations × ${WHO.length} callers: ${JSON.stringify(table)}`);
  expect(wrong).toEqual([]);
}, 120_000);

it('the live stream admits a ticket of any console role, once', async () => {
  for (const role of ROLES) {
    const t = await call<{ ticket: string }>(h.base, 'POST', '/api/stream/ticket', { token: (await h.centre.auth.login('matrix', `m-${role}`, `${role}-password-1`))!.token });
    expect(t.status).toBe(201);
    expect((await ask('GET', `/api/stream?ticket=${t.body.ticket}`, undefined, undefined)).status).toBe(200);
    expect((await ask('GET', `/api/stream?ticket=${t.body.ticket}`, undefined, undefined)).status).toBe(401);
  }
  expect((await ask('POST', '/api/stream/ticket', tokens.worker, {})).status).toBe(401);
});
