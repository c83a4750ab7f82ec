/**
 * The evaluator (docs/detection.md): replays every trial of a manifest through an engine and scores
 * it. With `folds`, the fall model is refitted for each subject-wise fold on the other folds'
 * subjects only and each trial is scored with the weights of the fold that did not see its subject:
 *   1. detector pass over every trial, collecting the fall events and their features;
 *   2. per fold, fit the weights on the training subjects' events (train.ts);
 *   3. test pass: each trial with its fold's weights, through the chosen engine.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { VirtualClock } from '../../../common/clock';
import { type FirmwareBoard, loadDist } from '../../../firmware/tools/build';
import { accelRateHz, accelState } from '../espruino/profiles';
import type { Position } from '../replay/orientation';
import { readManifest, type TrialRow } from '../trace';
import { bootEvalBoard, firmwareCode, pinFirmware } from './firmware-run';
import type { Engine, TrialJob, TrialResult } from './job';
import { TrialPool } from './pool';
import { metrics, type Metrics, type TrialOutcome } from './score';
import { fitLogistic as fitExact, labelCandidates, subjectFolds } from './train';

/** Weights as detect.js holds them (4 decimals), so both engines use the same numbers. */
const fitLogistic = (rows: Parameters<typeof fitExact>[0]): number[] => fitExact(rows).map((w) => Math.round(w * 1e4) / 1e4);

