/**
 * What a scenario worker's pendant feels, one sample at a time at the board's own rate: a recorded
 * walk (looped), standing, lying still, or a recorded trial followed by its final posture held
 * with sensor noise (the still tail of docs/simulator.md). Samples are in the board's axes for
 * where it is worn (orientation.ts): a badge on the belt, a watch on the wrist.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FirmwareBoard } from '../../../firmware/tools/build';
import { mulberry32 } from '../random';
import { hashString, POSITION_ROTATIONS, type Mat3 } from '../replay/orientation';
import { prepareSamples } from '../replay/prepare';
import { readTrace, resample } from '../trace';

export type Sample = [number, number, number];

export interface MotionSource {
  readonly label: string;
  next(): Sample;
}

export function mountFor(board: FirmwareBoard): Mat3 {
  return board === 'bangle2' ? POSITION_ROTATIONS.wrist.matrix : POSITION_ROTATIONS.waist.matrix;
}

function rotate(m: Mat3, v: Sample): Sample {
  return [m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2], m[6] * v[0] + m[7] * v[1] + m[8] * v[2]];
}

function gauss(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(1e-12, rnd()))) * Math.cos(2 * Math.PI * rnd());
}

/** A posture held still: the given vector (board axes, g) plus sensor noise. */
export class Hold implements MotionSource {
  private readonly rnd: () => number;
  constructor(readonly label: string, private readonly v: Sample, seed: number, private readonly noiseG = 0.004) {
    this.rnd = mulberry32(seed);
  }
  next(): Sample {
    return [this.v[0] + this.noiseG * gauss(this.rnd), this.v[1] + this.noiseG * gauss(this.rnd), this.v[2] + this.noiseG * gauss(this.rnd)];
  }
}

/** Standing at work: upright, swaying and shifting weight (enough motion not to be "still"). */
export class Stand implements MotionSource {
  readonly label = 'stand';
  private i = 0;
  private readonly rnd: () => number;
  constructor(private readonly mount: Mat3, private readonly rateHz: number, seed: number) {
    this.rnd = mulberry32(seed);
  }
  next(): Sample {
    const t = this.i++ / this.rateHz;
    const sway = 0.08 * Math.sin(2 * Math.PI * 0.4 * t) + 0.05 * Math.sin(2 * Math.PI * 1.3 * t);
    // SisFall axes: y down, z forward, x lateral
    return rotate(this.mount, [0.03 * Math.sin(2 * Math.PI * 0.25 * t) + 0.02 * gauss(this.rnd), -1 + sway, 0.05 * Math.cos(2 * Math.PI * 0.3 * t) + 0.02 * gauss(this.rnd)]);
  }
}

/** A prepared recording played once, then its final posture held (the still tail). */
export class Recording implements MotionSource {
  private i = 0;
  private tail: Hold | undefined;
  constructor(readonly label: string, private readonly t: { x: Float32Array; y: Float32Array; z: Float32Array }, private readonly loop: boolean, private readonly seed: number) {}
  next(): Sample {
    const n = this.t.x.length;
    if (this.i >= n && this.loop) this.i = 0;
    if (this.i < n) {
      const k = this.i++;
      return [this.t.x[k]!, this.t.y[k]!, this.t.z[k]!];
    }
    if (!this.tail) {
      const w = Math.min(n, 25);
      const mean = [this.t.x, this.t.y, this.t.z].map((v) => v.subarray(n - w).reduce((s, a) => s + a, 0) / w);
      this.tail = new Hold(`${this.label} (then still)`, [mean[0]!, mean[1]!, mean[2]!], this.seed);
    }
    return this.tail.next();
  }
}

/** Synthetic walking (1.8 steps/s) for when the recordings are not available. */
export class SyntheticWalk implements MotionSource {
  readonly label = 'walk (synthetic)';
  private i = 0;
  constructor(private readonly mount: Mat3, private readonly rateHz: number) {}
  next(): Sample {
    const ph = (2 * Math.PI * 1.8 * this.i++) / this.rateHz;
    return rotate(this.mount, [0.1 * Math.sin(ph / 2), -1 - 0.3 * Math.sin(ph), 0.15 * Math.cos(ph)]);
  }
}

/** Loads recorded trials at a rate in a board's axes; the walk is SisFall SA01 D01 (walking slowly). */
export class MotionLibrary {
  constructor(readonly fallsDir: string) {}

  available(): boolean {
    return existsSync(join(this.fallsDir, 'manifest.csv'));
  }

  recording(trial: string, board: FirmwareBoard, rateHz: number, loop: boolean): Recording {
    const file = join(this.fallsDir, trial);
    if (!existsSync(file)) throw new Error(`recorded trial ${trial} not found under ${this.fallsDir}`);
    const t = prepareSamples(resample(readTrace(file), rateHz), { rateHz, rotation: mountFor(board), tailS: 0 }, trial);
    return new Recording(trial, t, loop, hashString(trial));
  }

  source(activity: 'walk' | 'stand' | 'lie', board: FirmwareBoard, rateHz: number, seed: number): MotionSource {
    const mount = mountFor(board);
    if (activity === 'stand') return new Stand(mount, rateHz, seed);
    if (activity === 'lie') return new Hold('lie (on the back, still)', rotate(mount, [0, 0, 1]), seed);
    return this.available() ? this.recording('SisFall/SA01/D01_R01.csv.gz', board, rateHz, true) : new SyntheticWalk(mount, rateHz);
  }
}
