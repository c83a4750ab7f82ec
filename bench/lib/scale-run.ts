/**
 * One run of `make bench-scale` (bench/scale.ts): a topology of real processes — broker nodes
 * (`vigil broker`) and centre workers (`vigil centre`) — with a gateway in this process hearing the
 * fleet generator's light pendants (simulator/src/fleet) through its radio transport seam, and a
 * contact's webhook that accepts every alarm at once (one ladder step, one notification per alarm).
 *
 * `cluster`: PostgreSQL (fsync on, commits wait for their WAL) and Redis (append-only file), two broker
 * nodes, three workers; during the run worker 3, broker A, Redis and PostgreSQL are killed with SIGKILL,
 * one after the other (the last two started again after `restartS`). `single`: one broker (sessions in SQLite) and one worker
 * on SQLite, nothing killed. The operator's console streams (SSE) from worker 1, which is never killed:
 * an alarm's latency is from the pendant's first frame to the alarm on that stream.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/log';
import { PostgresStore, SqliteStore } from '../../centre/src';
import type { Gateway } from '../../gateway/src';
import { Fleet, FleetTransport, percentile } from '../../simulator/src';
import { type MqttUser, startBrokerNode, startWorker, type VigilChild } from '../../rig/cluster';
import { HookReceiver, login, type SseAlarm, SseConsole, startSiteGateway, streamTicket, tearDown } from '../../rig/cluster-rig';
import { freePort } from '../../rig/mosquitto';
import { Postgres } from '../../rig/postgres';
import { Redis } from '../../rig/redis';
import { countEvents, listAlarms, report, round, seed, SITE } from './scale-rig';

export interface ScaleRunOptions {
  mode: 'cluster' | 'single';
  pendants: number;
  heartbeatS: number;
  alarmRatePerS: number;
  durationS: number;
  /** After the run, how long alarms may take to show and be answered. */
  drainS: number;
  /** Longest warm-up before measuring anyway. */
  warmupMaxS: number;
  /** How long a killed PostgreSQL or Redis stays down before its supervisor starts it again. */
  restartS: number;
  /** Whether PostgreSQL commits wait for their WAL to be flushed (a killed server otherwise loses the last acknowledged commits). */
  pgSyncCommit: boolean;
  /** The cluster's kills (false: the same run without them, to see its steady state). */
  kills: boolean;
  progress: (line: string) => void;
}

export interface ScaleFigures {
  pendants: number;
  workers: number;
  brokers: number;
  durationS: number;
  framesPerS: number;
  /** Pendant frames stored by the centre, per second of the run. */
  eventsPerS: number;
  /** Of the alarms raised in the measured window (after the warm-up). */
  alarmP50Ms: number | null;
  alarmP99Ms: number | null;
  alarmsSent: number;
  /** SOS alarms raised: one per pendant alarm. */
  alarmsRaised: number;
  /** Pendant alarms the console never showed or the store never raised. */
  lostAlarms: number;
  /** Alarms raised more than once for one pendant alarm. */
  duplicateAlarms: number;
  /** Alarms the pendants did not send, by type: `device_silent` is a pendant whose heartbeats the centre missed or stored too late. */
  otherAlarms: Record<string, number>;
  /** Notifications beyond one per alarm and ladder step (distinct idempotency keys at the contact). */
  duplicateNotifications: number;
  /** The same notification delivered again with its idempotency key (a send interrupted by a kill). */
  redeliveries: number;
  /** Times the console's live stream ended and was opened again (its worker's live feed had a gap). */
  consoleReconnects: number;
  kills: string[];
  setupS: number;
  /** Until the centre had caught up with every pendant's first (protected) heartbeat; alarms of that time apart. */
  warmupS: number;
  warmupAlarmP50Ms: number | null;
  warmupAlarmP99Ms: number | null;
}

const USERS: MqttUser[] = [
  { username: 'centre', password: 'centre-pw', role: 'centre' },
  { username: 'gw-1', password: 'gw-pw', role: 'gateway', siteId: SITE, gatewayId: 'gw-1' },
];


