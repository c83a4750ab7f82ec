/**
 * Centre throughput: frames at a fixed rate through a real Aedes broker into a real centre (SQLite
 * WAL, the whole ingest → rules → alarm path), measuring how many events per second the centre
 * sustains and how long an alarm frame takes to become a published alarm: `alarm*Ms` from the moment
 * the gateway publishes the frame (its receivedAt) to the centre handing the alarm to MQTT; `e2e*Ms`
 * until an integrator subscribed to `vigil/v1/alarms/+` receives it through the broker. The broker,
 * the load generator and the integrator run in a child process, so the centre has its own process as
 * in production; both ends use this machine's clock.
 *
 *   npx tsx bench/centre-throughput.ts [--rate 5500] [--seconds 30] [--warmup 5] [--alarm-ratio 0.01] [--data <dir for the database>]
 * The first `--warmup` seconds (JIT, device cache) are sent at the same rate and not measured.
 * Prints one JSON line. Pass: eventsPerS ≥ 5,000 and alarmP99Ms < 50.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../common/log';
import { hashPassword } from '../common/passwords';
import { MqttBus } from '../common/mqtt-bus';
import { Centre, SqliteStore } from '../centre/src';
import { EmbeddedBroker } from '../gateway/src';
import { encodeUplink, fromHex, parseDeviceId, topic, travelsOnShard, uplinkShard } from '../protocol/src';
import { sized } from './lib/size';

const SITE = 'bench';
type Device = { id: string; key: string };
type ToChild = { go: { rate: number; seconds: number; warmupS: number; alarmRatio: number; heartbeat: Device[]; alarm: Device[] } };
type FromChild = { port: number } | { measuring: true } | { done: { sent: number; sentTotal: number; alarmsSent: number; latenciesMs: number[]; firstAt: number; lastAt: number; cpuPct: number } };

const { values } = parseArgs({ options: { rate: { type: 'string' }, seconds: { type: 'string' }, warmup: { type: 'string' }, data: { type: 'string' }, 'alarm-ratio': { type: 'string' }, load: { type: 'boolean' } } });

if (values.load) void loadSide();
else void centreSide().then((code) => process.exit(code));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function centreSide(): Promise<number> {
  const rate = Number(values.rate ?? sized(5500, 200));
  const seconds = Number(values.seconds ?? sized(30, 2));
  const alarmRatio = Number(values['alarm-ratio'] ?? 0.01);
  const warmupS = Number(values.warmup ?? sized(5, 1));
  const dir = mkdtempSync(join(values.data ?? tmpdir(), 'vigil-bench-'));
  const log = createLogger('bench', 'warn');
  const child = fork(__filename, ['--load'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const fromChild = <K extends string>(key: K): Promise<Extract<FromChild, Record<K, unknown>>> =>
    new Promise((resolve) => {
      const on = (m: FromChild): void => {
        if (key in m) {
          child.off('message', on);
          resolve(m as Extract<FromChild, Record<K, unknown>>);
        }
      };
      child.on('message', on);
    });
  try {
    const { port } = await fromChild('port');
    const store = new SqliteStore(join(dir, 'centre.db'), { backgroundCheckpoints: process.env['VIGIL_BENCH_CKPT'] !== '0' });
    await store.migrate();
    await store.upsertSite({ id: SITE, name: 'Bench' });
    const make = (n: number, prefix: number): Device[] => Array.from({ length: n }, (_, i) => ({ id: ((prefix << 24) | i).toString(16).padStart(8, '0'), key: randomBytes(16).toString('hex') }));
    const heartbeat = make(sized(2000, 50), 0x10);
    const alarm = make(Math.ceil(rate * (seconds + warmupS) * alarmRatio) + 10, 0x20);
    for (const d of [...heartbeat, ...alarm]) {
      await store.addDevice({ id: d.id, key: d.key, board: 'puckjs', workerId: null, siteId: SITE, createdAt: Date.now(), lastCounter: -1, lastSeenAt: null, batteryPct: null });
    }
    const centre = new Centre(
      { dataDir: dir, mqtt: { url: `mqtt://127.0.0.1:${port}`, clientId: 'vigil-centre', username: 'centre', password: 'centre-pw' }, http: { host: '127.0.0.1', port: 0 } },
      { store, log, http: false },
    );
    await centre.start();
    child.send({ go: { rate, seconds, warmupS, alarmRatio, heartbeat, alarm } } satisfies ToChild);
    await fromChild('measuring');
    const rss0 = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const firstAt = Date.now();
    const accepted0 = centre.ingest.counters.get('uplinks_accepted');
    // frame heard (gateway's receivedAt) → alarm handed to MQTT by the centre, on this machine's clock
    const published: number[] = [];
    centre.live.subscribe((e) => {
      if (e.type === 'alarm' && e.alarm.state === 'raised' && e.alarm.createdAt >= firstAt) published.push(Date.now() - e.alarm.createdAt);
    });
    let lastAt = 0;
    const { done } = await fromChild('done');
    // wait until the centre has taken every frame (it may lag behind the generator)
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (centre.ingest.counters.get('uplinks_accepted') >= done.sentTotal) {
          clearInterval(check);
          lastAt = Date.now();
          resolve();
        }
      }, 5);
    });
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    const lat = done.latenciesMs.sort((a, b) => a - b);
    const pub = published.sort((a, b) => a - b);
    const events = centre.ingest.counters.get('uplinks_accepted') - accepted0;
    const elapsedS = (lastAt - firstAt) / 1000;
    const eventsPerS = Math.round(events / elapsedS);
    const result = {
      bench: 'centre-throughput', targetEventsPerS: rate, seconds, warmupS, events, eventsPerS, alarmsSent: done.alarmsSent, alarmsPublished: lat.length,
      lostAlarms: done.alarmsSent - lat.length,
      alarmP50Ms: percentile(pub, 50), alarmP95Ms: percentile(pub, 95), alarmP99Ms: percentile(pub, 99), alarmMaxMs: percentile(pub, 100),
      e2eP50Ms: +percentile(lat, 50).toFixed(1), e2eP95Ms: +percentile(lat, 95).toFixed(1), e2eP99Ms: +percentile(lat, 99).toFixed(1), centreCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (elapsedS * 1000)) * 100), centreEventLoopPct: Math.round(elu.utilization * 100),
      loadCpuPct: done.cpuPct, loadAvg1m: +loadavg()[0]!.toFixed(2),
      centreRssMb: Math.round(process.memoryUsage().rss / 1048576), centreRssGrowthMb: Math.round((process.memoryUsage().rss - rss0) / 1048576),
      pass: eventsPerS >= 5000 && percentile(pub, 99) < 50 && lat.length === done.alarmsSent,
    };
    await centre.stop();
    process.stdout.write(JSON.stringify(result) + '\n');
    // The exit status says whether it worked (every alarm came out); the throughput and latency targets are in `pass`.
    return result.lostAlarms === 0 ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The child: broker, load generator and alarm watcher, on one clock. */
