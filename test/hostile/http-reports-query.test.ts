/**
 * Found by `make fuzz` (http surface): `GET /api/reports/alarms?offset=1e309` answered 500 — the
 * number became Infinity and reached SQL. On fastify the same input came back: Ajv's coercion reads
 * `1e309` and `Infinity` as Infinity, which then passes `maximum`. Numbers in a query are now plain
 * decimal text or a 400 that names them (centre/src/http/validation.ts), for every route.
 */
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await startHarness({ http: true });
  await h.centre.auth.createUser({ username: 'sue', password: 'sue-password-1', role: 'supervisor' });
  token = await login(h.base, 'sue', 'sue-password-1');
});
afterAll(() => h.stop());

it.each(['offset=1e309', 'offset=-1', 'offset=1e20', 'limit=Infinity', 'offset=0x10', 'limit=5000', 'limit=1.5', 'limit=-0'])('%s is a 400 that names the parameter', async (q) => {
  const r = await call<{ error: { code: string; message: string } }>(h.base, 'GET', `/api/reports/alarms?${q}`, { token });
  expect(r.status).toBe(400);
  expect(r.body.error).toEqual({ code: 'invalid', message: expect.stringMatching(new RegExp(`^Invalid: ${q.split('=')[0]}: `)) });
});

it('whole numbers page as before (limit 1–1000)', async () => {
  const r = await call<{ offset: number; limit: number }>(h.base, 'GET', '/api/reports/alarms?offset=5&limit=1000', { token });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ offset: 5, limit: 1000 });
});
