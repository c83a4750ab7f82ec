/**
 * What a persistent MQTT session may keep, and who may hold which client id (gateway/src/broker/sessions.ts).
 *
 * Found by `make fuzz` (mqtt surface, seed 20261207, input 10,345): site A's gateway, in a persistent
 * session, sent one SUBSCRIBE with a filter of its own site and `vigil/+/sites/site-b/#`. The broker
 * refused the second (granted 128), but Aedes 1.2 stored both; every QoS 1 downlink of site B was then
 * queued for that session and handed to site A's gateway at its next persistent connect.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import { type BrokerUser, EmbeddedBroker } from '../../gateway/src/broker/broker';
import { QUEUED_PER_SESSION, SESSIONS_PER_USER } from '../../gateway/src/broker/quotas';

const PASSWORD = 'pw-1';
let users: BrokerUser[];
beforeAll(() => {
  const hash = hashPassword(PASSWORD);
  users = [
    { username: 'gw-a', passwordHash: hash, role: 'gateway', siteId: 'site-a', gatewayId: 'gw-1' },
    { username: 'gw-b', passwordHash: hash, role: 'gateway', siteId: 'site-b', gatewayId: 'gw-2' },
    { username: 'centre', passwordHash: hash, role: 'centre' },
    { username: 'arc', passwordHash: hash, role: 'integrator' },
  ];
});

let dir: string;
let broker: EmbeddedBroker | undefined;
const clients: MqttClient[] = [];
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-sessions-'))));
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await broker?.stop();
  broker = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(persistence: 'memory' | 'sqlite', port = 0): Promise<number> {
  broker = new EmbeddedBroker({ listeners: { tcp: { host: '127.0.0.1', port } }, users, log: createLogger('test', 'silent'), ...(persistence === 'sqlite' ? { dataDir: dir } : {}) });
  await broker.start();
  return broker.ports.tcp!;
}

interface Conn { c: MqttClient; got: string[]; code: number }
/** Connects once; resolves with the CONNACK's return code and what the client then receives. */
function connect(port: number, username: string, clientId: string, extra: IClientOptions = {}): Promise<Conn> {
  const c = mqtt.connect({ host: '127.0.0.1', port, username, password: PASSWORD, clientId, reconnectPeriod: 0, ...extra });
  clients.push(c);
  const got: string[] = [];
  c.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
  return new Promise((resolve) => {
    c.once('connect', () => resolve({ c, got, code: 0 }));
    c.once('error', (e) => resolve({ c, got, code: (e as { code?: number }).code ?? -1 }));
  });
}

/** Waits until the broker has answered everything sent before (a subscription's SUBACK is one round trip). */
async function roundTrip(c: MqttClient): Promise<void> {
  await c.subscribeAsync('vigil/v1/sites/site-a/state', { qos: 0 }).catch(() => undefined);
}

describe.each(['memory', 'sqlite'] as const)('persistent sessions keep only what the ACL grants (%s persistence)', (persistence) => {
  it("a filter refused in the same SUBSCRIBE as a granted one is not kept: site B's downlinks never reach site A", async () => {
    const port = await start(persistence);
    const first = await connect(port, 'gw-a', 'fuzz-session', { clean: false });
    const granted = await first.c.subscribeAsync(['vigil/v1/sites/site-a/downlink', 'vigil/+/sites/site-b/#'], { qos: 1 }).catch((e: { packet?: { granted?: number[] } }) => e.packet?.granted?.map((qos) => ({ qos })));
    expect(granted?.map((g) => g.qos)).toEqual([1, 128]);
    await first.c.endAsync();
    const centre = await connect(port, 'centre', 'vigil-centre', { clean: false });
    await centre.c.publishAsync('vigil/v1/sites/site-b/downlink', 'for-b', { qos: 1 });
    await centre.c.publishAsync('vigil/v1/sites/site-a/downlink', 'for-a', { qos: 1 });
    const back = await connect(port, 'gw-a', 'fuzz-session', { clean: false });
    // Its own site's downlink, queued while it was away, arrives; then a round trip: nothing else came.
    await new Promise<void>((resolve) => (back.got.length ? resolve() : back.c.once('message', () => resolve())));
    await roundTrip(back.c);
    expect(back.got).toEqual(['vigil/v1/sites/site-a/downlink for-a']);
    expect(broker!.counters.forwardDenied).toBe(0); // refused when stored, not only when delivered
  });
});

describe('a stored session taken up by another user', () => {
  it("does not hand the other user the first one's subscriptions or queued messages", async () => {
    // A broker.db from before client ids had owners: the centre's session, with an uplink queued for it.
    let port = await start('sqlite');
    const centre = await connect(port, 'centre', 'shared-id', { clean: false });
    await centre.c.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink', { qos: 1 });
    await centre.c.endAsync();
    const gwB = await connect(port, 'gw-b', 'vigil-gw-site-b-gw-2');
    await gwB.c.publishAsync('vigil/v1/sites/site-b/gateways/gw-2/uplink', 'queued-sos', { qos: 1 });
    await gwB.c.endAsync();
    await broker!.stop();
    const db = new Database(join(dir, 'broker.db'));
    expect(db.prepare("DELETE FROM retained WHERE topic LIKE '$vigil/owners/%'").run().changes).toBe(1);
    db.close();

    port = await start('sqlite', port);
    const thief = await connect(port, 'gw-a', 'shared-id', { clean: false });
    expect(thief.code).toBe(0); // no owner on record: the id is free, the session's contents are not
    const gwB2 = await connect(port, 'gw-b', 'vigil-gw-site-b-gw-2');
    await gwB2.c.publishAsync('vigil/v1/sites/site-b/gateways/gw-2/uplink', 'live-sos', { qos: 1 });
    await roundTrip(thief.c);
    await thief.c.endAsync();
    const again = await connect(port, 'gw-a', 'shared-id', { clean: false });
    await roundTrip(again.c);
    expect([...thief.got, ...again.got]).toEqual([]);
    expect(broker!.counters.sessionSubscriptionsDropped).toBe(1);
    expect(broker!.counters.forwardDenied).toBe(1); // the uplink queued before the gateway came
  });
});

