/** A trial job as sent to a worker, its result, and the per-thread cache of prepared traces. */
import { relative } from 'node:path';
import type { FirmwareBoard } from '../../../firmware/tools/build';
import type { Candidate } from '../replay/detector';
import { trialRotation, type Position } from '../replay/orientation';
import { prepareTrial, quantise, type PreparedTrace } from '../replay/prepare';
import type { TrialRow } from '../trace';
import type { TrialOutcome } from './score';

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
  position: Position;
  rotateSeed: number | undefined;
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
}

export function baseOutcome(job: TrialJob, recordedMs: number, tailMs: number): TrialOutcome {
  const r = job.row;
  return {
    index: job.index, key: relative(job.manifestDir, r.file), subject: r.subject, ageGroup: r.ageGroup, activity: r.activity,
    description: r.description, dataset: r.dataset, position: job.position, isFall: r.isFall, peakMs: r.peakSvmMs,
    recordedMs, tailMs, alarmMs: null, alarmType: null, preAlarmMs: null, cancels: 0, sens: job.sens, fold: job.fold,
  };
}

// Prepared traces of the current configuration, kept across passes (folds, sweeps) in this thread.
let cacheKey = '';
const cache = new Map<string, PreparedTrace>();

/** The trial at `rateHz` in the board's axes, quantised to ±rangeG when given; cached per thread. */
export function preparedFor(job: TrialJob, rateHz: number, rangeG: number | undefined): PreparedTrace {
  const config = [rateHz, rangeG, job.position, job.rotateSeed, job.tailS].join('|');
  if (config !== cacheKey) {
    cache.clear();
    cacheKey = config;
  }
  let t = cache.get(job.row.file);
  if (!t) {
    const rot = trialRotation(job.position, job.rotateSeed, relative(job.manifestDir, job.row.file));
    t = prepareTrial(job.row, { rateHz, rotation: rot, tailS: job.tailS });
    if (rangeG !== undefined) for (const v of [t.x, t.y, t.z]) for (let i = 0; i < v.length; i++) v[i] = quantise(v[i]!, rangeG);
    cache.set(job.row.file, t);
  }
  return t;
}
