/**
 * A recorded trial made ready for a board: resampled to the board's rate (trace.ts), rotated into
 * the board's axes (orientation.ts), preceded by the switch-on (optional) and extended by a still
 * tail.
 *
 * The switch-on: the firmware learns "upright" 2 s after protection is switched on (detect.js), and
 * a worker switches it on standing. Many trials start sitting or lying (turning in bed, getting up),
 * so learning upright from their first seconds would take lying for upright. The switch-on holds
 * the wearer's own upright (their walking posture, eval/wearer.ts) for a few seconds, then the
 * posture the recording starts in (the mean of its first half second) for SETTLE_S, as a wearer who
 * switched on standing and then sat or lay down would; both with sensor noise. The settling lasts
 * longer than the detector's posture memory (4 s), so an event early in a recording sees the
 * posture the wearer was really in before it, not the switch-on.
 *
 * The still tail: SisFall trials end 6–10 s after the impact, while a detector and the firmware's
 * pre-alarm need longer. The tail holds the final posture (the mean of the last second) with
 * Gaussian noise of the last second's own spread (clamped to 2–20 mg per axis), from a seed derived
 * from the trial's file name, so every run is identical. Reports say how long the tail was.
 */
import { mulberry32 } from '../random';
import { readTrace, resample, type TrialRow } from '../trace';
import { hashString, type Mat3 } from './orientation';

export interface PreparedTrace {
  rateHz: number;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  /** The switch-on samples before the recording (0 without one). */
  prefixSamples: number;
  /** Samples that come from the recording, after the prefix; the rest is the still tail. */
  recordedSamples: number;
}

export interface PrepareOptions {
  rateHz: number;
  rotation: Mat3;
  tailS: number;
  /** The switch-on: the wearer's upright (unit vector, recording axes) held this long, then SETTLE_S of the recording's first posture. */
  switchOn?: { seconds: number; upright: readonly [number, number, number] };
}

export function prepareTrial(row: TrialRow, opts: PrepareOptions): PreparedTrace {
  return prepareSamples(resample(readTrace(row.file), opts.rateHz), opts, row.file);
}

/** Sensor noise of the switch-on's standing still (per axis, g). */
const SWITCH_ON_NOISE_G = 0.004;
/** Seconds the switch-on then holds the posture the recording starts in. */
export const SETTLE_S = 5;

export function prepareSamples(t: { rateHz: number; x: Float32Array; y: Float32Array; z: Float32Array }, opts: PrepareOptions, seedKey: string): PreparedTrace {
  const n = t.x.length;
  const up = opts.switchOn && n > 0 ? Math.max(0, Math.round(opts.switchOn.seconds * t.rateHz)) : 0;
  const pre = up > 0 ? up + Math.round(SETTLE_S * t.rateHz) : 0;
  const tail = Math.max(0, Math.round(opts.tailS * t.rateHz));
  const x = new Float32Array(pre + n + tail);
  const y = new Float32Array(pre + n + tail);
  const z = new Float32Array(pre + n + tail);
  const m = opts.rotation;
  const put = (k: number, a: number, b: number, c: number): void => {
    x[k] = m[0] * a + m[1] * b + m[2] * c;
    y[k] = m[3] * a + m[4] * b + m[5] * c;
    z[k] = m[6] * a + m[7] * b + m[8] * c;
  };
  if (pre > 0) {
    const u = opts.switchOn!.upright;
    const w = Math.min(n, Math.max(1, Math.round(t.rateHz / 2)));
    const first = [avg(t.x, 0, w), avg(t.y, 0, w), avg(t.z, 0, w)];
    const gauss = gaussian(hashString(seedKey) ^ 0x0a11);
    for (let k = 0; k < pre; k++) {
      const v = k < up ? u : first;
      put(k, v[0] + SWITCH_ON_NOISE_G * gauss(), v[1] + SWITCH_ON_NOISE_G * gauss(), v[2] + SWITCH_ON_NOISE_G * gauss());
    }
  }
  for (let i = 0; i < n; i++) put(pre + i, t.x[i]!, t.y[i]!, t.z[i]!);
  const end = pre + n;
  if (tail > 0 && n > 0) {
    const w = Math.min(n, Math.max(1, Math.round(t.rateHz)));
    const axes = [x, y, z];
    const mean = axes.map((v) => avg(v, end - w, end));
    const sd = axes.map((v, i) => Math.min(0.02, Math.max(0.002, Math.sqrt(variance(v, mean[i]!, end - w, end)))));
    const gauss = gaussian(hashString(seedKey) ^ 0x5eed);
    for (let k = end; k < end + tail; k++) for (let i = 0; i < 3; i++) axes[i]![k] = mean[i]! + sd[i]! * gauss();
  }
  return { rateHz: t.rateHz, x, y, z, prefixSamples: pre, recordedSamples: n };
}

function avg(v: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i]!;
  return s / Math.max(1, to - from);
}

function variance(v: Float32Array, mean: number, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (v[i]! - mean) ** 2;
  return s / Math.max(1, to - from);
}

function gaussian(seed: number): () => number {
  const rnd = mulberry32(seed >>> 0);
  return () => Math.sqrt(-2 * Math.log(Math.max(1e-12, rnd()))) * Math.cos(2 * Math.PI * rnd());
}

/**
 * What a 16-bit accelerometer at ±rangeG reports, back in g: rounded to counts and clipped per axis
 * (the stand-in does the same in feedAccel; the detector-only engine uses this).
 */
export function quantise(v: number, rangeG: number): number {
  const perG = 32768 / rangeG;
  return Math.max(-32768, Math.min(32767, Math.round(v * perG))) / perG;
}