export interface EvalOptions {
  manifest: string;
  engine: Engine;
  board: FirmwareBoard;
  /** Detector engine: the sample rate. Firmware engine: the `hz` setting (the firmware must run at it). */
  rateHz?: number;
  /** Detector engine's sensor range. */
  rangeG?: number;
  position: Position;
  rotateSeed?: number;
  tailS: number;
  sens: number;
  folds?: number;
  subjects?: string[];
  detectors: { fall: boolean; tilt: boolean; still: boolean };
  workers: number;
  /** Also score sensitivity settings 1..5 (detector engine, fold weights when folds are used). */
  sweep: boolean;
  /** Fit the weights on every selected subject and return them (for detect.js). */
  train: boolean;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface SweepPoint {
  sens: number;
  sensitivity: number | null;
  specificity: number | null;
  falseAlarmsPerHour: number | null;
}

export interface EvalResult {
  manifest: string;
  engine: Engine;
  board: FirmwareBoard;
  rateHz: number;
  rangeG: number;
  position: Position;
  rotateSeed: number | null;
  tailS: number;
  sens: number;
  folds: number | null;
  subjects: string[];
  /** SHA-256 of firmware/dist/<board>.js as run (firmware engine). */
  firmwareSha256: string | null;
  metrics: Metrics;
  outcomes: TrialOutcome[];
  foldWeights: number[][] | null;
  trainedWeights: number[] | null;
  sweep: SweepPoint[] | null;
  runtimeMs: number;
}

export const DEFAULT_DETECTOR_RATE_HZ = 26;
export const DEFAULT_RANGE_G = 8;

/** The rate and range the firmware sets up on this board (booted once with the evaluator's settings). */
export function firmwareSensor(board: FirmwareBoard, firmwareHz?: number): { rateHz: number; rangeG: number } {
  const probe = { board, sens: 3, detectors: { fall: true, tilt: false, still: false }, weights: undefined, row: { file: 'probe' }, ...(firmwareHz === undefined ? {} : { firmwareHz }) } as unknown as TrialJob;
  const { board: b } = bootEvalBoard(probe, new VirtualClock());
  try {
    if (b.errors.length > 0) throw new Error(`the ${board} firmware failed to boot: ${b.errors[0]!.message}`);
    return { rateHz: accelRateHz(b), rangeG: accelState(b).rangeG };
  } finally {
    b.shutdown();
  }
}

export async function evaluate(opts: EvalOptions): Promise<EvalResult> {
  const started = Date.now();
  const manifest = resolve(opts.manifest);
  const all = readManifest(manifest);
  const rows = opts.subjects && opts.subjects.length > 0 ? all.filter((r) => opts.subjects!.includes(r.subject)) : all;
  if (rows.length === 0) throw new Error(`no trials selected from ${manifest}`);
  // One firmware build for the whole run (rebuilt first when stale), its hash in the result.
  const firmware = opts.engine === 'firmware' ? { board: opts.board, code: loadDist(opts.board) } : undefined;
  if (firmware) {
    pinFirmware(firmware.board, firmware.code);
    firmwareCode(opts.board, [0]); // fails early when the build lacks detect.js's model
  }
  const sensor = opts.engine === 'firmware' ? firmwareSensor(opts.board, opts.rateHz) : { rateHz: opts.rateHz ?? DEFAULT_DETECTOR_RATE_HZ, rangeG: opts.rangeG ?? DEFAULT_RANGE_G };
  if (opts.engine === 'firmware' && sensor.rateHz === 0) throw new Error(`the ${opts.board} firmware does not switch its accelerometer on`);
  if (opts.engine === 'firmware' && opts.rateHz !== undefined && opts.rateHz !== sensor.rateHz) {
    throw new Error(`the ${opts.board} firmware samples at ${sensor.rateHz} Hz with hz=${opts.rateHz} in vigil.json (docs/firmware.md lists the rates it supports)`);
  }
  const pool = new TrialPool(opts.workers);
  try {
    const job = (row: TrialRow, index: number, over: Partial<TrialJob>): TrialJob => ({
      engine: opts.engine, board: opts.board, rateHz: sensor.rateHz, rangeG: sensor.rangeG, position: opts.position, rotateSeed: opts.rotateSeed,
      tailS: opts.tailS, sens: opts.sens, weights: undefined, detectors: opts.detectors, fold: null, collect: false,
      ...(opts.engine === 'firmware' && opts.rateHz !== undefined ? { firmwareHz: opts.rateHz } : {}),
      manifestDir: dirname(manifest), index, row, ...over,
    });
    const progress = (phase: string) => (d: number, t: number) => opts.onProgress?.(phase, d, t);
    const subjects = [...new Set(rows.map((r) => r.subject))].sort();

    let foldOf: Map<string, number> | null = null;
    let foldWeights: number[][] | null = null;
    let trainedWeights: number[] | null = null;
    if ((opts.folds ?? 1) > 1 || opts.train) {
      const collected = await pool.run(rows.map((r, i) => job(r, i, { engine: 'detector', collect: true, sens: 3 })), progress('events'));
      const labelled = collected.flatMap((res, i) => labelCandidates(res.candidates, { subject: rows[i]!.subject, isFall: rows[i]!.isFall, peakMs: rows[i]!.peakSvmMs }, 1000 / res.rateHz));
      if (opts.train) trainedWeights = fitLogistic(labelled);
      if ((opts.folds ?? 1) > 1) {
        const k = opts.folds!;
        if (k > subjects.length) throw new Error(`--folds ${k}: only ${subjects.length} subjects`);
        foldOf = subjectFolds(rows.map((r) => ({ subject: r.subject, ageGroup: r.ageGroup })), k);
        foldWeights = [];
        for (let f = 0; f < k; f++) foldWeights.push(fitLogistic(labelled.filter((c) => foldOf!.get(c.subject) !== f)));
      }
    }
    const foldJob = (r: TrialRow, i: number, over: Partial<TrialJob>): TrialJob => {
      const fold = foldOf ? foldOf.get(r.subject)! : null;
      return job(r, i, { fold, weights: fold === null ? undefined : foldWeights![fold], ...over });
    };
    const results: TrialResult[] = await pool.run(rows.map((r, i) => foldJob(r, i, {})), progress(opts.engine === 'firmware' ? 'firmware' : 'trials'), firmware ? { firmware } : {});
    const outcomes = results.map((r) => r.outcome);

    let sweep: SweepPoint[] | null = null;
    if (opts.sweep) {
      sweep = [];
      for (let s = 1; s <= 5; s++) {
        const res = await pool.run(rows.map((r, i) => foldJob(r, i, { engine: 'detector', sens: s })), progress(`sens ${s}`));
        const m = metrics(res.map((x) => x.outcome));
        sweep.push({ sens: s, sensitivity: m.sensitivity, specificity: m.specificity, falseAlarmsPerHour: m.falseAlarmsPerHour });
      }
    }
    return {
      manifest, engine: opts.engine, board: opts.board, rateHz: sensor.rateHz, rangeG: sensor.rangeG, position: opts.position,
      rotateSeed: opts.rotateSeed ?? null, tailS: opts.tailS, sens: opts.sens, folds: opts.folds && opts.folds > 1 ? opts.folds : null, subjects,
      firmwareSha256: firmware ? createHash('sha256').update(firmware.code).digest('hex') : null,
      metrics: metrics(outcomes), outcomes, foldWeights, trainedWeights, sweep, runtimeMs: Date.now() - started,
    };
  } finally {
    await pool.close();
  }
}
