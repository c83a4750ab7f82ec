/**
 * One request must never stop the centre (issue: hostile input). `GET /%ZZ` used to reach
 * decodeURIComponent outside any guard and end the whole process (centre, broker, gateway) with an
 * unhandled rejection. A real centre process is sent the malformed URLs, then must still answer.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';
import { CentreChild } from '../helpers/centre-child';
import { call } from '../helpers/http';

/** GET with the path exactly as given (node:http sends it unnormalised, unlike fetch). */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes (not even HTTP) and returns the status of the answer. */
function rawRequest(port: number, text: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(text));
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => (data += c));
    s.on('error', reject);
    s.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
  });
}

describe('one malformed request costs that request, never the process', () => {
  let dir: string;
  let broker: EmbeddedBroker;
  let centre: CentreChild;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-http-'));
    broker = new EmbeddedBroker({ listeners: { tcp: { host: '127.0.0.1', port: 0 } }, log: createLogger('test', 'silent'), users: [{ username: 'centre', passwordHash: hashPassword('centre-pw'), role: 'centre' }] });
    await broker.start();
    const config = join(dir, 'centre.yaml');
    writeFileSync(config, [`dataDir: ${dir}`, `mqtt: { url: "mqtt://127.0.0.1:${broker.ports.tcp}", clientId: vigil-centre, username: centre, password: centre-pw }`, 'http: { host: 127.0.0.1, port: 0 }'].join('\n'));
    centre = await CentreChild.start(config);
    const started = await centre.waitFor(/centre started/);
    port = Number(/http:\/\/127\.0\.0\.1:(\d+)/.exec(started)![1]);
  }, 60_000);

  afterAll(async () => {
    await centre?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a static path with a malformed escape', '/%ZZ'],
    ['an overlong UTF-8 escape', '/%C0%AF'],
    ['a lone surrogate', '/app/%ED%A0%80'],
    ['a malformed escape in an API parameter', '/api/alarms/%ZZ'],
    ['a malformed escape in the worker app', '/app/%'],
  ])('%s (%s) is answered 400 bad_url', async (_what, path) => {
    const r = await get(port, path);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'bad_url', message: expect.any(String) } });
  });

  it('a request line that is not HTTP gets 400, and the centre goes on serving', async () => {
    const r = await rawRequest(port, 'GET /%ZZ\x00 HTTP/9\r\n\r\n');
    expect(r.status).toBe(400);
    for (let i = 0; i < 20; i++) expect((await get(port, `/%ZZ${i}`)).status).toBe(400);
    const health = await call<{ ok: boolean; faults: Record<string, number> }>(`http://127.0.0.1:${port}`, 'GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
    expect(centre.child.exitCode).toBeNull();
    expect(centre.lines.join('\n')).not.toMatch(/unhandled rejection|URIError/);
  });
});

describe('the process guard', () => {
  it('logs and counts an unhandled rejection instead of ending the process', async () => {
    const script = [
      "const g = require('./common/process-guard');",
      "g.installProcessGuard(require('./common/log').createLogger('probe', 'error'));",
      "Promise.reject(new Error('boom'));",
      "setImmediate(() => setImmediate(() => console.log('alive ' + JSON.stringify(g.processFaults.snapshot()))));",
    ].join('\n');
    const child = spawn('node', ['-r', 'tsx/cjs', '-e', script], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(out.trim()).toBe('alive {"unhandled_rejection":1}');
    expect(err).toMatch(/error probe unhandled rejection \(the process carries on\).*boom/);
  });
});
