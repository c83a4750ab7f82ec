/**
 * The HTTP layer itself (centre/src/http on fastify), over real sockets: requests are validated from
 * the route's schemas before anything runs, every problem named by path; the record a path names is
 * looked up within the user's scope before the body is judged; fastify's own refusals keep the API's
 * `{error: {code, message}}` shape; the document is generated from the very schemas that validate.
 */
import { request } from 'node:http';
import { REGISTRY_SCHEMAS } from '../../centre/src/registry/schemas';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request exactly as given (node:http: the path unnormalised, any body and media type). */
function raw(base: string, method: string, path: string, opts: { token?: string; type?: string; body?: string | Buffer } = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.type) headers['content-type'] = opts.type;
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const error = (a: Answer): unknown => JSON.parse(a.body) as unknown;

describe('the HTTP layer', () => {
  let h: Harness;
  let admin: string;
  let sue: string;
  let alarmId: string;

  beforeAll(async () => {
    h = await startHarness({ http: true });
    await h.centre.store.upsertSite({ id: 'north', name: 'North' });
    await h.centre.auth.createUser({ username: 'root', password: 'root-password', role: 'admin' });
    await h.centre.auth.createUser({ username: 'sue', password: 'sue-password', role: 'supervisor', scope: { siteIds: ['north'], teamIds: [] } });
    admin = await login(h.base, 'root', 'root-password');
    sue = await login(h.base, 'sue', 'sue-password');
    await h.frame('sos');
    alarmId = (await h.centre.store.listAlarms({ states: ['raised'] }))[0]!.id;
  });
  afterAll(() => h.stop());

  it('validates bodies, queries and path parameters from their schemas, naming every problem by path', async () => {
    expect(await call(h.base, 'POST', '/api/users', { token: admin, body: { username: 'x', role: 'boss', extra: 1 } })).toEqual({
      status: 400,
      body: { error: { code: 'invalid', message: 'Invalid: password: is required; extra: is not a known setting; username: must be 2–64 letters, digits or _.@-; role: must be one of "admin", "supervisor", "operator", "readonly", "auditor"' } },
    });
    expect(await call(h.base, 'GET', '/api/reports/alarms?limit=0&type=sos,,bogus', { token: admin })).toEqual({
      status: 400, body: { error: { code: 'invalid', message: 'Invalid: type.1: must be one of "duress", "sos", "fall", "man_down", "no_motion", "session_expired", "check_in_missed", "device_silent", "gateway_offline", "notifier_failed", "integration_failed", "backup_failed", "low_battery"; limit: must be >= 1' } },
    });
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const floor = await raw(h.base, 'PUT', `/api/sites/${SITE}/plans/a%20b?widthM=1&heightM=1`, { token: admin, type: 'image/png', body: png });
    expect([floor.status, error(floor)]).toEqual([400, { error: { code: 'invalid', message: 'Invalid: floor: must be 1–20 letters, digits or _.- (the floor as the zones give it: 0, 1, B1)' } }]);
    expect(await call(h.base, 'POST', `/api/alarms/${alarmId}/notes`, { token: admin, body: { text: ' \n ' } })).toEqual({
      status: 400, body: { error: { code: 'invalid', message: 'Invalid: text: must be text, not blank' } },
    });
    // Query numbers are read from text; a default fills what is absent.
    expect(await call(h.base, 'GET', '/api/reports/alarms?offset=0', { token: admin })).toMatchObject({ status: 200, body: { limit: 100, offset: 0 } });
  });

  it('looks the record a path names up within the user\'s scope before judging the body: outside it, the same 404 whatever is sent', async () => {
    const blank = { text: ' ' };
    expect(await call(h.base, 'POST', `/api/alarms/${alarmId}/notes`, { token: sue, body: blank })).toEqual({ status: 404, body: { error: { code: 'not_found', message: `Unknown alarm '${alarmId}'` } } });
    expect(await call(h.base, 'POST', '/api/alarms/nope/notes', { token: sue, body: blank })).toEqual({ status: 404, body: { error: { code: 'not_found', message: "Unknown alarm 'nope'" } } });
    // A login is checked before the body is even read.
    const unread = await raw(h.base, 'POST', `/api/alarms/${alarmId}/notes`, { type: 'text/plain', body: 'x'.repeat(100_000) });
    expect([unread.status, error(unread)]).toEqual([401, { error: { code: 'unauthenticated', message: 'Log in first' } }]);
  });

  it('answers fastify\'s own refusals in the API\'s shape', async () => {
    const poisoned = await raw(h.base, 'POST', '/api/login', { type: 'application/json', body: '{"username":"a","password":"b","__proto__":{"admin":true}}' });
    expect([poisoned.status, error(poisoned)]).toEqual([400, { error: { code: 'bad_json', message: 'The body has a forbidden key (__proto__ or constructor.prototype)' } }]);
    const broken = await raw(h.base, 'POST', '/api/login', { type: 'application/json', body: '{"username":' });
    expect([broken.status, error(broken)]).toEqual([400, { error: { code: 'bad_json', message: 'The body is not valid JSON' } }]);
    const big = await raw(h.base, 'POST', '/api/login', { type: 'application/json', body: JSON.stringify({ username: 'x'.repeat(70_000), password: 'y' }) });
    expect([big.status, error(big)]).toEqual([413, { error: { code: 'too_large', message: 'Request body over 65536 bytes' } }]);
    const form = await raw(h.base, 'POST', '/api/login', { type: 'application/x-www-form-urlencoded', body: 'username=a&password=b' });
    expect([form.status, error(form)]).toEqual([415, { error: { code: 'unsupported_media_type', message: 'Send JSON (content-type: application/json)' } }]);
    // An image's media type is refused before its bytes are read: 415, not 413, for 6 MB of GIF.
    const gif = await raw(h.base, 'PUT', `/api/sites/${SITE}/plans/1?widthM=1&heightM=1`, { token: admin, type: 'image/gif', body: Buffer.alloc(6 * 1024 * 1024) });
    expect([gif.status, error(gif)]).toEqual([415, { error: { code: 'unsupported_media_type', message: 'Send one of image/png, image/jpeg, image/webp, image/svg+xml' } }]);
    for (const [method, path, status, code] of [
      ['PUT', '/api/alarms', 405, 'method_not_allowed'], ['HEAD', '/api/alarms', 405, 'method_not_allowed'], ['DELETE', '/app/detect.js', 404, 'not_found'],
      ['GET', '/api/alarms/', 404, 'not_found'], ['GET', `/api/alarms/${'x'.repeat(2000)}`, 404, 'not_found'], ['GET', '/api/nope', 404, 'not_found'], ['GET', '/api/alarms/%ZZ', 400, 'bad_url'], ['POST', '/%C0%AF', 400, 'bad_url'],
    ] as const) {
      const r = await raw(h.base, method, path, { token: admin });
      expect([method, path, r.status, r.headers['x-content-type-options'], method === 'HEAD' ? code : (error(r) as { error: { code: string } }).error.code]).toEqual([method, path, status, 'nosniff', code]);
    }
  });

  it('serves the web apps with their media types, never in a frame, and nothing outside their folders', async () => {
    for (const [path, type] of [['/', 'text/html; charset=utf-8'], ['/app', 'text/html; charset=utf-8'], ['/app/app.js', 'text/javascript; charset=utf-8'], ['/responder/responder.js', 'text/javascript; charset=utf-8'], ['/vendor/leaflet/leaflet.css', 'text/css; charset=utf-8'], ['/app/manifest.webmanifest', 'application/manifest+json']] as const) {
      const r = await raw(h.base, 'GET', path);
      expect([path, r.status, r.headers['content-type'], r.headers['cache-control'], r.headers['x-frame-options'], r.headers['x-content-type-options']]).toEqual([path, 200, type, 'no-cache', 'DENY', 'nosniff']);
    }
    for (const path of ['/app/../../../package.json', '/app/..%2f..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/app/nope.js']) {
      const r = await raw(h.base, 'GET', path);
      expect([path, r.status, error(r)]).toEqual([path, 404, { error: { code: 'not_found', message: 'Not found' } }]);
    }
  });

  it('documents each route with the schemas that validate it', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; parameters?: { name: string; in: string; schema: unknown }[] }>> }>(h.base, 'GET', '/api/openapi.json')).body;
    expect(doc.paths['/api/contacts']!['post']!.requestBody!.content['application/json']!.schema).toEqual(REGISTRY_SCHEMAS.contact);
    expect(doc.paths['/api/reports/alarms']!['get']!.parameters!.find((p) => p.name === 'limit')).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } });
    expect(Object.keys(doc.paths['/api/sites/{id}/plans/{floor}']!['put']!.requestBody!.content)).toEqual(['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml']);
  });
});
