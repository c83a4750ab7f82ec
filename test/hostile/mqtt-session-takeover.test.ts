/**
 * Found by `make fuzz` (mqtt surface): any broker user could connect with another's client id. MQTT
 * then hands the newcomer the old session — its subscriptions and its queued QoS 1 messages — and
 * drops the old connection, so a site's gateway credentials, used as `vigil-centre`, disconnected the
 * centre, received every site's uplinks and could acknowledge them away: alarms lost. A client id
 * now belongs to the user who first kept a session under it, across broker restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';

const users = [
  { username: 'centre', passwordHash: hashPassword('centre-pw'), role: 'centre' as const },
  { username: 'gw-a', passwordHash: hashPassword('gw-a-pw'), role: 'gateway' as const, siteId: 'site-a', gatewayId: 'gw-1' },
];
let dir: string;
let broker: EmbeddedBroker;
const clients: MqttClient[] = [];

async function start(): Promise<number> {
  broker = new EmbeddedBroker({ listeners: { tcp: { host: '127.0.0.1', port: 0 } }, users, dataDir: dir, log: createLogger('test', 'silent') });
  await broker.start();
  return broker.ports.tcp!;
}

/** Connects once (no reconnection); resolves with the CONNACK's return code. */
function attempt(port: number, username: string, password: string, clientId: string, clean: boolean): Promise<{ code: number; client: MqttClient }> {
  const c = mqtt.connect({ host: '127.0.0.1', port, username, password, clientId, clean, reconnectPeriod: 0 });
  clients.push(c);
  return new Promise((resolve) => {
    c.once('connect', () => resolve({ code: 0, client: c }));
    c.once('error', (e) => resolve({ code: (e as { code?: number }).code ?? -1, client: c }));
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-takeover-'));
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("a gateway's credentials cannot take the centre's session, persistent or clean, before or after a restart", async () => {
  let port = await start();
  const centre = await attempt(port, 'centre', 'centre-pw', 'vigil-centre', false);
  expect(centre.code).toBe(0);
  await centre.client.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink', { qos: 1 });
  for (const clean of [false, true]) {
    const thief = await attempt(port, 'gw-a', 'gw-a-pw', 'vigil-centre', clean);
    expect(thief.code).toBe(2); // identifier rejected
  }
  expect(centre.client.connected).toBe(true);
  expect(broker.counters.clientIdTaken).toBe(2);
  await centre.client.endAsync();

  await broker.stop();
  port = await start();
  // The centre is away: its session and its owner are on disk; the thief is still refused.
  expect((await attempt(port, 'gw-a', 'gw-a-pw', 'vigil-centre', false)).code).toBe(2);
  const back = await attempt(port, 'centre', 'centre-pw', 'vigil-centre', false);
  expect(back.code).toBe(0);
  // The gateway keeps its own ids, and the centre may reconnect under its own as often as it likes.
  expect((await attempt(port, 'gw-a', 'gw-a-pw', 'vigil-gw-site-a-gw-1', false)).code).toBe(0);
  expect((await attempt(port, 'centre', 'centre-pw', 'vigil-centre', false)).code).toBe(0);
});
