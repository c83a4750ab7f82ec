/**
 * The embedded MQTT broker (gateway/src/broker, Aedes with our ACL hooks) over a real TCP socket.
 * Each input is one connection of a stranger or of a gateway gone bad (site A's credentials): a
 * CONNECT with any client id (the centre's own among them: session takeover), will and protocol
 * level, then subscriptions with wildcards and `$SYS`, publishes to other sites, alarms and `$SYS`,
 * oversized topics and payloads, raw and mutated packets, and an abrupt end (the will fires).
 *
 * Invariants: the stranger receives nothing its identity may not subscribe to (site B's keyring is
 * retained on the broker, and site B's downlinks are published during every input), the centre
 * receives nothing the stranger may not publish, and — every 200 inputs — site B's gateway gets a
 * QoS 1 uplink through to the centre within 2 s: nobody can make the centre miss an alarm.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import { parser as mqttParser, type Packet } from 'mqtt-packet';
import { createLogger } from '../../common/log';
import { canPublish, canSubscribe, type Identity } from '../../gateway/src/broker/acl';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';
import type { Surface } from './engine';

/** Scrypt at N=4: the broker's password check is not what is fuzzed here, and N=16384 would cost 50 ms a connection. */
function cheapHash(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$4$8$1$${salt.toString("hex")}$${scryptSync(password, salt, 32, { N: 4, r: 8, p: 1 }).toString('hex')}`;
}

const A: Identity = { username: 'gw-a', role: 'gateway', siteId: 'site-a', gatewayId: 'gw-1' };
const CENTRE_ID = 'vigil-centre';
const PINGREQ = Buffer.from([0xc0, 0]);
const ANSWER_MS = 10_000;
const B_UPLINK = 'vigil/v1/sites/site-b/gateways/gw-2/uplink';
const B_KEYRING = 'vigil/v1/sites/site-b/keyring';
const B_DOWNLINK = 'vigil/v1/sites/site-b/downlink';
const A_DOWNLINK = 'vigil/v1/sites/site-a/downlink';

const TOPICS = [
  'vigil/v1/sites/site-a/gateways/gw-1/uplink', 'vigil/v1/sites/site-a/gateways/gw-1/uplink/07', 'vigil/v1/sites/site-a/gateways/gw-1/status', 'vigil/v1/sites/site-a/gateways/gw-9/uplink',
  B_UPLINK, 'vigil/v1/sites/site-b/gateways/gw-2/status', B_DOWNLINK, B_KEYRING, 'vigil/v1/sites/site-a/keyring', 'vigil/v1/sites/site-a/downlink', 'vigil/v1/alarms/a1',
  'vigil/v1/centre/status', 'vigil/v1/integrations/arc/status', '$SYS/broker/x', '$SYS', 'vigil/v1/sites/site-a/../site-b/keyring', 'vigil/v1/sites/site-a/gateways/gw-1/uplink/+',
  'vigil/v1/sites/+/keyring', 'vigil/v1/#', '#', 'a/#/b', 'vigil/v1/sites/site-a\u0000/keyring', '', '/', 'x'.repeat(70_000), 'vigil/v1/sites/sité-a/keyring',
];
const FILTERS = [...TOPICS, '+/#', '+', '+/+/+/+/keyring', 'vigil/+/sites/site-b/#', 'vigil/v1/sites/site-b/#', '$SYS/#', '$share/g/vigil/v1/#', 'vigil/v1/sites/+/downlink', 'vigil/v1/+/+/+', '#/#', 'vigil/v1/sites/site-a/#'];

type Pkt =
  | { kind: 'subscribe'; filters: string[]; qos: 0 | 1 | 2 }
  | { kind: 'unsubscribe'; filters: string[] }
  | { kind: 'publish'; topic: string; qos: 0 | 1 | 2; retain: boolean; kb: number }
  | { kind: 'ping' }
  | { kind: 'connect' }
  | { kind: 'raw'; bytes: Uint8Array };

export interface MqttInput {
  user: 'gw-a' | 'none' | 'wrong' | 'centre-guess';
  clientId: string;
  clean: boolean;
  protocolVersion: 3 | 4 | 5;
  will: { topic: string; qos: 0 | 1 | 2; retain: boolean } | null;
  packets: Pkt[];
  /** Byte mutations of the whole stream after the CONNECT: [position fraction, new byte]. */
  flips: [number, number][];
  end: 'disconnect' | 'close';
}

const pkt: fc.Arbitrary<Pkt> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), filters: fc.array(fc.constantFrom(...FILTERS), { minLength: 1, maxLength: 3 }), qos: fc.constantFrom<0 | 1 | 2>(0, 1, 2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unsubscribe' as const), filters: fc.array(fc.constantFrom(...FILTERS), { minLength: 1, maxLength: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('publish' as const), topic: fc.constantFrom(...TOPICS), qos: fc.constantFrom<0 | 1 | 2>(0, 1, 2), retain: fc.boolean(), kb: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, 64, 300) }) }) },
  { weight: 1, arbitrary: fc.constant<Pkt>({ kind: 'ping' }) },
  { weight: 1, arbitrary: fc.constant<Pkt>({ kind: 'connect' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), bytes: fc.uint8Array({ maxLength: 12 }) }) },
);

const arbitrary: fc.Arbitrary<MqttInput> = fc.record({
  user: fc.constantFrom<MqttInput['user']>('gw-a', 'gw-a', 'gw-a', 'none', 'wrong', 'centre-guess'),
  clientId: fc.oneof(fc.constantFrom(CENTRE_ID, 'gw-b-client', '', 'x'.repeat(300), `${CENTRE_ID}-status`), fc.string({ minLength: 1, maxLength: 12 })),
  clean: fc.boolean(),
  protocolVersion: fc.constantFrom<3 | 4 | 5>(4, 4, 4, 3, 5),
  will: fc.option(fc.record({ topic: fc.constantFrom(...TOPICS), qos: fc.constantFrom<0 | 1 | 2>(0, 1, 2), retain: fc.boolean() }), { freq: 3 }),
  packets: fc.array(pkt, { maxLength: 5 }),
  flips: fc.oneof({ weight: 6, arbitrary: fc.constant<[number, number][]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }) }),
  end: fc.constantFrom<MqttInput['end']>('disconnect', 'close'),
});

export interface MqttCtx {
  broker: EmbeddedBroker;
  port: number;
  centre: MqttClient;
  gwB: MqttClient;
  centreGot: { topic: string; payload: string }[];
  marker: number;
  canaries: number;
  canaryMaxMs: number;
  received: number;
}

function client(port: number, username: string, password: string, clientId: string, clean: boolean): Promise<MqttClient> {
  const c = mqtt.connect({ host: '127.0.0.1', port, username, password, clientId, clean, reconnectPeriod: 100, protocolVersion: 4 });
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

async function setup(): Promise<MqttCtx> {
  const users = [
    { username: 'gw-a', passwordHash: cheapHash('gw-a-pw'), role: 'gateway' as const, siteId: 'site-a', gatewayId: 'gw-1' },
    { username: 'gw-b', passwordHash: cheapHash('gw-b-pw'), role: 'gateway' as const, siteId: 'site-b', gatewayId: 'gw-2' },
    { username: 'centre', passwordHash: cheapHash('centre-pw'), role: 'centre' as const },
  ];
  const broker = new EmbeddedBroker({ listeners: { tcp: { host: '127.0.0.1', port: 0 } }, users, log: createLogger('fuzz', 'silent') });
  await broker.start();
  const port = broker.ports.tcp!;
  const centre = await client(port, 'centre', 'centre-pw', CENTRE_ID, false);
  const centreGot: MqttCtx['centreGot'] = [];
  centre.on('message', (topic, payload) => centreGot.push({ topic, payload: payload.toString('latin1') }));
  await centre.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink', { qos: 1 });
  await centre.subscribeAsync('vigil/v1/sites/+/gateways/+/status', { qos: 1 });
  const gwB = await client(port, 'gw-b', 'gw-b-pw', 'gw-b-client', false);
  // Site B's secrets: its keyring (retained, as the centre publishes it) and its downlinks.
  await broker.publish(B_KEYRING, '{"secret":"site-b-keys"}', 1, true);
  return { broker, port, centre, gwB, centreGot, marker: 0, canaries: 0, canaryMaxMs: 0, received: 0 };
}

/**
 * MQTT 3.1.1 packets written by hand (§2–3): mqtt-packet's writer refuses the invalid ones (an empty
 * will topic, no client id with a persistent session), which are exactly those a stranger sends.
 */
function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
const str = (s: string | Buffer): Buffer => {
  const b = (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).subarray(0, 65535);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const packet = (first: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([first]), varint(body.length), body]);

function connectBytes(input: MqttInput): Buffer {
  const creds = input.user === 'gw-a' ? ['gw-a', 'gw-a-pw'] : input.user === 'wrong' ? ['gw-a', 'nope'] : input.user === 'centre-guess' ? ['centre', 'centre'] : undefined;
  const w = input.will;
  const flags = (creds ? 0xc0 : 0) | (w ? 0x04 | (w.qos << 3) | (w.retain ? 0x20 : 0) : 0) | (input.clean ? 0x02 : 0);
  const head = Buffer.concat([str(input.protocolVersion === 3 ? 'MQIsdp' : 'MQTT'), Buffer.from([input.protocolVersion, flags]), u16(30), input.protocolVersion === 5 ? Buffer.from([0]) : Buffer.alloc(0)]);
  const payload = [str(input.clientId)];
  if (w) payload.push(input.protocolVersion === 5 ? Buffer.from([0]) : Buffer.alloc(0), str(w.topic), str('FUZZ-will'));
  if (creds) payload.push(str(creds[0]!), str(creds[1]!));
  return packet(0x10, Buffer.concat([head, ...payload]));
}

function bytesOf(p: Pkt, input: MqttInput, marker: string, id: number): Buffer {
  switch (p.kind) {
    case 'subscribe':
      return packet(0x82, Buffer.concat([u16(id), ...p.filters.map((f) => Buffer.concat([str(f), Buffer.from([p.qos])]))]));
    case 'unsubscribe':
      return packet(0xa2, Buffer.concat([u16(id), ...p.filters.map((f) => str(f))]));
    case 'publish':
      return packet(0x30 | (p.qos << 1) | (p.retain ? 1 : 0), Buffer.concat([str(p.topic), p.qos ? u16(id) : Buffer.alloc(0), Buffer.from(marker), Buffer.alloc(p.kb * 1024)]));
    case 'ping':
      return Buffer.from([0xc0, 0]);
    case 'connect':
      return connectBytes(input);
    case 'raw':
      return Buffer.from(p.bytes);
  }
}

/** Reads what the broker sends this connection. */
function listen(socket: Socket): { packets: Packet[]; closed: () => boolean; next: (pred: (p: Packet) => boolean, ms: number) => Promise<boolean> } {
  const packets: Packet[] = [];
  let closed = false;
  let waiter: (() => void) | undefined;
  const p = mqttParser({ protocolVersion: 4 });
  p.on('packet', (pk: Packet) => {
    packets.push(pk);
    waiter?.();
  });
  p.on('error', () => undefined);
  socket.on('data', (d: Buffer) => p.parse(d));
  socket.on('close', () => {
    closed = true;
    waiter?.();
  });
  socket.on('error', () => undefined);
  return {
    packets,
    closed: () => closed,
    next: (pred, ms) =>
      new Promise((resolve) => {
        const done = (): boolean => packets.some(pred) || closed;
        if (done()) return resolve(true);
        const timer = setTimeout(() => {
          waiter = undefined;
          resolve(false);
        }, ms);
        waiter = () => {
          if (!done()) return;
          clearTimeout(timer);
          waiter = undefined;
          resolve(true);
        };
      }),
  };
}

async function run(ctx: MqttCtx, input: MqttInput): Promise<void> {
  const marker = `FUZZ-${++ctx.marker}`;
  const socket = connect({ host: '127.0.0.1', port: ctx.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const seen = listen(socket);
  let stream = Buffer.concat(input.packets.map((p, i) => bytesOf(p, input, marker, i + 1)));
  if (input.flips.length && stream.length) {
    stream = Buffer.from(stream);
    for (const [at, b] of input.flips) stream[Math.floor(at * stream.length)] = b;
  }
  socket.write(connectBytes(input));
  // An answer at all is the invariant; 10 s (as the HTTP surface's) so that a niced run on a busy machine
  // is not failed by the scheduler (two runs once stalled in the same second, at 2 s).
  const answered = await seen.next((p) => p.cmd === 'connack', ANSWER_MS);
  if (!answered) throw new Error('no CONNACK and no close within 10 s');
  socket.write(stream);
  // Raw and mutated bytes may leave the broker waiting for the rest of a packet: nothing more to learn.
  const garbled = input.flips.length > 0 || input.packets.some((p) => p.kind === 'raw');
  if (!garbled && !seen.closed()) {
    // A ping's answer comes after everything before it was handled; then site B's downlink is
    // published while the stranger is connected, and a second ping lets it arrive if it would.
    const pongs = (): number => seen.packets.filter((q) => q.cmd === 'pingresp').length;
    const before = pongs();
    socket.write(PINGREQ);
    if (!(await seen.next(() => pongs() > before, ANSWER_MS))) throw new Error('the broker did not answer a ping within 10 s');
    await ctx.broker.publish(B_DOWNLINK, `{"secret":"${marker}"}`, 1, false);
    await ctx.broker.publish(A_DOWNLINK, `{"for":"${marker}"}`, 1, false);
    if (!seen.closed()) {
      socket.write(PINGREQ);
      if (!(await seen.next(() => pongs() > before + 1, ANSWER_MS))) throw new Error('the broker did not answer a second ping within 10 s');
    }
  }
  if (input.end === 'disconnect' && !seen.closed()) socket.end(Buffer.from([0xe0, 0]));
  else socket.destroy();
  const connack = seen.packets.find((p) => p.cmd === 'connack') as { returnCode?: number; reasonCode?: number } | undefined;
  const accepted = connack !== undefined && (connack.returnCode ?? connack.reasonCode ?? 1) === 0;
  if (accepted && input.user !== 'gw-a') throw new Error(`CONNACK accepted for ${input.user}`);
  for (const p of seen.packets) {
    if (p.cmd !== 'publish') continue;
    ctx.received++;
    if (!accepted || !canSubscribe(A, p.topic)) throw new Error(`the stranger (${input.user}) received ${p.topic}: ${String(p.payload).slice(0, 60)}`);
  }
}

async function check(ctx: MqttCtx): Promise<void> {
  for (const m of ctx.centreGot) {
    const fuzzed = m.payload.startsWith('FUZZ-');
    if (fuzzed && !canPublish(A, m.topic)) throw new Error(`the centre received a stranger's message on ${m.topic}`);
  }
  ctx.centreGot.length = 0;
  const canary = `canary-${ctx.canaries++}`;
  const started = performance.now();
  await ctx.gwB.publishAsync(B_UPLINK, canary, { qos: 1 });
  const deadline = started + 2000;
  while (!ctx.centreGot.some((m) => m.payload === canary)) {
    if (performance.now() > deadline) throw new Error(`site B's uplink ${canary} did not reach the centre within 2 s (centre connected: ${ctx.centre.connected})`);
    await new Promise((r) => setTimeout(r, 5));
  }
  ctx.canaryMaxMs = Math.max(ctx.canaryMaxMs, performance.now() - started);
}

export const mqttSurface: Surface<MqttInput, MqttCtx> = {
  name: 'mqtt',
  what: 'embedded broker over TCP: any credentials and client id, wildcard/$SYS subscriptions, foreign publishes, wills, oversized and mutated packets',
  arbitrary,
  setup,
  run,
  check,
  checkEvery: 200,
  smokeRuns: 200,
  stats: (ctx) => ({ ...ctx.broker.counters, received: ctx.received, canaries: ctx.canaries, canaryMaxMs: Math.round(ctx.canaryMaxMs) }),
  async teardown(ctx) {
    await ctx.centre.endAsync(true);
    await ctx.gwB.endAsync(true);
    await ctx.broker.stop();
  },
};
