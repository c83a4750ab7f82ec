/**
 * Runs a scenario against the whole system: the real broker, gateway(s) and centre on loopback
 * sockets (cli/singlebox.ts builds them and hands them in), virtual pendants running the built
 * firmware on the virtual air, the script's actions at their times, operator actions over the
 * centre's HTTP API. On a VirtualClock the run is pumped (clock-pump.ts); on the system clock
 * (`make demo`) it plays in real time.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerId } from '../../../common/clock';
import { VirtualClock } from '../../../common/clock';
import type { VirtualAir } from '../air';
import { pumpUntil, settleIo } from './clock-pump';
import { checkExpectations, type ExpectationResult } from './expect';
import { Api } from './api';
import type { MotionLibrary } from './motion';
import type { Scenario, ScriptStep } from './schema';
import { ScenarioWorker } from './world';

/** What the runner needs from the system under test (built by the composition root). */
export interface SystemUnderTest {
  baseUrl: string;
  /** Creates the site, the workers and an admin user; returns each worker's provisioned device. */
  setup(s: Scenario, admin: { username: string; password: string }): Promise<Map<string, { id: string; key: string }>>;
  /** Resolves once every gateway can verify frames from every provisioned device. */
  keyringsReady(devices: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RunOptions {
  clock: Clock;
  air: VirtualAir;
  motion: MotionLibrary;
  system: SystemUnderTest;
  /** Narration: one line per script step and per frame a pendant sends. */
  onLine?: (line: string) => void;
}

export interface ScenarioReport {
  name: string;
  passed: boolean;
  results: ExpectationResult[];
  frames: Record<string, string[]>;
  errors: string[];
  virtualS: number;
}

export class ScenarioRun {
  readonly workers = new Map<string, ScenarioWorker>();
  readonly errors: string[] = [];
  private timers: TimerId[] = [];
  private pending: Promise<void>[] = [];
  private startMs = 0;
  api!: Api;

  constructor(
    readonly scenario: Scenario,
    private readonly opts: RunOptions,
  ) {}

  private line(text: string): void {
    this.opts.onLine?.(`${((this.opts.clock.now() - this.startMs) / 1000).toFixed(1).padStart(7)} s  ${text}`);
  }

  /** Sets up the site and the pendants; the script starts at `play`. */
  async start(): Promise<void> {
    const admin = { username: 'scenario', password: randomBytes(12).toString('hex') };
    const devices = await this.opts.system.setup(this.scenario, admin);
    await this.opts.system.keyringsReady(devices.size);
    this.api = await Api.login(this.opts.system.baseUrl, admin.username, admin.password);
    for (const spec of this.scenario.workers) {
      const w = new ScenarioWorker(spec, devices.get(spec.id)!, { clock: this.opts.clock, air: this.opts.air, motion: this.opts.motion });
      w.onFrame = (f) => {
        if (f.type !== 'heartbeat') this.line(`${spec.name}'s pendant sends ${f.type}${f.batteryPct === null ? '' : ` (battery ${f.batteryPct} %)`}`);
      };
      this.workers.set(spec.id, w);
    }
    this.startMs = this.opts.clock.now();
    for (const w of this.workers.values()) {
      w.start();
      this.line(`${w.spec.name}'s ${w.spec.board} is on (${w.spec.idle}, battery ${w.spec.batteryPct} %)`);
    }
  }

  /** Plays the script to the scenario's end (virtual clock) or schedules it (system clock). */
  async play(): Promise<void> {
    const clock = this.opts.clock;
    for (const step of [...this.scenario.script].sort((a, b) => a.at - b.at)) {
      this.timers.push(clock.setTimeout(() => this.act(step), this.startMs + step.at * 1000 - clock.now()));
    }
    if (clock instanceof VirtualClock) {
      await pumpUntil(clock, this.startMs + this.scenario.durationS * 1000);
      await settleIo();
      await Promise.all(this.pending);
    }
  }

  private act(step: ScriptStep): void {
    const w = step.worker === undefined ? undefined : this.workers.get(step.worker);
    const who = w?.spec.name ?? '';
    try {
      switch (step.do) {
        case 'walk':
        case 'stand':
        case 'lie':
          w!.setActivity(step.do);
          this.line(`${who} ${step.do === 'walk' ? 'walks' : step.do === 'stand' ? 'stands' : 'lies still'}`);
          break;
        case 'replay':
          this.line(`${who}: recorded ${w!.replay(step.trial!)}, then stays as they ended`);
          break;
        case 'press':
          w!.press();
          this.line(`${who} presses the button`);
          break;
        case 'hold':
          w!.press((step.s ?? 2.5) * 1000);
          this.line(`${who} holds the button ${step.s ?? 2.5} s`);
          break;
        case 'taps':
          w!.taps(step.count ?? 2);
          this.line(`${who} taps the pendant ${step.count ?? 2} times`);
          break;
        case 'move':
          w!.moveTo(step.x!, step.y!, step.overS ?? 0);
          this.line(`${who} walks to (${step.x}, ${step.y})${step.overS ? ` over ${step.overS} s` : ''}`);
          break;
        case 'battery':
          w!.drainTo(step.pct!, step.overS ?? 0);
          this.line(`${who}'s battery runs to ${step.pct} %${step.overS ? ` over ${step.overS} s` : ''}`);
          break;
        case 'power_off':
          w!.powerOff();
          this.line(`${who}'s pendant switches off`);
          break;
        case 'acknowledge':
        case 'resolve':
          this.pending.push(this.operator(step, w!));
          break;
      }
    } catch (e) {
      this.errors.push(`at ${step.at} s, ${step.do}: ${(e as Error).message}`);
      this.line(`could not ${step.do}: ${(e as Error).message}`);
    }
  }

  private async operator(step: ScriptStep, w: ScenarioWorker): Promise<void> {
    try {
      const alarm = (await this.api.alarms()).find((a) => a.workerId === w.spec.id && a.type === step.type && ['pending', 'raised', 'acknowledged'].includes(a.state));
      if (!alarm) throw new Error(`no open ${step.type} alarm for ${w.spec.id}`);
      if (step.do === 'acknowledge') await this.api.acknowledge(alarm.id);
      else await this.api.resolve(alarm.id, step.comment ?? 'scenario');
      this.line(`operator ${step.do === 'acknowledge' ? 'acknowledges' : 'resolves'} ${w.spec.name}'s ${step.type} alarm #${alarm.number}`);
    } catch (e) {
      this.errors.push(`at ${step.at} s, ${step.do}: ${(e as Error).message}`);
    }
  }

  async report(): Promise<ScenarioReport> {
    const results = await checkExpectations(this.scenario, this.api, this.workers, this.startMs);
    const frames: Record<string, string[]> = {};
    for (const [id, w] of this.workers) frames[id] = w.frames.map((f) => `${((f.atMs - this.startMs) / 1000).toFixed(1)} s ${f.type}`);
    return {
      name: this.scenario.name, passed: this.errors.length === 0 && results.every((r) => r.ok), results, frames, errors: [...this.errors],
      virtualS: (this.opts.clock.now() - this.startMs) / 1000,
    };
  }

  async stop(): Promise<void> {
    for (const t of this.timers) this.opts.clock.clearTimeout(t);
    for (const w of this.workers.values()) w.stop();
    this.opts.air.stop();
    await this.opts.system.stop();
  }
}
