/**
 * Recorded accelerometer traces (../shared/data/falls, README there): the manifest, gzip CSV trials
 * (`t_ms,ax_g,ay_g,az_g`: SisFall 200 Hz, FallAllD 119 Hz, UMAFall ~20 Hz irregular), resampling to a board's rate, and feeding a virtual board on its
 * clock.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_FALLS_DIR = resolve(REPO_ROOT, '..', 'shared', 'data', 'falls');

export interface TrialRow {
  dataset: string;
  /** Absolute path of the trial file. */
  file: string;
  subject: string;
  ageGroup: string;
  activity: string;
  description: string;
  isFall: boolean;
  rateHz: number;
  durationS: number;
  position: string;
  trial: number;
  nSamples: number;
  age: number;
  peakSvmG: number;
  peakSvmMs: number;
  /**
   * A fall after which the wearer gets up again (FallAllD's "with recovery" falls, falls README):
   * the description says so, as the manifest has no column for it.
   */
  recovery: boolean;
}

/** Reads a manifest; file paths are resolved relative to the manifest's folder. */
export function readManifest(manifestPath: string): TrialRow[] {
  const text = readFileSync(manifestPath, 'utf8').trim();
  const [header, ...lines] = text.split(/\r?\n/);
  const cols = header!.split(',');
  const at = (name: string): number => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`${manifestPath}: column '${name}' missing`);
    return i;
  };
  const idx = {
    dataset: at('dataset'), file: at('file'), subject: at('subject'), ageGroup: at('age_group'), activity: at('activity'),
    description: at('activity_description'), isFall: at('is_fall'), rateHz: at('rate_hz'), durationS: at('duration_s'), position: at('position'),
    trial: at('trial'), nSamples: at('n_samples'), age: at('age'), peakSvmG: at('peak_svm_g'), peakSvmMs: at('peak_svm_ms'),
  };
  const base = dirname(manifestPath);
  return lines.filter((l) => l.trim() !== '').map((l) => {
    const c = l.split(',');
    return {
      dataset: c[idx.dataset]!, file: join(base, c[idx.file]!), subject: c[idx.subject]!, ageGroup: c[idx.ageGroup]!, activity: c[idx.activity]!,
      description: c[idx.description]!, isFall: c[idx.isFall] === '1', rateHz: Number(c[idx.rateHz]), durationS: Number(c[idx.durationS]),
      position: c[idx.position]!, trial: Number(c[idx.trial]), nSamples: Number(c[idx.nSamples]), age: Number(c[idx.age]),
      peakSvmG: Number(c[idx.peakSvmG]), peakSvmMs: Number(c[idx.peakSvmMs]), recovery: c[idx.isFall] === '1' && /recovery/i.test(c[idx.description]!),
    };
  });
}

/** Samples in g; `tMs` (ms from the first sample) when the recording has its own time stamps. */
export interface Trace {
  rateHz: number;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  /** Time of each sample; absent: uniform at rateHz. UMAFall's are irregular (BLE bursts). */
  tMs?: Float64Array;
}

/** A recorded trial with its time stamps; `rateHz` is the mean rate (nominal for uniform recordings). */
export function readTrace(file: string): Trace {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const lines = text.trim().split('\n');
  const n = lines.length - 1;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const z = new Float32Array(n);
  const tMs = new Float64Array(n);
  let t0 = 0;
  for (let i = 0; i < n; i++) {
    const c = lines[i + 1]!.split(',');
    if (i === 0) t0 = Number(c[0]);
    tMs[i] = Number(c[0]) - t0;
    x[i] = Number(c[1]);
    y[i] = Number(c[2]);
    z[i] = Number(c[3]);
  }
  const rateHz = n > 1 ? Math.round((1000 * (n - 1)) / tMs[n - 1]!) : 200;
  return { rateHz, x, y, z, tMs };
}

/**
 * Resamples onto a uniform grid at `rateHz` as a sensor sampling at that rate would see it: each
 * output sample is the mean of the signal over its sample period (the sensor's anti-alias filter),
 * taken at the period's end. The signal between two recorded samples is a straight line at the
 * samples' own times, so irregular recordings (UMAFall's phone receive times) land on the grid by
 * time, and a recording slower than `rateHz` is interpolated rather than repeated.
 */
export function resample(trace: Trace, rateHz: number): Trace {
  const n = trace.x.length;
  const t = trace.tMs ?? Float64Array.from({ length: n }, (_, i) => (1000 * i) / trace.rateHz);
  const periodMs = 1000 / rateHz;
  const outN = n > 1 ? Math.floor(t[n - 1]! / periodMs) : 0;
  const out = { rateHz, x: new Float32Array(outN), y: new Float32Array(outN), z: new Float32Array(outN) };
  const axes = [[trace.x, out.x], [trace.y, out.y], [trace.z, out.z]] as const;
  for (const [v, o] of axes) {
    // Integral of the piecewise-linear signal from t[0] to `to`; seg and acc advance monotonically.
    let seg = 0;
    let acc = 0;
    const integral = (to: number): number => {
      while (seg < n - 2 && t[seg + 1]! <= to) {
        acc += ((t[seg + 1]! - t[seg]!) * (v[seg]! + v[seg + 1]!)) / 2;
        seg++;
      }
      const dt = t[seg + 1]! - t[seg]!;
      const u = dt > 0 ? Math.min(1, Math.max(0, (to - t[seg]!) / dt)) : 1;
      const at = v[seg]! + u * (v[seg + 1]! - v[seg]!);
      return acc + ((to - t[seg]!) * (v[seg]! + at)) / 2;
    };
    let prev = integral(0);
    for (let k = 0; k < outN; k++) {
      const next = integral((k + 1) * periodMs);
      o[k] = (next - prev) / periodMs;
      prev = next;
    }
  }
  return out;
}

export function fallsDataAvailable(dir = DEFAULT_FALLS_DIR): boolean {
  return existsSync(join(dir, 'manifest.csv'));
}
