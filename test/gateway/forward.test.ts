/**
 * Store-and-forward against a real remote broker (Mosquitto) that is stopped and started: messages
 * queue in SQLite while it is down, and arrive in order, once acknowledged, after it is back —
 * including when the gateway itself restarts in between.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { SystemClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { Forwarder } from '../../gateway/src/forward/forwarder';
import { SqliteOutbox } from '../../gateway/src/forward/outbox';
import { GatewayMqtt } from '../../gateway/src/mqtt-client';
import { openGatewayDb } from '../../gateway/src/store/db';
import { Mosquitto } from '../../rig/mosquitto';
import { until, waitForEvent } from '../../rig/wait';

const log = createLogger('test', 'silent');
let dir: string;
let broker: Mosquitto;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-fwd-'));
  broker = await Mosquitto.start({ dir });
});
afterEach(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A side of the gateway: its database, queue, MQTT connection and forwarder. */
function gatewaySide(url: string) {
  const clock = new SystemClock();
  const db = openGatewayDb(join(dir, 'gw'));
  const outbox = new SqliteOutbox(db, { clock });
  const bus = new GatewayMqtt({ url, clientId: 'gw-test', will: { topic: 'vigil/v1/x', payload: '{}' }, reconnectPeriodMs: 100, log });
  const forwarder = new Forwarder({ outbox, bus, log, window: 8 });
  return {
    outbox, bus, forwarder,
    start: () => (bus.start(), forwarder.start()),
    stop: async () => {
      forwarder.stop();
      await bus.close();
      outbox.flush();
      db.close();
    },
  };
}

/** The centre: a persistent QoS 1 subscription that collects what arrives. */
async function centre(url: string) {
  const got: string[] = [];
  const events = new EventEmitter();
  const c = mqtt.connect(url, { clientId: 'centre-test', clean: false, reconnectPeriod: 100 });
  c.on('message', (_t, p) => {
    got.push(p.toString());
    events.emit('message');
  });
  await new Promise((resolve) => c.once('connect', resolve));
  await c.subscribeAsync('vigil/v1/test/#', { qos: 1 });
  return { got, client: events, close: () => c.endAsync() };
}

describe('store and forward', () => {
  it('forwards in order and empties the queue once the broker acknowledged', async () => {
    const c = await centre(broker.url);
    const gw = gatewaySide(broker.url);
    try {
      for (let i = 0; i < 50; i++) await gw.outbox.enqueue('vigil/v1/test/a', `a${i}`, 'a', 1);
      gw.start();
      await gw.forwarder.idle();
      await until(c.client, 'message', () => c.got.length === 50);
      expect(c.got).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));
      expect(gw.outbox.depth).toBe(0);
    } finally {
      await gw.stop();
      await c.close();
    }
  });

  it('queues while the broker is down, across a gateway restart, and delivers everything after', async () => {
    const c = await centre(broker.url);
    let gw = gatewaySide(broker.url);
    gw.start();
    await waitForEvent(gw.bus, 'connect');
    const offline = waitForEvent(gw.bus, 'offline');
    await broker.stop();
    await offline;
    for (let i = 0; i < 20; i++) await gw.outbox.enqueue('vigil/v1/test/a', `x${i}`, 'a', 1);
    gw.forwarder.kick();
    expect(gw.outbox.depth).toBe(20);
    expect(gw.forwarder.inFlight).toBe(0); // nothing handed to the client while offline
    await gw.stop(); // the gateway restarts during the outage
    gw = gatewaySide(broker.url);
    for (let i = 20; i < 30; i++) await gw.outbox.enqueue('vigil/v1/test/a', `x${i}`, 'a', 1);
    gw.start();
    try {
      await broker.restart();
      await gw.forwarder.idle();
      await until(c.client, 'message', () => c.got.length >= 30, 15_000, 'all 30 messages at the centre');
      expect(c.got).toEqual(Array.from({ length: 30 }, (_, i) => `x${i}`));
      expect(gw.outbox.depth).toBe(0);
    } finally {
      await gw.stop();
      await c.close();
    }
  });

  it('reports a refused login loudly and keeps the messages', async () => {
    await broker.stop();
    broker = await Mosquitto.start({ dir, anonymous: false });
    const gw = gatewaySide(broker.url);
    try {
      await gw.outbox.enqueue('vigil/v1/test/a', 'kept', 'a', 1);
      const refused = waitForEvent(gw.bus, 'state', (s: string) => s === 'refused');
      gw.start();
      await refused;
      expect(gw.bus.detail).toMatch(/refused the connection: .*Not authorized/i);
      expect(gw.outbox.depth).toBe(1);
    } finally {
      await gw.stop();
    }
  });
});
