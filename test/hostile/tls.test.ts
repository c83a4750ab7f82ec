/**
 * TLS on both of the centre's network faces (docs/security.md, "TLS"), with certificates made by
 * openssl at test time: the centre serves its console and API over HTTPS (`http.tls`) and reaches the
 * broker over MQTT/TLS (`mqtts://`, the broker's `tls` listener), trusting the test CA through
 * NODE_EXTRA_CA_CERTS as an installation trusts its own. Plain connections to the TLS ports and
 * clients that do not trust the CA are refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';
import { CentreChild } from '../helpers/centre-child';
import { makeTestPki, type TestPki } from '../helpers/tls';

let pki: TestPki;
let dir: string;
let broker: EmbeddedBroker;
let centre: CentreChild;
let port: number;

function get(path: string, opts: { ca?: Buffer; plain?: boolean } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = (opts.plain ? httpRequest : httpsRequest)({ host: 'localhost', port, path, method: 'GET', ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  pki = makeTestPki();
  dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
  broker = new EmbeddedBroker({
    listeners: { tls: { host: '127.0.0.1', port: 0, certFile: pki.certFile, keyFile: pki.keyFile } }, log: createLogger('test', 'silent'),
    users: [{ username: 'centre', passwordHash: hashPassword('centre-pw'), role: 'centre' }],
  });
  await broker.start();
  const config = join(dir, 'centre.yaml');
  writeFileSync(config, [
    `dataDir: ${dir}`,
    `mqtt: { url: "mqtts://localhost:${broker.ports.tls}", clientId: vigil-centre, username: centre, password: centre-pw }`,
    `http: { host: 127.0.0.1, port: 0, tls: { certFile: "${pki.certFile}", keyFile: "${pki.keyFile}" } }`,
  ].join('\n'));
  const before = process.env['NODE_EXTRA_CA_CERTS'];
  process.env['NODE_EXTRA_CA_CERTS'] = pki.caFile;
  try {
    centre = await CentreChild.start(config);
  } finally {
    if (before === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
    else process.env['NODE_EXTRA_CA_CERTS'] = before;
  }
  port = Number(/https:\/\/127\.0\.0\.1:(\d+)/.exec(await centre.waitFor(/centre started/))![1]);
}, 60_000);

afterAll(async () => {
  await centre?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
  pki?.remove();
});

it('serves the API over HTTPS, connected to the broker over MQTT/TLS, and tells browsers to keep to HTTPS', async () => {
  const r = await get('/api/health', { ca: pki.ca });
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body)).toMatchObject({ ok: true, mqtt: true });
  expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
  expect(broker.connectedClients).toBeGreaterThan(0);
});

it('refuses plain HTTP on the HTTPS port and clients that do not trust the certificate', async () => {
  await expect(get('/api/health', { plain: true })).rejects.toThrow();
  await expect(get('/api/health')).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
});

it('the broker refuses plain MQTT on its TLS port and clients that do not trust its certificate', async () => {
  const attempt = (url: string, ca?: Buffer): Promise<string> =>
    new Promise<string>((resolve) => {
      const c = mqtt.connect(url, { username: 'centre', password: 'centre-pw', clientId: `probe-${Math.random()}`, reconnectPeriod: 0, connectTimeout: 3000, ...(ca ? { ca } : {}) });
      c.once('connect', () => resolve('connected'));
      c.once('error', (e) => resolve(e.message));
      c.once('close', () => resolve('closed'));
    });
  expect(await attempt(`mqtts://localhost:${broker.ports.tls}`, pki.ca)).toBe('connected');
  expect(await attempt(`mqtts://localhost:${broker.ports.tls}`)).toMatch(/self[- ]signed|unable to (get|verify)/i);
  expect(await attempt(`mqtt://localhost:${broker.ports.tls}`)).not.toBe('connected');
});
