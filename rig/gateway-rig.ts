/**
 * A complete gateway for benchmarks: embedded broker (SQLite persistence), the centre as a
 * persistent QoS 1 subscriber, a keyring of N pendants, and a memory radio to inject frames into.
 * Everything real except the radio, which is the seam.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger } from '../common/log';
import { hashPassword } from '../common/passwords';
import { Gateway } from '../gateway/src/gateway';
import { encodeUplink, formatDeviceId, type MessageType, toHex } from '../protocol/src';
import { MemoryTransport } from './memory-transport';

export interface Rig {
  gateway: Gateway;
  radio: MemoryTransport;
  /** The in-process centre, unless `subscribe: false`. */
  centre: MqttClient | undefined;
  /** Emits `uplink` (payload JSON string) for every message the centre receives. */
  uplinks: EventEmitter;
  keys: Map<number, Uint8Array>;
  frame(deviceId: number, counter: number, type?: MessageType): Uint8Array;
  stop(): Promise<void>;
}

export interface RigOptions {
  /** Subscribe an in-process centre to the uplinks (default true). */
  subscribe?: boolean;
  /** A remote broker (e.g. Mosquitto in its own process) instead of the embedded one. */
  remoteUrl?: string;
  /** Do not wait for the remote broker (it may be down on purpose). */
  noWait?: boolean;
}

export async function startRig(devices: number, opts: RigOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const log = createLogger('bench', 'error');
  const radio = new MemoryTransport('lora0', 'lora');
  const gateway = new Gateway(
    {
      siteId: 's1', gatewayId: 'gw-1', dataDir: dir, heartbeatS: 30, transports: [],
      ...(opts.remoteUrl
        ? { mqtt: { url: opts.remoteUrl } }
        : {
            mqtt: { url: 'embedded', username: 'gw-1', password: 'gw-pass' },
            broker: {
              tcp: { host: '127.0.0.1', port: 0 },
              users: [
                { username: 'gw-1', passwordHash: hashPassword('gw-pass'), role: 'gateway', siteId: 's1', gatewayId: 'gw-1' },
                { username: 'centre', passwordHash: hashPassword('centre-pass'), role: 'centre' },
              ],
            },
          }),
    },
    { log, transports: [radio] },
  );
  await gateway.start();
  if (opts.remoteUrl && !opts.noWait) await once(gateway.mqtt!, 'connect');
  const keys = new Map<number, Uint8Array>();
  for (let i = 0; i < devices; i++) keys.set(0x10000 + i, randomBytes(16));
  gateway.keyring.apply({ v: 1, siteId: 's1', at: Date.now(), devices: [...keys].map(([id, key]) => ({ deviceId: formatDeviceId(id), key: toHex(key) })) });
  const uplinks = new EventEmitter();
  uplinks.setMaxListeners(0);
  let centre: MqttClient | undefined;
  if (opts.subscribe !== false) {
    centre = mqtt.connect(opts.remoteUrl ?? `mqtt://127.0.0.1:${gateway.broker!.ports.tcp}`, { clientId: 'vigil-centre', clean: false, username: 'centre', password: 'centre-pass' });
    centre.on('message', (_t, p) => uplinks.emit('uplink', p));
    await new Promise((resolve) => centre!.once('connect', resolve));
    await centre.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink/#', { qos: 1 });
  }
  return {
    gateway, radio, centre, uplinks, keys,
    frame: (deviceId, counter, type = 'heartbeat') => encodeUplink({ deviceId, counter, type, batteryPct: 80 }, keys.get(deviceId)!),
    stop: async () => {
      await centre?.endAsync(true);
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
