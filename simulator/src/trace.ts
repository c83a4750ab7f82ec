/**
 * Recorded accelerometer traces (../shared/data/falls, README there): the manifest, gzip CSV trials
 * (`t_ms,ax_g,ay_g,az_g`, 200 Hz), resampling to a board's rate, and feeding a virtual board on its
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
      peakSvmG: Number(c[idx.peakSvmG]), peakSvmMs: Number(c[idx.peakSvmMs]),
    };
  });
}

/** Samples in g at a fixed rate. */
export interface Trace {
  rateHz: number;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
}

export function readTrace(file: string): Trace {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const lines = text.trim().split('\n');
  const n = lines.length - 1;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const z = new Float32Array(n);
  let t0 = 0;
  let t1 = 0;
  for (let i = 0; i < n; i++) {
    const c = lines[i + 1]!.split(',');
    if (i === 0) t0 = Number(c[0]);
    if (i === n - 1) t1 = Number(c[0]);
    x[i] = Number(c[1]);
    y[i] = Number(c[2]);
    z[i] = Number(c[3]);
  }
  const rateHz = n > 1 ? Math.round((1000 * (n - 1)) / (t1 - t0)) : 200;
  return { rateHz, x, y, z };
}

/**
 * Resamples to `rateHz` as a sensor sampling at that rate would see it: each output sample is the
 * mean of the input over its sample period (the sensor's anti-alias filter), taken at the period's end.
 */
export function resample(trace: Trace, rateHz: number): Trace {
  const ratio = trace.rateHz / rateHz;
  const outN = Math.floor(trace.x.length / ratio);
  const out = { rateHz, x: new Float32Array(outN), y: new Float32Array(outN), z: new Float32Array(outN) };
  for (let k = 0; k < outN; k++) {
    const from = Math.floor(k * ratio);
    const to = Math.max(from + 1, Math.floor((k + 1) * ratio));
    let sx = 0;
    let sy = 0;
    let sz = 0;
    for (let i = from; i < to; i++) {
      sx += trace.x[i]!;
      sy += trace.y[i]!;
      sz += trace.z[i]!;
    }
    const m = to - from;
    out.x[k] = sx / m;
    out.y[k] = sy / m;
    out.z[k] = sz / m;
  }
  return out;
}

export function fallsDataAvailable(dir = DEFAULT_FALLS_DIR): boolean {
  return existsSync(join(dir, 'manifest.csv'));
}
