/**
 * Findings of `make fuzz` (http surface), each answered now with a clear error instead of a dropped
 * connection or a 500:
 * - a JSON body over the limit was refused by destroying the socket, so the 413 never arrived;
 * - a JSON body nested thousands of levels deep passed the size limit and overflowed the stack in the
 *   handlers (validation, cloning): 500 on every registry route;
 * - a CONNECT request had the connection dropped without a word.
 */
import { startHarness, type Harness } from '../helpers/centre-harness';
import { login } from '../helpers/http';
import { RawHttp } from '../fuzz/http-client';

let h: Harness;
let token: string;
let client: RawHttp;

beforeAll(async () => {
  h = await startHarness({ http: true });
  await h.centre.auth.createUser({ username: 'ada', password: 'ada-password-1', role: 'admin' });
  token = await login(h.base, 'ada', 'ada-password-1');
  client = new RawHttp('127.0.0.1', Number(new URL(h.base).port));
});

afterAll(async () => {
  client.close();
  await h.stop();
});

const post = (path: string, body: Buffer, method = 'POST') =>
  client.send(Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`), body]));

const error = (a: Awaited<ReturnType<typeof post>>): { status: number; code: string } => {
  if (a === 'no_answer') throw new Error('no answer');
  return { status: a.status, code: (JSON.parse(a.body.toString()) as { error: { code: string } }).error.code };
};

it('a JSON body over 64 KiB gets its 413, read or not', async () => {
  expect(error(await post('/api/alarms/x/notes', Buffer.alloc(70_000, 0x20)))).toEqual({ status: 413, code: 'too_large' });
  // Declared larger than the limit: refused before it is read.
  const declared = await client.send(Buffer.from(`POST /api/alarms/x/notes HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: 99999999\r\n\r\n{}`), { fresh: true });
  expect(error(declared)).toEqual({ status: 413, code: 'too_large' });
});

it.each([['/api/sites/site-a', 'PUT'], ['/api/workers/w1', 'PUT'], ['/api/alarms/x/notes', 'POST']])('a body nested 2,000 levels deep is refused with 400 too_deep (%s)', async (path, method) => {
  const deep = Buffer.from('{"a":'.repeat(2000) + '1' + '}'.repeat(2000));
  expect(error(await post(path, deep, method))).toEqual({ status: 400, code: 'too_deep' });
  // Deep enough for any real request, and brackets inside strings do not count.
  const fine = Buffer.from(JSON.stringify({ id: 'site-a', name: '[[[[{{{{'.repeat(40) }));
  expect((await post(path, fine, method)) !== 'no_answer').toBe(true);
});

it('CONNECT is answered 405', async () => {
  const a = await client.send(Buffer.from('CONNECT 127.0.0.1:22 HTTP/1.1\r\nhost: 127.0.0.1:22\r\n\r\n'), { fresh: true });
  expect(error(a)).toEqual({ status: 405, code: 'method_not_allowed' });
});

it('every answer is counted by status in /api/health, unreadable requests and refused expectations too', async () => {
  await client.send(Buffer.from('GARBAGE\r\n\r\n'), { fresh: true });
  await client.send(Buffer.from('GET /api/health HTTP/1.1\r\nhost: x\r\nexpect: telepathy\r\n\r\n'), { fresh: true });
  const a = await client.send(Buffer.from('GET /api/health HTTP/1.1\r\nhost: x\r\n\r\n'), { fresh: true });
  if (a === 'no_answer') throw new Error('no answer');
  const http = (JSON.parse(a.body.toString()) as { http: Record<string, number> }).http;
  expect(http).toMatchObject({ '413': 2, '405': 1, '417': 1, unreadable: 1 });
  expect(http['400']).toBeGreaterThanOrEqual(3);
});
