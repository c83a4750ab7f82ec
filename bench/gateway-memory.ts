/**
 * Memory of a real gateway process (`node bin/vigil.js gateway --config …`, as deployed) with
 * 10,000 known pendants: embedded broker with SQLite persistence, the centre subscribed with a
 * persistent session, the keyring of 10,000 devices, and 3 frames from every pendant through a
 * LoRa modem (scripted RAK3172 on a pseudo-terminal) — so every pendant has a replay window, a
 * downlink route and LoRa receive bookkeeping. Reports the resident set size after the traffic
 * and its peak (VmHWM), with the process environment the systemd unit gives it
 * (deploy/vigil-gateway.service `Environment=` lines: heap limit, malloc arenas) and, for
 * comparison, with Node's defaults. Prints one JSON line. Target (issue 6): RSS < 150 MB.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { hashPassword } from '../common/passwords';
import { encodeUplink, formatDeviceId, toHex, topicFilter } from '../protocol/src';
import { ScriptedModem } from '../rig/modem';
import { freePort } from '../rig/mosquitto';
import { PtyPair } from '../rig/pty';
import { until } from '../rig/wait';
import { sized } from './lib/size';

const DEVICES = Number(process.env['BENCH_DEVICES'] ?? sized(10_000, 200));
const FRAMES_EACH = 3;

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

/** `Environment=` settings of the deployed unit, so the bench runs the process as it is deployed. */
function unitEnvironment(): Record<string, string> {
  const unit = readFileSync(join(__dirname, '..', 'deploy', 'vigil-gateway.service'), 'utf8');
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment=(?:"([^"]*)"|(\S+))$/gm)) {
    const kv = m[1] ?? m[2]!;
    const eq = kv.indexOf('=');
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

interface Measured {
  rssMb: number;
  peakRssMb: number;
  heapUsedMb: number;
  devices: number;
  framesForwarded: number;
  atCentre: number;
}

async function measure(extraEnv: Record<string, string>): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-mem-'));
  const pty = await PtyPair.open(dir, 'lora');
  const modem = await ScriptedModem.open({ model: 'rak3172', path: pty.modemPath });
  const [mqttPort, metricsPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, stringify({
    siteId: 's1', gatewayId: 'gw-1', dataDir: join(dir, 'data'),
    mqtt: { url: 'embedded', username: 'gw-1', password: 'gw-pass' },
    broker: {
      tcp: { host: '127.0.0.1', port: mqttPort },
      users: [
        { username: 'gw-1', passwordHash: hashPassword('gw-pass'), role: 'gateway', siteId: 's1', gatewayId: 'gw-1' },
        { username: 'centre', passwordHash: hashPassword('centre-pass'), role: 'centre' },
      ],
    },
    transports: [{ type: 'lora', id: 'lora0', path: pty.gatewayPath, modem: 'rak3172' }],
    metrics: { host: '127.0.0.1', port: metricsPort },
  }));
  const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'vigil.js'), 'gateway', '--config', configFile], { env: { ...process.env, ...extraEnv, VIGIL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = new EventEmitter();
  let lines = '';
  child.stderr.on('data', (d: Buffer) => {
    lines += d.toString();
    log.emit('line');
  });
  try {
    await until(log, 'line', () => lines.includes('gateway started'), 30_000, 'the gateway to start');
    const keys = Array.from({ length: DEVICES }, () => randomBytes(16));
    const centre = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'vigil-centre', clean: false, username: 'centre', password: 'centre-pass' });
    let received = 0;
    const uplinks = new EventEmitter();
    centre.on('message', () => {
      received++;
      uplinks.emit('m');
    });
    await new Promise((resolve) => centre.once('connect', resolve));
    // Heartbeats (all of these frames) travel on the status shards …/uplink/{shard}, alarms on …/uplink.
    await centre.subscribeAsync([topicFilter('uplink'), topicFilter('statusUplink')], { qos: 1 });
    await centre.publishAsync('vigil/v1/sites/s1/keyring', JSON.stringify({ v: 1, siteId: 's1', at: 1, devices: keys.map((k, i) => ({ deviceId: formatDeviceId(0x10000 + i), key: toHex(k) })) }), { qos: 1, retain: true });
    await until(log, 'line', () => lines.includes(`keyring loaded {"devices":${DEVICES}}`), 30_000, `the keyring of ${DEVICES} pendants`);
    for (let round = 1; round <= FRAMES_EACH; round++) {
      for (let i = 0; i < DEVICES; i++) {
        modem.receive(encodeUplink({ deviceId: 0x10000 + i, counter: round, type: 'heartbeat', batteryPct: 90 }, keys[i]!), -100, 5);
        if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      }
      await until(uplinks, 'm', () => received >= round * DEVICES, 120_000, `round ${round} at the centre`);
    }
    const health = (await (await fetch(`http://127.0.0.1:${metricsPort}/health`)).json()) as { rssBytes: number; heapUsedBytes: number; keyringDevices: number; bridge: Record<string, number> };
    const rssMb = Math.round(statusKb(child.pid!, 'VmRSS') / 102.4) / 10;
    const peakMb = Math.round(statusKb(child.pid!, 'VmHWM') / 102.4) / 10;
    await centre.endAsync();
    return { rssMb, peakRssMb: peakMb, heapUsedMb: Math.round(health.heapUsedBytes / 1e5) / 10, devices: health.keyringDevices, framesForwarded: health.bridge['uplinks_forwarded'] ?? 0, atCentre: received };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    await modem.close();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const env = unitEnvironment();
  const deployed = await measure(env);
  const nodeDefaults = await measure({});
  process.stdout.write(JSON.stringify({ bench: 'gateway-memory', devices: DEVICES, framesEach: FRAMES_EACH, deployed: { env, ...deployed }, nodeDefaults, target: { rssMb: 150 }, pass: deployed.rssMb < 150 }) + '\n');
}

void main();
