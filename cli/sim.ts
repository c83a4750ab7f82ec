/**
 * `npx vigil sim scenario <file.yaml>`: one scenario against the whole system (broker, gateways,
 * centre on real sockets; pendants running the built firmware on the virtual air), on virtual time.
 * `npx vigil sim fleet …`: load with thousands of light pendants (cli/fleet.ts).
 * `runScenario` is also what the scenario tests and `make demo` use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Clock, SystemClock } from '../common/clock';
import { createLogger, type Logger } from '../common/log';
import { VirtualAir } from '../simulator/src/air';
import { beaconIdOf, ibeaconAdvert } from '../simulator/src/ibeacon';
import { WholeMsClock } from '../simulator/src/scenario/clock-pump';
import { MotionLibrary } from '../simulator/src/scenario/motion';
import { ScenarioRun, type ScenarioReport, type SystemUnderTest } from '../simulator/src/scenario/runner';
import { loadScenario, type Scenario } from '../simulator/src/scenario/schema';
import { DEFAULT_FALLS_DIR } from '../simulator/src/trace';
import { fleetCommand } from './fleet';
import type { Command } from './main';
import { startSingleBox, type SingleBox } from './singlebox';

export interface ScenarioOptions {
  /** Virtual time (tests, `sim scenario`) or wall time (the demo). */
  clock: 'virtual' | 'system';
  dataDir: string;
  httpPort?: number;
  httpHost?: string;
  mqttPort?: number;
  log?: Logger;
  fallsDir?: string;
  onLine?: (line: string) => void;
  /** Demo users created besides the scenario's own admin. */
  users?: { username: string; password: string; name: string; role: 'admin' | 'operator' }[];
}

/** The system under test: singlebox with the scenario's gateways, set up for its workers. */
async function systemFor(s: Scenario, box: SingleBox, air: VirtualAir, opts: ScenarioOptions): Promise<SystemUnderTest> {
  const { centre } = box;
  return {
    baseUrl: `http://127.0.0.1:${centre.httpPort}`,
    async setup(scn, admin) {
      await centre.store.upsertSite({ id: scn.site.id, name: scn.site.name });
      for (const z of scn.zones) {
        await centre.store.putEntity('zone', { id: z.id, siteId: scn.site.id, name: z.name, floor: z.floor, lat: null, lon: null, x: z.x, y: z.y, w: z.w, h: z.h });
        await centre.store.putEntity('beacon', { id: beaconIdOf(z.beacon.major, z.beacon.minor), siteId: scn.site.id, zoneId: z.id, name: null });
        air.addBeacon(`beacon-${z.id}`, { x: z.beacon.x, y: z.beacon.y }, ibeaconAdvert(z.beacon.major, z.beacon.minor));
      }
      await centre.auth.createUser({ username: admin.username, password: admin.password, name: 'Scenario operator', role: 'admin' });
      for (const u of opts.users ?? []) await centre.auth.createUser(u);
      const devices = new Map<string, { id: string; key: string }>();
      for (const w of scn.workers) {
        await centre.store.upsertWorker({ id: w.id, name: w.name, phone: w.phone ?? null, siteId: scn.site.id });
        const { device } = await centre.registry.provision({ board: w.board, workerId: w.id });
        devices.set(w.id, { id: device.id, key: device.key });
      }
      return devices;
    },
    async keyringsReady(n) {
      const deadline = Date.now() + 15_000;
      while (!box.gateways.every((g) => g.keyring.size >= n)) {
        if (Date.now() > deadline) throw new Error(`gateways did not receive the keyring for ${n} devices within 15 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: () => box.stop(),
  };
  void s;
}

/** Starts the system, runs the scenario's script and (on virtual time) checks its expectations. */
export async function startScenario(s: Scenario, opts: ScenarioOptions): Promise<{ run: ScenarioRun; clock: Clock; box: SingleBox }> {
  const clock: Clock = opts.clock === 'virtual' ? new WholeMsClock() : new SystemClock();
  const log = opts.log ?? createLogger('sim');
  const air = new VirtualAir({ clock, seed: 7 });
  const [first, ...extra] = s.gateways;
  const box = await startSingleBox({
    dataDir: opts.dataDir, siteId: s.site.id, gatewayId: first!.id, gatewayPosition: { x: first!.x, y: first!.y },
    extraGateways: extra.map((g) => ({ gatewayId: g.id, position: { x: g.x, y: g.y } })),
    httpHost: opts.httpHost ?? '127.0.0.1', httpPort: opts.httpPort ?? 0, mqttPort: opts.mqttPort ?? 0, air, clock, log,
  });
  const system = await systemFor(s, box, air, opts);
  const run = new ScenarioRun(s, { clock, air, motion: new MotionLibrary(opts.fallsDir ?? DEFAULT_FALLS_DIR), system, ...(opts.onLine ? { onLine: opts.onLine } : {}) });
  try {
    await run.start();
  } catch (e) {
    await run.stop().catch(() => undefined);
    throw e;
  }
  return { run, clock, box };
}

/** One scenario on virtual time, start to report; the system is stopped afterwards. */
export async function runScenario(s: Scenario, opts: Omit<ScenarioOptions, 'clock'>): Promise<ScenarioReport> {
  const { run } = await startScenario(s, { ...opts, clock: 'virtual' });
  try {
    await run.play();
    return await run.report();
  } finally {
    await run.stop();
  }
}

export function formatReport(r: ScenarioReport): string {
  const lines = [`scenario: ${r.name} — ${r.passed ? 'PASSED' : 'FAILED'} (${r.virtualS.toFixed(0)} s of scenario time)`];
  for (const x of r.results) lines.push(`  ${x.ok ? 'ok  ' : 'FAIL'} ${x.what}: ${x.detail}`);
  for (const e of r.errors) lines.push(`  error: ${e}`);
  for (const [w, f] of Object.entries(r.frames)) lines.push(`  frames from ${w}: ${f.filter((x) => !x.endsWith('heartbeat')).join(', ') || '(heartbeats only)'}`);
  return lines.join('\n') + '\n';
}

const USAGE = `npx vigil sim scenario <file.yaml> [--falls <dir>] [--quiet]
       npx vigil sim fleet --pendants N --heartbeat-s S --alarm-rate R [--duration-s D] [--json]`;

export const simCommand: Command = {
  summary: 'run a scenario against the whole system, or load it with a fleet of pendants',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'fleet') return fleetCommand(rest);
    if (sub !== 'scenario') {
      process.stderr.write(`vigil sim: expected 'scenario' or 'fleet'\n\nUsage: ${USAGE}\n`);
      return 2;
    }
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { falls: { type: 'string' }, quiet: { type: 'boolean' } } });
    if (positionals.length !== 1) {
      process.stderr.write(`vigil sim scenario: give one scenario file\n\nUsage: ${USAGE}\n`);
      return 2;
    }
    let scenario: Scenario;
    try {
      scenario = loadScenario(positionals[0]!);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-sim-'));
    try {
      const report = await runScenario(scenario, {
        dataDir, log: createLogger('sim', process.env['VIGIL_LOG_LEVEL'] ? undefined : 'warn'),
        ...(values.falls ? { fallsDir: values.falls } : {}),
        ...(values.quiet ? {} : { onLine: (l: string) => process.stdout.write(l + '\n') }),
      });
      process.stdout.write(formatReport(report));
      return report.passed ? 0 : 1;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