async function loadSide(): Promise<void> {
  const log = createLogger('bench-load', 'warn');
  const broker = new EmbeddedBroker({
    listeners: { tcp: { host: '127.0.0.1', port: 0 } }, log,
    users: [
      { username: 'centre', passwordHash: hashPassword('centre-pw'), role: 'centre' },
      { username: 'gw-1', passwordHash: hashPassword('gw-pw'), role: 'gateway', siteId: SITE, gatewayId: 'gw-1' },
      { username: 'watcher', passwordHash: hashPassword('watch-pw'), role: 'integrator' },
    ],
  });
  await broker.start();
  const url = `mqtt://127.0.0.1:${broker.ports.tcp}`;
  process.send!({ port: broker.ports.tcp! } satisfies FromChild);
  const go = await new Promise<ToChild['go']>((resolve) => process.once('message', (m: ToChild) => resolve(m.go)));
  const gw = await MqttBus.connect({ url, clientId: 'bench-gw', username: 'gw-1', password: 'gw-pw', log });
  const watcher = await MqttBus.connect({ url, clientId: 'bench-watch', username: 'watcher', password: 'watch-pw', log, clean: true });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await watcher.subscribe('vigil/v1/alarms/+', 0, (_t, p) => {
    const a = JSON.parse(Buffer.from(p).toString('utf8')) as { deviceId: string; state: string };
    const t0 = sentAt.get(a.deviceId);
    if (t0 !== undefined && a.state === 'raised') {
      latencies.push(performance.now() - t0);
      sentAt.delete(a.deviceId);
    }
  });
  const counters = new Map<string, number>();
  const uplinkTopic = topic.uplink(SITE, 'gw-1');
  // As a gateway publishes: heartbeats on their device's status shard, alarms on the uplink topic.
  const topicOf = (d: Device, type: 'heartbeat' | 'sos'): string => (travelsOnShard(type) ? topic.statusUplink(SITE, 'gw-1', uplinkShard(d.id)) : uplinkTopic);
  const frame = (d: Device, type: 'heartbeat' | 'sos'): string => {
    const counter = (counters.get(d.id) ?? 0) + 1;
    counters.set(d.id, counter);
    const bytes = encodeUplink({ deviceId: parseDeviceId(d.id)!, counter, type, batteryPct: 80 }, fromHex(d.key)!);
    return JSON.stringify({ v: 1, siteId: SITE, gatewayId: 'gw-1', transport: 'ble', rssiDbm: -70, snrDb: null, receivedAt: 1, frame: Buffer.from(bytes).toString('hex'), decoded: { deviceId: d.id, counter, type, batteryPct: 80, position: null } });
  };
  // Frames are sealed before the clock starts, so the generator's own cost does not shape the load.
  const warm = Math.round(go.rate * go.warmupS);
  const total = warm + Math.round(go.rate * go.seconds);
  const alarmEvery = Math.max(1, Math.round(1 / go.alarmRatio));
  const plan: { topic: string; payload: string; alarmDevice?: string }[] = [];
  let alarmsPlanned = 0;
  for (let i = 0; i < total; i++) {
    if (i % alarmEvery === alarmEvery - 1 && alarmsPlanned < go.alarm.length) {
      const d = go.alarm[alarmsPlanned++]!;
      plan.push({ topic: topicOf(d, 'sos'), payload: frame(d, 'sos'), alarmDevice: d.id });
    } else {
      const d = go.heartbeat[i % go.heartbeat.length]!;
      plan.push({ topic: topicOf(d, 'heartbeat'), payload: frame(d, 'heartbeat') });
    }
  }
  let sent = 0;
  let alarmsSent = 0;
  let cpu0 = process.cpuUsage();
  let measureStart = 0;
  const start = performance.now();
  let firstAt = Date.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * go.rate));
      while (sent < due) {
        if (sent === warm) {
          // the measured part starts: only its alarms count
          latencies.length = 0;
          sentAt.clear();
          alarmsSent = 0;
          cpu0 = process.cpuUsage();
          measureStart = performance.now();
          firstAt = Date.now();
          process.send!({ measuring: true } satisfies FromChild);
        }
        const f = plan[sent++]!;
        if (f.alarmDevice) {
          sentAt.set(f.alarmDevice, performance.now());
          alarmsSent++;
        }
        // the gateway stamps the time it heard the frame: the centre measures from it
        gw.send(f.topic, f.payload.replace('"receivedAt":1,', `"receivedAt":${Date.now()},`), { qos: 1 });
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  const lastAt = Date.now();
  // let the last alarms come back (bounded)
  const deadline = performance.now() + 30_000;
  while (latencies.length < alarmsSent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const cpu = process.cpuUsage(cpu0);
  const cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - measureStart)) * 100);
  process.send!({ done: { sent: sent - warm, sentTotal: sent, alarmsSent, latenciesMs: latencies, firstAt, lastAt, cpuPct } } satisfies FromChild);
  process.once('SIGTERM', () => {
    void Promise.all([gw.close(), watcher.close()]).then(() => broker.stop()).then(() => process.exit(0));
  });
}
