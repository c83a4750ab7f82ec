/** A trial job as sent to a worker, its result, and the per-thread cache of prepared traces. */
import { relative } from 'node:path';
import type { FirmwareBoard } from '../../../firmware/tools/build';
import type { Candidate } from '../replay/detector';
import { trialRotation } from '../replay/orientation';
import { prepareSamples, quantise, type PreparedTrace } from '../replay/prepare';
import { readTrace, resample, type TrialRow } from '../trace';
import type { TrialOutcome } from './score';
import { impactMs, type Vec3 } from './wearer';

export type Engine = 'detector' | 'firmware';

export interface TrialJob {
  engine: Engine;
  board: FirmwareBoard;
  /** Sample rate for the detector engine; the firmware engine uses the rate the firmware sets up. */
  rateHz: number;
  /** Firmware engine: the `hz` setting written to vigil.json (absent: the board's default). */
  firmwareHz?: number;
  /** Sensor range of the detector engine's sensor model (the firmware engine: what the firmware sets). */
  rangeG: number;
  rotateSeed: number | undefined;
  /** The switch-on before the recording: the wearer's upright held this long (0: none, the detector learns from the recording). */
  switchOnS: number;
  /** The wearer's upright, recording axes (eval/wearer.ts). */
  upright: Vec3 | undefined;
  tailS: number;
  sens: number;
  weights: number[] | undefined;
  detectors: { fall: boolean; tilt: boolean; still: boolean };
  fold: number | null;
  /** Return the detector's fall events with their features (training, sweeps). */
  collect: boolean;
  manifestDir: string;
  index: number;
  row: TrialRow;
}

export interface TrialResult {
  outcome: TrialOutcome;
  candidates: Candidate[];
  /** Samples per second the trial actually ran at. */
  rateHz: number;
  /** Switch-on samples before the recording (candidates' sample numbers count them). */
  prefixSamples: number;
}

/** A trial prepared for a run: the samples, and the impact its alarm is scored against (ms of the recording). */
export interface PreparedTrial extends PreparedTrace {
  impactMs: number;
}

export function baseOutcome(job: TrialJob, t: PreparedTrial, periodMs: number): TrialOutcome {
  const r = job.row;
  return {
    index: job.index, key: relative(job.manifestDir, r.file), subject: r.subject, ageGroup: r.ageGroup, activity: r.activity,
    description: r.description, dataset: r.dataset, position: r.position, isFall: r.isFall, recovery: r.recovery, peakMs: t.impactMs,
    recordedMs: Math.round(t.recordedSamples * periodMs), tailMs: Math.round((t.x.length - t.prefixSamples - t.recordedSamples) * periodMs),
    alarmMs: null, alarmType: null, preAlarmMs: null, cancels: 0, sens: job.sens, fold: job.fold,
  };
}

// Prepared traces of the current configuration, kept across passes (folds, sweeps) in this thread.
let cacheKey = '';
const cache = new Map<string, PreparedTrial>();

/** The trial at `rateHz` in the board's axes, quantised to ±rangeG when given; cached per thread. */
export function preparedFor(job: TrialJob, rateHz: number, rangeG: number | undefined): PreparedTrial {
  const config = [rateHz, rangeG, job.rotateSeed, job.tailS, job.switchOnS].join('|');
  if (config !== cacheKey) {
    cache.clear();
    cacheKey = config;
  }
  let t = cache.get(job.row.file);
  if (!t) {
    const key = relative(job.manifestDir, job.row.file);
    const raw = readTrace(job.row.file);
    const switchOn = job.switchOnS > 0 && job.upright ? { seconds: job.switchOnS, upright: job.upright } : undefined;
    const p = prepareSamples(resample(raw, rateHz), { rateHz, rotation: trialRotation(job.row.dataset, job.rotateSeed, key), tailS: job.tailS, ...(switchOn ? { switchOn } : {}) }, key);
    if (rangeG !== undefined) for (const v of [p.x, p.y, p.z]) for (let i = 0; i < v.length; i++) v[i] = quantise(v[i]!, rangeG);
    t = { ...p, impactMs: impactMs(job.row, raw) };
    cache.set(job.row.file, t);
  }
  return t;
}
