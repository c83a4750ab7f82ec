/**
 * The scenario's people and things: one virtual pendant per worker running the built firmware,
 * fed samples at the board's own accelerometer rate from its current activity, with a battery that
 * can run down, a position on the floor plan, and a record of what the pendant showed and sent.
 */
import type { Clock, TimerId } from '../../../common/clock';
import { decodeUplink, fromHex } from '../../../protocol/src';
import type { VirtualAir } from '../air';
import { parseAdvert } from '../espruino/advert';
import { tapBangle } from '../espruino/bangle';
import { accelRateHz, feedAccel } from '../espruino/profiles';
import { tapPuck } from '../espruino/puck';
import { VirtualPendant } from '../pendant';
import { hashString } from '../replay/orientation';
import type { MotionLibrary, MotionSource } from './motion';
import type { WorkerSpec } from './schema';

export interface FrameSeen {
  atMs: number;
  type: string;
  counter: number;
  batteryPct: number | null;
}

export interface OutputSeen {
  atMs: number;
  kind: 'led' | 'buzz' | 'draw';
  what: string;
}

/** A straight line from one level to another over a time span. */
interface Ramp {
  fromMs: number;
  toMs: number;
  from: number;
  to: number;
}

export class ScenarioWorker {
  readonly pendant: VirtualPendant;
  readonly frames: FrameSeen[] = [];
  readonly outputs: OutputSeen[] = [];
  onFrame: ((f: FrameSeen) => void) | undefined;
  private motion: MotionSource;
  private feedTimer: TimerId | undefined;
  private battery: Ramp;
  private position: { x: number; y: number };
  private moveTimer: TimerId | undefined;
  private poweredOff = false;

  constructor(
    readonly spec: WorkerSpec,
    device: { id: string; key: string },
    private readonly ctx: { clock: Clock; air: VirtualAir; motion: MotionLibrary },
  ) {
    const now = ctx.clock.now();
    this.battery = { fromMs: now, toMs: now, from: spec.batteryPct, to: spec.batteryPct };
    this.position = { x: spec.x, y: spec.y };
    this.pendant = new VirtualPendant({
      board: spec.board, deviceId: device.id, key: device.key, clock: ctx.clock, air: ctx.air, position: { ...this.position }, label: spec.name,
      settings: spec.settings, batteryPct: (t) => this.batteryAt(t),
    });
    this.motion = ctx.motion.source(spec.idle, spec.board, 26, hashString(spec.id));
    const key = fromHex(device.key)!;
    let last = -1;
    const board = this.pendant.board;
    board.on('advertising', (adv) => {
      const mfr = adv ? parseAdvert(adv.bytes).manufacturerData : undefined;
      const r = mfr ? decodeUplink(mfr, () => ({ key })) : undefined;
      if (!r?.ok || r.frame.counter === last) return;
      last = r.frame.counter;
      const f = { atMs: ctx.clock.now(), type: r.frame.type, counter: r.frame.counter, batteryPct: r.frame.batteryPct };
      this.frames.push(f);
      this.onFrame?.(f);
    });
    board.on('led', (e) => this.outputs.push({ atMs: e.atMs, kind: 'led', what: `${e.name} ${e.on ? 'on' : 'off'}` }));
    board.on('buzz', (e) => this.outputs.push({ atMs: e.atMs, kind: 'buzz', what: `${e.ms} ms` }));
    board.on('draw', (e) => this.outputs.push({ atMs: e.atMs, kind: 'draw', what: e.text ?? e.op }));
  }

  start(): void {
    this.pendant.start();
    this.setActivity(this.spec.idle);
    this.feed();
  }

  /** Samples at whatever rate the firmware runs its accelerometer; none while it is off. */
  private feed(): void {
    if (this.poweredOff) return;
    const board = this.pendant.board;
    const rate = accelRateHz(board);
    if (rate > 0) {
      const [x, y, z] = this.motion.next();
      feedAccel(board, x, y, z);
    }
    this.feedTimer = this.ctx.clock.setTimeout(() => this.feed(), rate > 0 ? 1000 / rate : 500);
  }

  private rate(): number {
    return accelRateHz(this.pendant.board) || 26;
  }

  setActivity(activity: 'walk' | 'stand' | 'lie'): void {
    this.motion = this.ctx.motion.source(activity, this.spec.board, this.rate(), hashString(`${this.spec.id}:${this.ctx.clock.now()}`));
  }

  replay(trial: string): string {
    this.motion = this.ctx.motion.recording(trial, this.spec.board, this.rate(), false);
    return this.motion.label;
  }

  press(holdMs = 150): void {
    this.pendant.board.press('BTN', holdMs);
  }

  /** Taps on the pendant's face, 400 ms apart (the covert duress gesture is two). */
  taps(count: number): void {
    const board = this.pendant.board;
    for (let i = 0; i < count; i++) {
      this.ctx.clock.setTimeout(() => {
        if (this.spec.board === 'bangle2') tapBangle(board, { dir: 'front' });
        else tapPuck(board, { axis: 'z', peakG: 3 });
      }, i * 400);
    }
  }

  batteryAt(t: number): number {
    const b = this.battery;
    if (t >= b.toMs) return b.to;
    if (t <= b.fromMs) return b.from;
    return b.from + ((b.to - b.from) * (t - b.fromMs)) / (b.toMs - b.fromMs);
  }

  drainTo(pct: number, overS: number): void {
    const now = this.ctx.clock.now();
    this.battery = { fromMs: now, toMs: now + overS * 1000, from: this.batteryAt(now), to: pct };
  }

  /** Walks in a straight line to (x, y) over overS seconds (position updated every second). */
  moveTo(x: number, y: number, overS: number): void {
    this.ctx.clock.clearTimeout(this.moveTimer);
    const from = { ...this.position };
    const start = this.ctx.clock.now();
    const step = (): void => {
      const f = overS <= 0 ? 1 : Math.min(1, (this.ctx.clock.now() - start) / (overS * 1000));
      this.position = { x: from.x + (x - from.x) * f, y: from.y + (y - from.y) * f };
      this.ctx.air.move(this.pendant.board.address, { ...this.position });
      if (f < 1) this.moveTimer = this.ctx.clock.setTimeout(step, 1000);
    };
    step();
  }

  powerOff(): void {
    this.poweredOff = true;
    this.ctx.clock.clearTimeout(this.feedTimer);
    this.ctx.clock.clearTimeout(this.moveTimer);
    this.pendant.stop();
  }

  stop(): void {
    if (!this.poweredOff) this.powerOff();
  }
}
