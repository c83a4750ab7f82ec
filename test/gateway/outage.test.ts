/**
 * An hour cut off from the centre: the centre's broker (a real Mosquitto) goes down, pendants keep
 * sending heartbeats and an SOS for an hour of virtual time, the gateway restarts in the middle of
 * it, and when the broker is back every frame reaches the centre — once, in order per device.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import type { GatewayConfig } from '../../gateway/src/config';
import { Gateway } from '../../gateway/src/gateway';
import { encodeUplink, fromHex, type UplinkPayload } from '../../protocol/src';
import { MemoryTransport } from '../../rig/memory-transport';
import { Mosquitto } from '../../rig/mosquitto';
import { until, waitForEvent } from '../../rig/wait';

const log = createLogger('test', 'silent');
const DEVICES = [0xbee1, 0xbee2, 0xbee3];
const keyHex = (d: number): string => d.toString(16).padStart(32, '0');

let dir: string;
let broker: Mosquitto;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-outage-'));
  broker = await Mosquitto.start({ dir });
});
afterEach(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway cut off from the centre for an hour', () => {
  it('queues everything, survives a restart meanwhile, and delivers it all once the centre is back', async () => {
    const received: UplinkPayload[] = [];
    const events = new EventEmitter();
    const centre = mqtt.connect(broker.url, { clientId: 'vigil-centre', clean: false, reconnectPeriod: 100 });
    centre.on('message', (_t, p) => {
      received.push(JSON.parse(p.toString()) as UplinkPayload);
      events.emit('message');
    });
    await new Promise((resolve) => centre.once('connect', resolve));
    await centre.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink/#', { qos: 1 });
    await centre.publishAsync('vigil/v1/sites/s1/keyring', JSON.stringify({ v: 1, siteId: 's1', at: 1, devices: DEVICES.map((d) => ({ deviceId: d.toString(16).padStart(8, '0'), key: keyHex(d) })) }), { qos: 1, retain: true });

    const clock = new VirtualClock();
    const config: GatewayConfig = { siteId: 's1', gatewayId: 'gw-1', dataDir: join(dir, 'gw'), mqtt: { url: broker.url }, heartbeatS: 30, transports: [] };
    const boot = async (): Promise<{ gw: Gateway; radio: MemoryTransport }> => {
      const radio = new MemoryTransport('lora0', 'lora');
      const gw = new Gateway(config, { clock, log, transports: [radio], reconnectPeriodMs: 100 });
      await gw.start();
      return { gw, radio };
    };
    let { gw, radio } = await boot();
    try {
      await until(gw.keyring, 'applied', () => gw.keyring.size === 3);
      const offline = waitForEvent(gw.mqtt!, 'offline');
      await broker.stop();
      await offline;

      const counters = new Map(DEVICES.map((d) => [d, 100]));
      const send = async (device: number, type: 'heartbeat' | 'sos'): Promise<void> => {
        const counter = counters.get(device)! + 1;
        counters.set(device, counter);
        await radio.hearAndSettle(encodeUplink({ deviceId: device, counter, type, batteryPct: 70 }, fromHex(keyHex(device))!), device.toString(16), -100, clock.now(), gw.bridge);
      };
      let sent = 0;
      for (let minute = 0; minute < 60; minute++) {
        for (const d of DEVICES) {
          await send(d, 'heartbeat');
          sent++;
        }
        if (minute === 30) for (let r = 0; r < 3; r++, sent++) await send(DEVICES[1]!, 'sos');
        if (minute === 45) {
          expect(gw.outbox!.depth).toBe(sent);
          await gw.stop(); // restarted mid-outage: keys, windows and the queue come back from disk
          ({ gw, radio } = await boot());
          expect(gw.keyring.size).toBe(3);
          expect(gw.outbox!.depth).toBe(sent);
        }
        await clock.advanceAsync(60_000);
      }
      expect(gw.outbox!.depth).toBe(sent);
      expect(gw.forwarder!.inFlight).toBe(0);

      await broker.restart();
      await until(events, 'message', () => received.length >= sent, 20_000, `all ${sent} frames at the centre`);
      await gw.forwarder!.idle();
      expect(received).toHaveLength(sent);
      for (const d of DEVICES) {
        const mine = received.filter((p) => p.decoded.deviceId === d.toString(16).padStart(8, '0')).map((p) => p.decoded.counter);
        expect(mine).toEqual([...mine].sort((a, b) => a - b)); // in order
        expect(new Set(mine).size).toBe(mine.length); // once
        expect(mine.at(-1)).toBe(counters.get(d));
      }
      expect(received.filter((p) => p.decoded.type === 'sos')).toHaveLength(3);
      const span = received.at(-1)!.receivedAt - received[0]!.receivedAt;
      expect(span).toBeGreaterThanOrEqual(59 * 60_000);
      expect(gw.outbox!.depth).toBe(0);
    } finally {
      await gw.stop();
      await centre.endAsync(true);
    }
  });
});
