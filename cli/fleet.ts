/**
 * `npx vigil sim fleet`: the gateway (embedded broker, bridge) and the centre (SQLite, rules, live
 * feed) on real sockets and wall time, loaded by a fleet of light pendants through the gateway's
 * transport seam (simulator/src/fleet). Reports frames per second and end-to-end alarm latency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SystemClock } from '../common/clock';
import { createLogger, type Logger } from '../common/log';
import { percentile } from '../simulator/src/eval/score';
import { Fleet, FleetTransport } from '../simulator/src/fleet/fleet';
import { startSingleBox } from './singlebox';

export interface FleetRunOptions {
  pendants: number;
  heartbeatS: number;
  alarmRatePerS: number;
  durationS: number;
  /** After the run, how long raised alarms may take to be acknowledged before they count as lost. */
  drainS?: number;
  dataDir: string;
  log?: Logger;
  onProgress?: (line: string) => void;
}

export interface FleetReport {
  pendants: number;
  durationS: number;
  heartbeatS: number;
  alarmRatePerS: number;
  /** Every frame the fleet sent, including alarm repeats while draining. */
  framesSent: number;
  /** Frames per second offered during the run. */
  framesPerS: number;
  centreAccepted: number;
  centreAcceptedPerS: number;
  gateway: Record<string, number>;
  alarms: { sent: number; visible: number; acknowledged: number; lost: number; repeatsP95: number | null };
  alarmVisibleMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  alarmAckMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  setupS: number;
  rssMiB: number;
  cpuS: number;
}

const stats = (v: number[]) => ({ p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99), max: v.length ? Math.max(...v) : null });

