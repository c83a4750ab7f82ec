/**
 * The embedded broker through real mqtt.js clients: credentials, every ACL rule by role, the TCP,
 * WebSocket and TLS listeners (with a certificate made here by openssl), and persistent sessions
 * whose QoS 1 messages survive a broker restart (SQLite persistence).
 */
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import { type BrokerUser, EmbeddedBroker } from '../../gateway/src/broker/broker';
import { until } from '../../rig/wait';

const log = createLogger('test', 'silent');
const PASSWORDS: Record<string, string> = { 'gw-1': 'gw-pass', centre: 'centre-pass', console: 'console-pass', arc: 'arc-pass' };
let users: BrokerUser[];
beforeAll(() => {
  users = [
    { username: 'gw-1', passwordHash: hashPassword(PASSWORDS['gw-1']!), role: 'gateway', siteId: 's1', gatewayId: 'gw-1' },
    { username: 'centre', passwordHash: hashPassword(PASSWORDS['centre']!), role: 'centre' },
    { username: 'console', passwordHash: hashPassword(PASSWORDS['console']!), role: 'console' },
    { username: 'arc', passwordHash: hashPassword(PASSWORDS['arc']!), role: 'integrator' },
  ];
});

let dir: string;
const clients: MqttClient[] = [];
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-broker-'))));
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  rmSync(dir, { recursive: true, force: true });
});

/** A connected client that records what it receives; rejects with the broker's refusal. */
async function client(url: string, username: string | undefined, extra: IClientOptions = {}): Promise<{ c: MqttClient; got: { topic: string; payload: string }[]; events: EventEmitter }> {
  const events = new EventEmitter();
  const got: { topic: string; payload: string }[] = [];
  const c = mqtt.connect(url, { clientId: `${username ?? 'anon'}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0, ...(username ? { username, password: PASSWORDS[username] } : {}), ...extra });
  clients.push(c);
  c.on('message', (topic, p) => {
    got.push({ topic, payload: p.toString() });
    events.emit('message');
  });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return { c, got, events };
}

/** The QoS the broker granted; 128 is a refusal (MQTT 3.1.1 §3.9.3), which mqtt.js reports as an error. */
async function grantedQos(c: MqttClient, filter: string): Promise<number | undefined> {
  try {
    return (await c.subscribeAsync(filter, { qos: 1 }))[0]?.qos;
  } catch (e) {
    return (e as { packet?: { granted?: number[] } }).packet?.granted?.[0];
  }
}

async function startBroker(listeners: ConstructorParameters<typeof EmbeddedBroker>[0]['listeners'], dataDir?: string): Promise<EmbeddedBroker> {
  const b = new EmbeddedBroker({ listeners, users, log, ...(dataDir ? { dataDir } : {}) });
  await b.start();
  return b;
}

describe('embedded broker: credentials and ACLs through real clients', () => {
  let broker: EmbeddedBroker;
  let url: string;
  beforeEach(async () => {
    broker = await startBroker({ tcp: { host: '127.0.0.1', port: 0 } });
    url = `mqtt://127.0.0.1:${broker.ports.tcp}`;
  });
  afterEach(() => broker.stop());

  it('refuses a wrong password and anonymous clients', async () => {
    await expect(client(url, 'centre', { password: 'wrong' })).rejects.toThrow(/Bad username or password|Not authorized/);
    await expect(client(url, undefined)).rejects.toThrow(/Bad username or password|Not authorized/);
    expect(broker.counters.authFailed).toBe(2);
  });

  it('lets a gateway publish its own uplinks and status to the centre, and nothing else', async () => {
    const centre = await client(url, 'centre');
    await centre.c.subscribeAsync('vigil/v1/sites/+/gateways/+/+', { qos: 1 });
    const gw = await client(url, 'gw-1');
    await gw.c.publishAsync('vigil/v1/sites/s1/gateways/gw-1/uplink', 'mine', { qos: 1 });
    await gw.c.publishAsync('vigil/v1/sites/s1/gateways/gw-1/status', 'ok', { qos: 1, retain: true });
    await until(centre.events, 'message', () => centre.got.length === 2);
    // Each forbidden publish: not delivered, counted; MQTT 3.1.1 has no negative PUBACK, so Aedes drops the client.
    for (const [i, topic] of ['vigil/v1/sites/s1/gateways/gw-2/uplink', 'vigil/v1/sites/s2/gateways/gw-1/uplink', 'vigil/v1/alarms/a1', 'vigil/v1/sites/s1/downlink'].entries()) {
      const g = await client(url, 'gw-1');
      g.c.publish(topic, 'forged', { qos: 1 });
      await until(g.c as unknown as EventEmitter, 'close', () => broker.counters.publishDenied === i + 1, 5000, `the publish to ${topic} to be denied`);
    }
    await gw.c.publishAsync('vigil/v1/sites/s1/gateways/gw-1/uplink', 'mine-again', { qos: 1 });
    await until(centre.events, 'message', () => centre.got.length === 3);
    expect(centre.got.map((m) => m.payload)).toEqual(['mine', 'ok', 'mine-again']);
  });

  it('grants subscriptions by role and refuses the rest (granted QoS 128)', async () => {
    const cases: [string, string, boolean][] = [
      ['gw-1', 'vigil/v1/sites/s1/downlink', true],
      ['gw-1', 'vigil/v1/sites/s1/keyring', true],
      ['gw-1', 'vigil/v1/sites/s1/state', true],
      ['gw-1', 'vigil/v1/sites/s2/keyring', false],
      ['gw-1', 'vigil/v1/sites/+/keyring', false],
      ['gw-1', 'vigil/v1/sites/s1/gateways/+/uplink', false],
      ['console', 'vigil/v1/alarms/#', true],
      ['console', 'vigil/v1/sites/+/keyring', false],
      ['console', 'vigil/v1/#', false],
      ['arc', 'vigil/v1/sites/+/gateways/+/status', true],
      ['arc', 'vigil/v1/sites/+/gateways/+/uplink', false],
      ['centre', 'vigil/v1/sites/+/gateways/+/uplink', true],
      ['centre', '#', false],
      ['centre', '$SYS/#', false],
    ];
    for (const [user, filter, allowed] of cases) {
      const { c } = await client(url, user);
      expect([user, filter, await grantedQos(c, filter)]).toEqual([user, filter, allowed ? 1 : 128]);
    }
    expect(broker.counters.subscribeDenied).toBe(cases.filter((x) => !x[2]).length);
  });

  it('carries the centre’s downlinks and retained keyring to the gateway, but not to a console', async () => {
    const gw = await client(url, 'gw-1');
    await gw.c.subscribeAsync('vigil/v1/sites/s1/downlink', { qos: 1 });
    const centre = await client(url, 'centre');
    await centre.c.publishAsync('vigil/v1/sites/s1/keyring', '{"keys":1}', { qos: 1, retain: true });
    await centre.c.publishAsync('vigil/v1/sites/s1/downlink', '{"cmd":1}', { qos: 1 });
    await until(gw.events, 'message', () => gw.got.length === 1);
    const late = await client(url, 'gw-1');
    await late.c.subscribeAsync('vigil/v1/sites/s1/keyring', { qos: 1 });
    await until(late.events, 'message', () => late.got.length === 1);
    expect(late.got[0]).toEqual({ topic: 'vigil/v1/sites/s1/keyring', payload: '{"keys":1}' });
    const consoleUser = await client(url, 'console');
    expect(await grantedQos(consoleUser.c, 'vigil/v1/sites/s1/keyring')).toBe(128);
  });
});

