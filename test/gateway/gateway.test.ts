/**
 * The composed gateway with its embedded broker: frames to the centre through the outbox, the
 * retained status with per-link states and counters, /metrics and /health, downlinks, site I/O
 * following the site state, and wired inputs reported to the centre.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import { ServerTCP } from 'modbus-serial';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import type { GatewayConfig } from '../../gateway/src/config';
import { Gateway } from '../../gateway/src/gateway';
import { decodeDownlink, encodeUplink, fromHex, type GatewayStatusPayload, type InputPayload, shardLevel, uplinkShard } from '../../protocol/src';
import { MemoryTransport } from '../../rig/memory-transport';
import { freePort } from '../../rig/mosquitto';
import { until } from '../../rig/wait';

const log = createLogger('test', 'silent');
const KEY_HEX = '00112233445566778899aabbccddeeff';
const KEY = fromHex(KEY_HEX)!;

let dir: string;
let gateway: Gateway | undefined;
let centre: MqttClient | undefined;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-gw-'))));
afterEach(async () => {
  await centre?.endAsync(true);
  await gateway?.stop();
  centre = gateway = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function baseConfig(extra: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    siteId: 's1', gatewayId: 'gw-1', dataDir: join(dir, 'gw'),
    mqtt: { url: 'embedded', username: 'gw-1', password: 'gw-pass' },
    broker: {
      tcp: { host: '127.0.0.1', port: 0 },
      users: [
        { username: 'gw-1', passwordHash: hashPassword('gw-pass'), role: 'gateway', siteId: 's1', gatewayId: 'gw-1' },
        { username: 'centre', passwordHash: hashPassword('centre-pass'), role: 'centre' },
      ],
    },
    heartbeatS: 30, transports: [], metrics: { host: '127.0.0.1', port: 0 },
    ...extra,
  };
}

/** The centre's side: a persistent QoS 1 session that records what arrives, by topic suffix. */
async function connectCentre(port: number): Promise<{ got: Record<string, unknown[]>; events: EventEmitter; client: MqttClient }> {
  const got: Record<string, unknown[]> = {};
  const events = new EventEmitter();
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'vigil-centre', clean: false, username: 'centre', password: 'centre-pass', reconnectPeriod: 100 });
  centre = client;
  client.on('message', (t, p) => {
    const kind = t.split('/').at(-1)!;
    (got[kind] ??= []).push(JSON.parse(p.toString()));
    events.emit('message');
  });
  await new Promise((resolve) => client.once('connect', resolve));
  await client.subscribeAsync(['vigil/v1/sites/+/gateways/+/+', 'vigil/v1/sites/+/gateways/+/uplink/+'], { qos: 1 });
  await client.publishAsync('vigil/v1/sites/s1/keyring', JSON.stringify({ v: 1, siteId: 's1', at: 1, devices: [{ deviceId: '0000beef', key: KEY_HEX }] }), { qos: 1, retain: true });
  return { got, events, client };
}

