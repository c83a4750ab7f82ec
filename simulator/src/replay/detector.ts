/**
 * The detector file that ships in the firmware (firmware/src/lib/detect.js), loaded on its own into
 * a sandbox. The evaluator's fast engine and the trainer run it directly on prepared traces; the
 * firmware engine runs the same file inside the built firmware.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { SRC_DIR } from '../../../firmware/tools/build';

export const DETECT_SOURCE = join(SRC_DIR, 'lib', 'detect.js');

/** Event codes returned by VDetect.step (docs/detection.md). */
export const DETECT_EVENTS = { 1: 'fall', 2: 'man_down', 3: 'no_motion', 4: 'upright_again', 5: 'moving_again' } as const;
export type DetectEventCode = keyof typeof DETECT_EVENTS;

export interface DetectConfig {
  hz: number;
  sens?: number;
  fall?: boolean;
  tilt?: boolean;
  still?: boolean;
  tiltDeg?: number;
  tiltS?: number;
  recoverS?: number;
  stillS?: number;
  stillG?: number;
  /** Model weights overriding the built-in ones (the trainer's folds). */
  w?: number[];
}

export interface DetectState {
  /** Fall events completed so far (decided either way). */
  nc: number;
  /** Features of the last completed fall event. */
  f: Float32Array;
  /** Logit of the last completed fall event. */
  z: number;
}

export interface VDetectApi {
  create(cfg: DetectConfig): DetectState;
  step(st: DetectState, x: number, y: number, z: number): number;
  upright(st: DetectState): void;
  reset(st: DetectState): void;
  /** Number of model features. */
  NF: number;
}

/** Loads detect.js into a fresh sandbox (Espruino-like globals only: Math and typed arrays). */
export function loadDetector(source = readFileSync(DETECT_SOURCE, 'utf8')): VDetectApi {
  const ctx = vm.createContext({ Math, Float32Array, Int16Array, Uint8Array });
  return vm.runInContext(`${source}\n;VDetect`, ctx, { filename: 'detect.js' }) as VDetectApi;
}

export interface DetectorEvent {
  sample: number;
  code: number;
}

export interface Candidate {
  sample: number;
  features: number[];
  logit: number;
}

export interface DetectorRun {
  events: DetectorEvent[];
  candidates: Candidate[];
}

/** Runs the detector over samples already in the board's axes and units (g). */
export function runDetector(api: VDetectApi, cfg: DetectConfig, x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>, until = x.length): DetectorRun {
  const st = api.create(cfg);
  const events: DetectorEvent[] = [];
  const candidates: Candidate[] = [];
  let nc = 0;
  for (let i = 0; i < until; i++) {
    const code = api.step(st, x[i]!, y[i]!, z[i]!);
    if (code !== 0) events.push({ sample: i, code });
    if (st.nc !== nc) {
      nc = st.nc;
      candidates.push({ sample: i, features: Array.from(st.f), logit: st.z });
    }
  }
  return { events, candidates };
}