describe('client ids reserved to the services that use them', () => {
  it('a gateway cannot take a centre, ARC or other gateway id, even one nobody holds; their owners can', async () => {
    const port = await start('memory');
    for (const id of ['vigil-centre', 'vigil-centre-status', 'vigil-centre-2-status', 'vigil-arc-arc1', 'vigil-gw-site-b-gw-2', 'vigil-gw-site-a-gw-9']) {
      for (const clean of [true, false]) expect([id, clean, (await connect(port, 'gw-a', id, { clean })).code]).toEqual([id, clean, 2]);
    }
    expect((await connect(port, 'arc', 'vigil-centre-status')).code).toBe(2);
    expect((await connect(port, 'centre', 'vigil-arc-arc1')).code).toBe(2);
    expect((await connect(port, 'centre', 'vigil-centre-status')).code).toBe(0);
    expect((await connect(port, 'centre', 'vigil-centre', { clean: false })).code).toBe(0);
    expect((await connect(port, 'arc', 'vigil-arc-arc1', { clean: false })).code).toBe(0);
    expect((await connect(port, 'gw-a', 'vigil-gw-site-a-gw-1', { clean: false })).code).toBe(0);
    expect(broker!.counters.clientIdTaken).toBe(14);
  });
});

describe('what one user can make the broker keep (quotas.ts; found by the fuzzer as heap growth)', () => {
  it(`a gateway keeps at most ${SESSIONS_PER_USER} persistent sessions; clean ones and the centre's are not counted`, async () => {
    const port = await start('memory');
    for (let i = 0; i < SESSIONS_PER_USER; i++) expect((await connect(port, 'gw-a', `s${i}`, { clean: false })).code).toBe(0);
    expect((await connect(port, 'gw-a', 'one-more', { clean: false })).code).toBe(2);
    expect(broker!.counters.sessionsExceeded).toBe(1);
    expect((await connect(port, 'gw-a', 'one-more', { clean: true })).code).toBe(0);
    expect((await connect(port, 'gw-a', 's0', { clean: false })).code).toBe(0); // its own, again
    for (let i = 0; i <= SESSIONS_PER_USER; i++) expect((await connect(port, 'centre', `centre-${i}`, { clean: false })).code).toBe(0);
    expect(broker!.counters.sessionsExceeded).toBe(1);
  });

  it(`at most ${QUEUED_PER_SESSION} messages wait for a gateway's session; the centre's queue is not bounded`, async () => {
    const port = await start('memory');
    const gw = await connect(port, 'gw-a', 'vigil-gw-site-a-gw-1', { clean: false });
    await gw.c.subscribeAsync('vigil/v1/sites/site-a/downlink', { qos: 1 });
    await gw.c.endAsync();
    const centre = await connect(port, 'centre', 'vigil-centre', { clean: false });
    await centre.c.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink', { qos: 1 });
    await centre.c.endAsync();
    const extra = 10;
    for (let i = 0; i < QUEUED_PER_SESSION + extra; i++) await broker!.publish('vigil/v1/sites/site-a/downlink', `d${i}`, 1, false);
    const gwB = await connect(port, 'gw-b', 'vigil-gw-site-b-gw-2');
    for (let i = 0; i < QUEUED_PER_SESSION + extra; i++) await gwB.c.publishAsync('vigil/v1/sites/site-b/gateways/gw-2/uplink', `u${i}`, { qos: 1 });
    expect(broker!.counters.queueFull).toBe(extra);

    const back = await connect(port, 'gw-a', 'vigil-gw-site-a-gw-1', { clean: false });
    const centreBack = await connect(port, 'centre', 'vigil-centre', { clean: false });
    const all = (c: Conn, n: number): Promise<void> => new Promise((resolve) => {
      const done = (): boolean => c.got.length >= n && (resolve(), true);
      if (!done()) c.c.on('message', done);
    });
    await Promise.all([all(back, QUEUED_PER_SESSION), all(centreBack, QUEUED_PER_SESSION + extra)]);
    await roundTrip(back.c);
    expect(back.got).toHaveLength(QUEUED_PER_SESSION);
    expect(back.got[0]).toBe('vigil/v1/sites/site-a/downlink d0'); // the oldest kept, the newest dropped
    expect(centreBack.got).toHaveLength(QUEUED_PER_SESSION + extra);
  }, 60_000);
});

it('an empty client id with a persistent session is "identifier rejected" [MQTT-3.1.3-8], not a session kept for ever', async () => {
  const port = await start('memory');
  const str = (t: string): Buffer => Buffer.concat([Buffer.from([0, t.length]), Buffer.from(t)]);
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc0, 0, 30]), str(''), str('gw-a'), str(PASSWORD)]); // username, password, CleanSession 0
  const socket = tcpConnect({ host: '127.0.0.1', port });
  socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
  const connack = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.destroy();
  expect([...connack]).toEqual([0x20, 2, 0, 2]);
});