describe('embedded broker listeners', () => {
  it('serves MQTT over WebSocket with the same credentials', async () => {
    const broker = await startBroker({ ws: { host: '127.0.0.1', port: 0 } });
    try {
      const url = `ws://127.0.0.1:${broker.ports.ws}`;
      const centre = await client(url, 'centre');
      await centre.c.subscribeAsync('vigil/v1/sites/+/gateways/+/status', { qos: 1 });
      const gw = await client(url, 'gw-1');
      await gw.c.publishAsync('vigil/v1/sites/s1/gateways/gw-1/status', 'online', { qos: 1 });
      await until(centre.events, 'message', () => centre.got.length === 1);
      await expect(client(url, 'console', { password: 'nope' })).rejects.toThrow();
    } finally {
      await broker.stop();
    }
  });

  it('serves MQTT over TLS with a configured certificate; clients that do not trust it are refused', async () => {
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=vigil-test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const broker = await startBroker({ tls: { host: '127.0.0.1', port: 0, certFile, keyFile } });
    try {
      const url = `mqtts://127.0.0.1:${broker.ports.tls}`;
      const ca = readFileSync(certFile);
      const centre = await client(url, 'centre', { ca });
      await centre.c.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink', { qos: 1 });
      const gw = await client(url, 'gw-1', { ca });
      await gw.c.publishAsync('vigil/v1/sites/s1/gateways/gw-1/uplink', 'over tls', { qos: 1 });
      await until(centre.events, 'message', () => centre.got.length === 1);
      await expect(client(url, 'gw-1')).rejects.toThrow(/self[- ]signed/i);
    } finally {
      await broker.stop();
    }
  });
});

describe('embedded broker persistent sessions (SQLite)', () => {
  it('delivers QoS 1 messages queued for an absent centre after the broker restarted', async () => {
    const dataDir = join(dir, 'broker');
    let broker = await startBroker({ tcp: { host: '127.0.0.1', port: 0 } }, dataDir);
    const port = broker.ports.tcp!;
    const url = `mqtt://127.0.0.1:${port}`;
    const session = { clientId: 'vigil-centre', clean: false };
    const first = await client(url, 'centre', session);
    await first.c.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink', { qos: 1 });
    await first.c.endAsync();
    const gw = await client(url, 'gw-1');
    for (const n of [1, 2, 3]) await gw.c.publishAsync('vigil/v1/sites/s1/gateways/gw-1/uplink', `sos-${n}`, { qos: 1 });
    await gw.c.endAsync();
    await broker.stop();

    broker = await startBroker({ tcp: { host: '127.0.0.1', port } }, dataDir);
    try {
      const back = await client(url, 'centre', session);
      await until(back.events, 'message', () => back.got.length === 3, 10_000, 'the three queued messages');
      expect(back.got.map((m) => m.payload)).toEqual(['sos-1', 'sos-2', 'sos-3']);
    } finally {
      await broker.stop();
    }
  });

  it('loses them with memory persistence (why the SQLite one exists)', async () => {
    let broker = await startBroker({ tcp: { host: '127.0.0.1', port: 0 } });
    const port = broker.ports.tcp!;
    const url = `mqtt://127.0.0.1:${port}`;
    const session = { clientId: 'vigil-centre', clean: false };
    const first = await client(url, 'centre', session);
    await first.c.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink', { qos: 1 });
    await first.c.endAsync();
    const gw = await client(url, 'gw-1');
    await gw.c.publishAsync('vigil/v1/sites/s1/gateways/gw-1/uplink', 'sos-1', { qos: 1 });
    await gw.c.endAsync();
    await broker.stop();
    broker = await startBroker({ tcp: { host: '127.0.0.1', port } });
    try {
      const back = await client(url, 'centre', session);
      expect(back.c.connected).toBe(true);
      expect(back.got).toHaveLength(0);
    } finally {
      await broker.stop();
    }
  });
});