describe('gateway with its embedded broker', () => {
  it('carries a verified alarm to the centre once, reports its health, and routes the answer back', async () => {
    const radio = new MemoryTransport('lora0', 'lora');
    gateway = new Gateway(baseConfig(), { log, transports: [radio] });
    await gateway.start();
    const c = await connectCentre(gateway.broker!.ports.tcp!);
    await until(gateway.keyring, 'applied', () => gateway!.keyring.size === 1);

    const sos = encodeUplink({ deviceId: 0xbeef, counter: 7, type: 'sos', batteryPct: 80 }, KEY);
    radio.hear(sos, '0000beef', -101, gateway.clock.now());
    radio.hear(sos, '0000beef', -99, gateway.clock.now()); // the same frame again
    radio.hear(new Uint8Array(24), '0000beef', -99, gateway.clock.now()); // noise
    await until(c.events, 'message', () => (c.got['uplink'] ?? []).length === 1);
    await gateway.forwarder!.idle();
    expect(c.got['uplink']![0]).toMatchObject({ siteId: 's1', gatewayId: 'gw-1', transport: 'lora', rssiDbm: -101, decoded: { deviceId: '0000beef', counter: 7, type: 'sos' } });
    expect(gateway.outbox!.depth).toBe(0);
    // A heartbeat goes to its device's status shard (protocol/src/topics.ts), not to the alarm-class topic.
    const shard = shardLevel(uplinkShard('0000beef'));
    radio.hear(encodeUplink({ deviceId: 0xbeef, counter: 8, type: 'heartbeat', batteryPct: 80 }, KEY), '0000beef', -100, gateway.clock.now());
    await until(c.events, 'message', () => (c.got[shard] ?? []).length === 1);
    expect(c.got[shard]![0]).toMatchObject({ decoded: { deviceId: '0000beef', counter: 8, type: 'heartbeat' } });
    expect(c.got['uplink']).toHaveLength(1);

    c.client.publish('vigil/v1/sites/s1/downlink', JSON.stringify({ v: 1, deviceId: '0000beef', counter: 7, command: 'received', param: 0 }), { qos: 1 });
    await until(radio.sends, 'sent', () => radio.sent.length === 1, 5000, 'the downlink on the radio');
    expect(decodeDownlink(radio.sent[0]!.payload, () => ({ key: KEY }))).toMatchObject({ ok: true, frame: { counter: 7, command: 'received' } });

    const metrics = await (await fetch(`http://127.0.0.1:${gateway.metrics!.port}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_gateway_mqtt_connected\{site="s1",gateway="gw-1"\} 1$/m);
    expect(metrics).toMatch(/^vigil_gateway_link_up\{link="lora0",kind="lora"\} 1$/m);
    expect(metrics).toMatch(/^vigil_gateway_frames_dropped_total\{reason="bad_version"\} 1$/m);
    expect(metrics).toMatch(/^vigil_gateway_bridge_events_total\{event="duplicates"\} 1$/m);
    expect(metrics).toMatch(/^vigil_gateway_forwarded_total\{site="s1",gateway="gw-1"\} 2$/m);
    expect(metrics).toMatch(/^vigil_gateway_broker_clients\{site="s1",gateway="gw-1"\} 2$/m);
    const health = await fetch(`http://127.0.0.1:${gateway.metrics!.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, problems: [], keyringDevices: 1 });

    await radio.stop(); // a radio stops: the health turns red and says which
    const red = await fetch(`http://127.0.0.1:${gateway.metrics!.port}/health`);
    expect(red.status).toBe(503);
    expect(((await red.json()) as { problems: string[] }).problems).toEqual(['lora0 (lora) is stopped']);
  });

  it('publishes a retained status with every link, and its last will says offline', async () => {
    const radio = new MemoryTransport('ble0');
    gateway = new Gateway(baseConfig(), { log, transports: [radio], reconnectPeriodMs: 100 });
    await gateway.start();
    const port = gateway.broker!.ports.tcp!;
    const c = await connectCentre(port);
    await until(c.events, 'message', () => (c.got['status'] ?? []).some((s) => (s as GatewayStatusPayload).online));
    const status = (c.got['status'] as GatewayStatusPayload[]).find((s) => s.online)!;
    expect(status).toMatchObject({ online: true, version: expect.any(String), heartbeatS: 30, transports: { ble0: { state: 'running' } }, counters: expect.objectContaining({ outbox_depth: 0 }) });
    // The connection dies without a goodbye (power cut, cable): the broker publishes the last will.
    (gateway.mqtt as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
    await until(c.events, 'message', () => (c.got['status'] as GatewayStatusPayload[]).some((s) => !s.online));
    // …and once it is back, the gateway says so again
    const n = c.got['status']!.length;
    await until(c.events, 'message', () => c.got['status']!.length > n && (c.got['status']!.at(-1) as GatewayStatusPayload).online);
  });
});

describe('gateway site I/O', () => {
  it('switches the siren on for an open alarm and reports a pulled cord to the centre', async () => {
    const coils = new Array<boolean>(8).fill(false);
    const inputs = new Array<boolean>(8).fill(false);
    const ioPort = await freePort();
    const server = new ServerTCP({ getCoil: (a: number) => coils[a]!, getDiscreteInput: (a: number) => inputs[a]!, setCoil: (a: number, v: boolean) => void (coils[a] = v) }, { host: '127.0.0.1', port: ioPort, unitID: 1 });
    await new Promise((resolve) => server.on('initialized', resolve));
    try {
      gateway = new Gateway(baseConfig({ siteIo: [{ id: 'io-1', tcp: { host: '127.0.0.1', port: ioPort }, unitId: 1, pollMs: 50, timeoutMs: 1000, outputs: [{ id: 'siren', coil: 0, when: 'any' }], inputs: [{ id: 'cord-wc', discreteInput: 2, debounceMs: 0 }] }] }), { log });
      await gateway.start();
      const c = await connectCentre(gateway.broker!.ports.tcp!);
      await c.client.publishAsync('vigil/v1/sites/s1/state', JSON.stringify({ v: 1, siteId: 's1', openAlarms: 1, types: ['sos'], at: 1 }), { qos: 1, retain: true });
      const io = gateway.siteIo[0]!;
      await until(io, 'poll', () => coils[0] === true, 5000, 'the siren coil');
      inputs[2] = true;
      await until(c.events, 'message', () => (c.got['input'] ?? []).some((i) => (i as InputPayload).active));
      expect((c.got['input'] as InputPayload[]).filter((i) => i.active)).toEqual([expect.objectContaining({ siteId: 's1', gatewayId: 'gw-1', inputId: 'cord-wc', active: true })]);
      await c.client.publishAsync('vigil/v1/sites/s1/state', JSON.stringify({ v: 1, siteId: 's1', openAlarms: 0, types: [], at: 2 }), { qos: 1, retain: true });
      await until(io, 'poll', () => coils[0] === false, 5000, 'the siren coil off');
    } finally {
      await gateway?.stop();
      gateway = undefined;
      for (const s of server.socks.keys()) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
