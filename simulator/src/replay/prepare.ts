/**
 * A recorded trial made ready for a board: resampled to the board's rate (trace.ts), rotated into
 * the board's axes for where it is worn (orientation.ts), and extended by a still tail.
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
  /** Samples that come from the recording; the rest is the still tail. */
  recordedSamples: number;
}

export interface PrepareOptions {
  rateHz: number;
  rotation: Mat3;
  tailS: number;
}

export function prepareTrial(row: TrialRow, opts: PrepareOptions): PreparedTrace {
  return prepareSamples(resample(readTrace(row.file), opts.rateHz), opts, row.file);
}

export function prepareSamples(t: { rateHz: number; x: Float32Array; y: Float32Array; z: Float32Array }, opts: PrepareOptions, seedKey: string): PreparedTrace {
  const n = t.x.length;
  const tail = Math.max(0, Math.round(opts.tailS * t.rateHz));
  const x = new Float32Array(n + tail);
  const y = new Float32Array(n + tail);
  const z = new Float32Array(n + tail);
  const m = opts.rotation;
  for (let i = 0; i < n; i++) {
    const a = t.x[i]!;
    const b = t.y[i]!;
    const c = t.z[i]!;
    x[i] = m[0] * a + m[1] * b + m[2] * c;
    y[i] = m[3] * a + m[4] * b + m[5] * c;
    z[i] = m[6] * a + m[7] * b + m[8] * c;
  }
  if (tail > 0 && n > 0) {
    const w = Math.min(n, Math.max(1, Math.round(t.rateHz)));
    const axes = [x, y, z];
    const mean = axes.map((v) => avg(v, n - w, n));
    const sd = axes.map((v, i) => Math.min(0.02, Math.max(0.002, Math.sqrt(variance(v, mean[i]!, n - w, n)))));
    const gauss = gaussian(hashString(seedKey) ^ 0x5eed);
    for (let k = n; k < n + tail; k++) for (let i = 0; i < 3; i++) axes[i]![k] = mean[i]! + sd[i]! * gauss();
  }
  return { rateHz: t.rateHz, x, y, z, recordedSamples: n };
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