export async function runScale(o: ScaleRunOptions): Promise<ScaleFigures> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `vigil-bench-${o.mode}-`));
  const log = createLogger('bench', 'warn');
  const cluster = o.mode === 'cluster';
  const hooks = new HookReceiver();
  hooks.answers = { desk: 'accepted' };
  let pg: Postgres | undefined;
  let redis: Redis | undefined;
  const brokers: VigilChild[] = [];
  const workers: VigilChild[] = [];
  let gateway: Gateway | undefined;
  let sse: SseConsole | undefined;
  let consoleGone = false;
  let consoleOpens = 0;
  let fleet: Fleet | undefined;
  const kills: string[] = [];
  try {
    await hooks.start();
    const devices = Fleet.devices(o.pendants);
    let storeUrl: string | undefined;
    if (cluster) {
      [pg, redis] = await Promise.all([Postgres.start({ durable: true, synchronousCommit: o.pgSyncCommit, maxConnections: 200 }), Redis.start()]);
      storeUrl = await pg.createDatabase('vigil');
      const store = new PostgresStore({ url: storeUrl });
      await seed(store, devices, hooks.url);
      await store.close();
    } else {
      mkdirSync(join(dir, 'worker-1'), { recursive: true });
      const store = new SqliteStore(join(dir, 'worker-1', 'centre.db'));
      await seed(store, devices, hooks.url);
      await store.close();
    }
    o.progress(`${o.mode}: ${devices.length} devices seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const ports = cluster ? [await freePort(), await freePort()] : [await freePort()];
    const urls = ports.map((p) => `mqtt://127.0.0.1:${p}`);
    brokers.push(...(await Promise.all(ports.map((p, i) => startBrokerNode(dir, `broker-${'ab'[i]}`, p, redis?.url, USERS, cluster ? {} : { dataDir: join(dir, 'broker') })))));
    const nWorkers = cluster ? 3 : 1;
    for (let n = 1; n <= nWorkers; n++) {
      workers.push(await startWorker(dir, `worker-${n}`, {
        ...(storeUrl ? { storeUrl } : {}), brokerUrls: urls, clientId: `vigil-centre-${n}`, username: 'centre', password: 'centre-pw', httpPort: await freePort(),
        ...(cluster ? { cluster: { buckets: 64 } } : {}),
        extra: { notifiers: { webhook: { secret: 'bench-scale-webhook-secret-0123', timeoutMs: 5000 } } },
      }));
    }
    const base = /"http":"(http:[^"]+)"/.exec(await workers[0]!.waitFor(/centre started/))![1]!;
    const token = await login(base, 'op', 'op-password');
    let onAlarm: (a: SseAlarm, at: number) => void = () => undefined;
    // The operator's console, as centre/web/console/js/live.js behaves: when the stream ends (worker 1
    // closes it when its live feed had a gap), a fresh ticket and a new stream, then the open alarms re-read.
    const openConsole = async (): Promise<void> => {
      for (let backoffMs = 500; !consoleGone; backoffMs = Math.min(backoffMs * 2, 5000)) {
        try {
          const c = await SseConsole.open(base, await streamTicket(base, token));
          sse = c;
          consoleOpens++;
          c.on('alarm', (a) => onAlarm(a, Date.now()));
          c.once('end', () => void (consoleGone ? undefined : openConsole()));
          const r = await fetch(`${base}/api/alarms`, { headers: { authorization: `Bearer ${token}` } });
          if (r.ok) for (const a of ((await r.json()) as { alarms: SseAlarm[] }).alarms) onAlarm(a, Date.now());
          return;
        } catch {
          await new Promise((r) => setTimeout(r, backoffMs));
        }
      }
    };
    await openConsole();
    const transport = new FleetTransport();
    gateway = await startSiteGateway({ dir, siteId: SITE, brokerUrls: urls, transport, log, devices: devices.length, timeoutMs: 120_000 });
    const gw = gateway;
    const setupS = (Date.now() - t0) / 1000;
    o.progress(`${o.mode}: set up in ${setupS.toFixed(1)} s (${brokers.length} brokers, ${workers.length} workers)`);

    const f = new Fleet({ pendants: o.pendants, heartbeatS: o.heartbeatS, alarmRatePerS: o.alarmRatePerS }, devices, transport, gw.clock);
    fleet = f;
    onAlarm = (a, at) => {
      if (a.deviceId && (a.state === 'raised' || a.state === 'acknowledged')) f.alarmVisible(a.deviceId, a.incidentRef ?? null, at);
    };
    const events00 = await countEvents(o.mode, dir, storeUrl);
    const t1 = Date.now();
    f.start();
    const ticker = setInterval(() => o.progress(`${o.mode}: ${((Date.now() - t1) / 1000).toFixed(0)} s, frames ${f.framesSent}, alarms ${f.alarms.length} (${f.alarms.filter((a) => a.visibleAt !== null).length} shown, ${f.alarms.length - f.unacknowledged()} answered)`), 10_000);
    // Warm-up: every pendant's first heartbeat says "protected" and opens a protection session (a
    // shift starting all at once). Measured from when the centre has caught up with that storm.
    for (;;) {
      await new Promise((r) => setTimeout(r, 2000));
      const elapsed = (Date.now() - t1) / 1000;
      const stored = (await countEvents(o.mode, dir, storeUrl)) - events00;
      if ((elapsed >= o.heartbeatS && stored >= 0.97 * f.framesSent) || elapsed >= o.warmupMaxS) break;
    }
    const warmupS = (Date.now() - t1) / 1000;
    o.progress(`${o.mode}: warmed up in ${warmupS.toFixed(0)} s; measuring`);
    const frames0 = f.framesSent;
    const events0 = await countEvents(o.mode, dir, storeUrl);
    const started = Date.now();
    if (cluster && o.kills) {
      // One kill -9 of each kind, a fifth of the run apart. Worker 3 and broker A stay dead (the others
      // take their share); PostgreSQL and Redis are started again by their supervisor, as systemd would
      // (`Restart=always`), after `restartS`: they are single here, redundant in production (docs/scale.md).
      const at = (share: number): Promise<void> => new Promise((r) => setTimeout(r, o.durationS * 1000 * share));
      const kill = async (what: string, fn: () => Promise<void>): Promise<void> => {
        await fn();
        kills.push(`${what} at ${((Date.now() - started) / 1000).toFixed(0)} s`);
        o.progress(`${o.mode}: killed ${what} (kill -9)`);
      };
      const restartMs = o.restartS * 1000;
      await at(0.15);
      await kill('centre worker 3', () => workers[2]!.kill9());
      await at(0.2);
      await kill('broker node A', () => brokers[0]!.kill9());
      await at(0.2);
      await kill('Redis', () => redis!.kill9());
      await new Promise((r) => setTimeout(r, restartMs));
      await redis!.restart();
      o.progress(`${o.mode}: Redis restarted`);
      await at(0.2);
      await kill('PostgreSQL', () => pg!.kill9());
      await new Promise((r) => setTimeout(r, restartMs));
      await pg!.restart();
      o.progress(`${o.mode}: PostgreSQL restarted (crash recovery)`);
      await at(0.25 - o.restartS / o.durationS * 2);
    } else {
      await new Promise((r) => setTimeout(r, o.durationS * 1000));
    }
    f.stopNew();
    const elapsedS = (Date.now() - started) / 1000;
    const framesPerS = (f.framesSent - frames0) / elapsedS;
    // Drain: every alarm shown and answered (or the drain time over).
    const drainEnd = Date.now() + o.drainS * 1000;
    while (Date.now() < drainEnd && (f.unacknowledged() > 0 || f.alarms.some((a) => a.visibleAt === null))) {
      await new Promise((r) => setTimeout(r, 250));
    }
    clearInterval(ticker);
    // events of the measured window (frames still arriving after it are counted: the drain is short next to it)
    const stored = (await countEvents(o.mode, dir, storeUrl)) - events0;
    const raised = await listAlarms(o.mode, dir, storeUrl);
    // The pendants' alarms (SOS); anything else the centre raised (a pendant silent too long…) is counted apart.
    const byDevice = new Map<string, number>();
    const otherAlarms: Record<string, number> = {};
    for (const a of raised) {
      if (a.type !== 'sos') otherAlarms[a.type] = (otherAlarms[a.type] ?? 0) + 1;
      else if (a.deviceId) byDevice.set(a.deviceId, (byDevice.get(a.deviceId) ?? 0) + 1);
    }
    const alarmed = new Set(f.alarms.map((a) => a.deviceId));
    const lost = f.alarms.filter((a) => a.visibleAt === null || !byDevice.has(a.deviceId)).length;
    let duplicateNotifications = 0;
    for (const a of raised) duplicateNotifications += Math.max(0, hooks.notificationsPer(a.id, 'desk') - 1);
    const distinctKeys = new Set(hooks.hooks.map((h) => h.key)).size;
    await report(o, base, token, [...workers, ...brokers], new Set([workers[2]!, brokers[0]!].filter((p) => cluster && o.kills && p !== undefined)));
    const measured = f.alarms.filter((a) => a.sentAt >= started);
    const latencies = measured.filter((a) => a.visibleAt !== null).map((a) => a.visibleAt! - a.sentAt);
    const warm = f.alarms.filter((a) => a.sentAt < started && a.visibleAt !== null).map((a) => a.visibleAt! - a.sentAt);
    return {
      pendants: o.pendants, workers: workers.length, brokers: brokers.length, durationS: Math.round(elapsedS),
      framesPerS: Math.round(framesPerS * 10) / 10, eventsPerS: Math.round((stored / elapsedS) * 10) / 10,
      alarmP50Ms: round(percentile(latencies, 50)), alarmP99Ms: round(percentile(latencies, 99)),
      alarmsSent: f.alarms.length, alarmsRaised: raised.length - Object.values(otherAlarms).reduce((a, b) => a + b, 0), lostAlarms: lost, otherAlarms,
      duplicateAlarms: [...byDevice.entries()].filter(([d]) => alarmed.has(d)).reduce((n, [d, c]) => n + Math.max(0, c - f.alarms.filter((a) => a.deviceId === d).length), 0),
      duplicateNotifications, redeliveries: hooks.hooks.length - distinctKeys, consoleReconnects: consoleOpens - 1, kills, setupS: Math.round(setupS),
      warmupS: Math.round(warmupS), warmupAlarmP50Ms: round(percentile(warm, 50)), warmupAlarmP99Ms: round(percentile(warm, 99)),
    };
  } finally {
    fleet?.stop();
    consoleGone = true;
    sse?.close();
    await tearDown({ dir, gateway, workers, brokers, hooks, redis, pg });
  }
}