export async function runFleet(o: FleetRunOptions): Promise<FleetReport> {
  const clock = new SystemClock();
  const log = o.log ?? createLogger('fleet', 'warn');
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const transport = new FleetTransport();
  const box = await startSingleBox({ dataDir: o.dataDir, siteId: 'fleet', httpPort: 0, mqttPort: 0, transport, clock, log });
  const { centre, gateway } = box;
  try {
    await centre.store.upsertSite({ id: 'fleet', name: 'Fleet load' });
    const devices = Fleet.devices(o.pendants);
    for (const d of devices) {
      await centre.store.addDevice({ id: d.id, key: d.key, board: 'puckjs', workerId: null, siteId: 'fleet', createdAt: clock.now(), lastCounter: -1, lastSeenAt: null, batteryPct: null });
    }
    await centre.registry.publishKeyring('fleet'); // one keyring for the whole fleet
    const deadline = Date.now() + 60_000;
    while (gateway.keyring.size < o.pendants) {
      if (Date.now() > deadline) throw new Error(`the gateway did not load the keyring of ${o.pendants} devices within 60 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const setupS = (Date.now() - t0) / 1000;
    const fleet = new Fleet({ pendants: o.pendants, heartbeatS: o.heartbeatS, alarmRatePerS: o.alarmRatePerS }, devices, transport, clock);
    const unsubscribe = centre.live.subscribe((e) => {
      if (e.type === 'alarm' && e.alarm.deviceId) fleet.alarmVisible(e.alarm.deviceId, e.alarm.incidentRef, clock.now());
    });
    const accepted = () => centre.ingest.counters.snapshot()['uplinks_accepted'] ?? 0;
    const accepted0 = accepted();
    const started = Date.now();
    fleet.start();
    const ticker = setInterval(() => {
      const s = (Date.now() - started) / 1000;
      o.onProgress?.(`${s.toFixed(0).padStart(4)} s  frames sent ${fleet.framesSent} (${(fleet.framesSent / s).toFixed(0)}/s), accepted by the centre ${accepted() - accepted0}, alarms ${fleet.alarms.length} (acknowledged ${fleet.alarms.length - fleet.unacknowledged()})`);
    }, 5000);
    await new Promise((r) => setTimeout(r, o.durationS * 1000));
    fleet.stopNew();
    const sentFrames = fleet.framesSent;
    const elapsedS = (Date.now() - started) / 1000;
    const drainEnd = Date.now() + (o.drainS ?? 30) * 1000;
    // Drain: alarms still repeating get acknowledged, frames in flight reach the centre.
    while ((fleet.unacknowledged() > 0 || accepted() - accepted0 < fleet.framesSent) && Date.now() < drainEnd) await new Promise((r) => setTimeout(r, 50));
    clearInterval(ticker);
    fleet.stop();
    unsubscribe();
    const a = fleet.alarms;
    const visible = a.filter((x) => x.visibleAt !== null);
    const acked = a.filter((x) => x.ackedAt !== null);
    const cpu = process.cpuUsage(cpu0);
    return {
      pendants: o.pendants, durationS: o.durationS, heartbeatS: o.heartbeatS, alarmRatePerS: o.alarmRatePerS,
      framesSent: fleet.framesSent, framesPerS: sentFrames / elapsedS,
      centreAccepted: accepted() - accepted0, centreAcceptedPerS: (accepted() - accepted0) / elapsedS,
      gateway: gateway.bridge.counters.snapshot(),
      alarms: { sent: a.length, visible: visible.length, acknowledged: acked.length, lost: a.length - visible.length, repeatsP95: percentile(a.map((x) => x.repeats), 95) },
      alarmVisibleMs: stats(visible.map((x) => x.visibleAt! - x.sentAt)),
      alarmAckMs: stats(acked.map((x) => x.ackedAt! - x.sentAt)),
      setupS, rssMiB: Math.round(process.memoryUsage().rss / 1048576), cpuS: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    await box.stop();
  }
}

export function formatFleet(r: FleetReport): string {
  const ms = (v: number | null) => (v === null ? '–' : `${v.toFixed(0)} ms`);
  return [
    `fleet: ${r.pendants} pendants, heartbeat every ${r.heartbeatS} s, ${r.alarmRatePerS} alarms/s, ${r.durationS} s (set-up ${r.setupS.toFixed(1)} s)`,
    `frames sent ${r.framesSent} (${r.framesPerS.toFixed(1)}/s); accepted by the centre ${r.centreAccepted} (${r.centreAcceptedPerS.toFixed(1)}/s)`,
    `alarms: ${r.alarms.sent} sent, ${r.alarms.visible} visible at the centre, ${r.alarms.acknowledged} acknowledged back at the pendant, ${r.alarms.lost} lost`,
    `alarm visible at the centre: p50 ${ms(r.alarmVisibleMs.p50)}, p95 ${ms(r.alarmVisibleMs.p95)}, p99 ${ms(r.alarmVisibleMs.p99)}, max ${ms(r.alarmVisibleMs.max)}`,
    `"received" back at the pendant: p50 ${ms(r.alarmAckMs.p50)}, p95 ${ms(r.alarmAckMs.p95)}, p99 ${ms(r.alarmAckMs.p99)}, max ${ms(r.alarmAckMs.max)}`,
    `gateway bridge: ${JSON.stringify(r.gateway)}`,
    `process: ${r.cpuS.toFixed(1)} s CPU, ${r.rssMiB} MiB resident`,
  ].join('\n') + '\n';
}

export async function fleetCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { pendants: { type: 'string' }, 'heartbeat-s': { type: 'string' }, 'alarm-rate': { type: 'string' }, 'duration-s': { type: 'string' }, json: { type: 'boolean' } },
  });
  const n = (v: string | undefined, d: number, name: string, ok: (x: number) => boolean): number => {
    const x = v === undefined ? d : Number(v);
    if (!Number.isFinite(x) || !ok(x)) throw new Error(`--${name}: '${v}' is not valid`);
    return x;
  };
  let opts: Omit<FleetRunOptions, 'dataDir'>;
  try {
    opts = {
      pendants: n(values.pendants, 1000, 'pendants', (x) => Number.isInteger(x) && x >= 1 && x <= 100_000),
      heartbeatS: n(values['heartbeat-s'], 60, 'heartbeat-s', (x) => x >= 1),
      alarmRatePerS: n(values['alarm-rate'], 1, 'alarm-rate', (x) => x >= 0),
      durationS: n(values['duration-s'], 60, 'duration-s', (x) => x > 0 && x <= 86400),
    };
  } catch (e) {
    process.stderr.write(`vigil sim fleet: ${(e as Error).message}\n`);
    return 2;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-fleet-'));
  try {
    const r = await runFleet({ ...opts, dataDir, onProgress: (l) => process.stderr.write(l + '\n') });
    process.stdout.write(values.json ? JSON.stringify(r) + '\n' : formatFleet(r));
    return r.alarms.lost === 0 ? 0 : 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
