/**
 * Slow and half-open connections (slowloris): hundreds of connections that send half a request and
 * then nothing, or dribble a body byte by byte, must not stop the centre answering everybody else —
 * nor raising an alarm. (Node closes such connections after headersTimeout, 60 s, and
 * requestTimeout, 300 s: docs/security.md.)
 */
import { connect, type Socket } from 'node:net';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call } from '../helpers/http';

let h: Harness;
const sockets: Socket[] = [];

beforeAll(async () => {
  h = await startHarness({ http: true });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await h.stop();
});

function open(port: number, first: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(first);
      resolve(s);
    });
    s.on('error', () => undefined);
    s.once('error', reject);
    sockets.push(s);
  });
}

it('300 stalled connections leave the API answering and alarms raised', async () => {
  const port = Number(new URL(h.base).port);
  for (let i = 0; i < 100; i++) await open(port, 'GET /api/health HTTP/1.1\r\nhost: x\r\nx-slow: ');
  for (let i = 0; i < 100; i++) await open(port, 'POST /api/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"user');
  for (let i = 0; i < 100; i++) {
    const s = await open(port, 'GET /api/alarms HTTP/1.1\r\n');
    s.end(); // half-closed with half a request
  }
  const started = performance.now();
  const health = await call<{ ok: boolean }>(h.base, 'GET', '/api/health');
  expect(health.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(2000);
  await h.frame('sos');
  const open_ = await h.centre.store.listAlarms({ states: ['raised'] });
  expect(open_.length).toBe(1);
  expect(h.bus.on('/downlink').length).toBeGreaterThan(0);
});
