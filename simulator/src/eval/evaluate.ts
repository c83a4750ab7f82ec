/**
 * The evaluator (docs/detection.md): replays every trial of a manifest through an engine and scores
 * it, each data set and position on its own (score.ts). With `folds` (subject-wise) or
 * `leaveOneLabOut` (one fold per data set: fitted on the other labs, tested on this one), the fall
 * model is refitted for each fold on the other folds' trials only, and each trial is scored with
 * the weights of the fold that did not see it:
 *   1. detector pass over every trial, collecting the fall events and their features;
 *   2. per fold, fit the weights on the training subjects' events (train.ts);
 *   3. test pass: each trial with its fold's weights, through the chosen engine.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { VirtualClock } from '../../../common/clock';
import { type FirmwareBoard, loadDist } from '../../../firmware/tools/build';
import { accelRateHz, accelState } from '../espruino/profiles';
import { readManifest, type TrialRow } from '../trace';
import { bootEvalBoard, firmwareCode, pinFirmware } from './firmware-run';
import type { Engine, TrialJob, TrialResult } from './job';
import { TrialPool } from './pool';
import { metrics, setOf, type Metrics, type TrialOutcome } from './score';
import { balancedWeights, fitLogistic as fitExact, labelCandidates, subjectFolds, type LabelledCandidate } from './train';
import { wearerKey, wearerUprights, type Vec3 } from './wearer';

/** Weights as detect.js holds them (4 decimals), so both engines use the same numbers. */
const fitLogistic = (rows: readonly LabelledCandidate[]): number[] => fitExact(rows, undefined, undefined, balancedWeights(rows)).map((w) => Math.round(w * 1e4) / 1e4);

/** A subject's key across labs (two labs both have an 'S01'). */
export const subjectKey = (r: Pick<TrialRow, 'dataset' | 'subject'>): string => `${r.dataset}/${r.subject}`;

/** Seconds of the switch-on before each trial by default (replay/prepare.ts). */
export const DEFAULT_SWITCH_ON_S = 3;

export interface EvalOptions {
  manifest: string;
  engine: Engine;
  board: FirmwareBoard;
  /** Detector engine: the sample rate. Firmware engine: the `hz` setting (the firmware must run at it). */
  rateHz?: number;
  /** Detector engine's sensor range. */
  rangeG?: number;
  rotateSeed?: number;
  tailS: number;
  /** Seconds the wearer stands upright before each trial (the switch-on); 0: none. */
  switchOnS: number;
  sens: number;
  folds?: number;
  /** One fold per data set: fitted on the other labs' trials, tested on this lab's. */
  leaveOneLabOut?: boolean;
  /** 'SA01' (any data set) or 'FallAllD/S01'. */
  subjects?: string[];
  datasets?: string[];
  positions?: string[];
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
  sets: Record<string, { sensitivity: number | null; specificity: number | null; falseAlarmsPerHour: number | null }>;
}

export interface EvalResult {
  manifest: string;
  engine: Engine;
  board: FirmwareBoard;
  rateHz: number;
  rangeG: number;
  rotateSeed: number | null;
  tailS: number;
  switchOnS: number;
  sens: number;
  folds: number | null;
  leaveOneLabOut: boolean;
  /** What fold i was fitted without (subject-wise: 'fold i'; leave-one-lab-out: the data set). */
  foldNames: string[] | null;
  /** Data set/subject keys. */
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

/** The trials an evaluation selects: by data set, position and subject. */
export function selectRows(all: readonly TrialRow[], opts: Pick<EvalOptions, 'subjects' | 'datasets' | 'positions'>): TrialRow[] {
  const has = (list: string[] | undefined, v: string): boolean => !list || list.length === 0 || list.includes(v);
  return all.filter((r) => has(opts.datasets, r.dataset) && has(opts.positions, r.position) && (!opts.subjects || opts.subjects.length === 0 || opts.subjects.includes(r.subject) || opts.subjects.includes(subjectKey(r))));
}

/** Fold of each subject key, and what each fold was fitted without. */
function foldsFor(rows: readonly TrialRow[], opts: EvalOptions): { foldOf: Map<string, number>; names: string[] } | null {
  if (opts.leaveOneLabOut) {
    if (opts.folds !== undefined && opts.folds > 1) throw new Error('--folds and --leave-one-lab-out are two ways of validating: choose one');
    const labs = [...new Set(rows.map((r) => r.dataset))].sort();
    if (labs.length < 2) throw new Error(`--leave-one-lab-out needs trials of two data sets or more; selected: ${labs.join(', ')}`);
    return { foldOf: new Map(rows.map((r) => [subjectKey(r), labs.indexOf(r.dataset)])), names: labs };
  }
  if ((opts.folds ?? 1) <= 1) return null;
  const k = opts.folds!;
  const n = new Set(rows.map(subjectKey)).size;
  if (k > n) throw new Error(`--folds ${k}: only ${n} subjects`);
  return { foldOf: subjectFolds(rows.map((r) => ({ subject: subjectKey(r), dataset: r.dataset, ageGroup: r.ageGroup })), k), names: Array.from({ length: k }, (_, i) => `fold ${i}`) };
}

export async function evaluate(opts: EvalOptions): Promise<EvalResult> {
  const started = Date.now();
  const manifest = resolve(opts.manifest);
  const all = readManifest(manifest);
  const rows = selectRows(all, opts);
  if (rows.length === 0) throw new Error(`no trials selected from ${manifest}`);
  const wearers = new Set(rows.map(wearerKey));
  const uprights = opts.switchOnS > 0 ? wearerUprights(all.filter((r) => wearers.has(wearerKey(r)))) : new Map<string, Vec3>();
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
  const folds = foldsFor(rows, opts);
  const pool = new TrialPool(opts.workers);
  try {
    const job = (row: TrialRow, index: number, over: Partial<TrialJob>): TrialJob => ({
      engine: opts.engine, board: opts.board, rateHz: sensor.rateHz, rangeG: sensor.rangeG, rotateSeed: opts.rotateSeed,
      tailS: opts.tailS, switchOnS: opts.switchOnS, upright: uprights.get(wearerKey(row)), sens: opts.sens, weights: undefined, detectors: opts.detectors, fold: null, collect: false,
      ...(opts.engine === 'firmware' && opts.rateHz !== undefined ? { firmwareHz: opts.rateHz } : {}),
      manifestDir: dirname(manifest), index, row, ...over,
    });
    const progress = (phase: string) => (d: number, t: number) => opts.onProgress?.(phase, d, t);
    const subjects = [...new Set(rows.map(subjectKey))].sort();

    let foldWeights: number[][] | null = null;
    let trainedWeights: number[] | null = null;
    if (folds || opts.train) {
      const collected = await pool.run(rows.map((r, i) => job(r, i, { engine: 'detector', collect: true, sens: 3 })), progress('events'));
      const labelled = collected.flatMap((res, i) => {
        const r = rows[i]!;
        const ms = 1000 / res.rateHz;
        return labelCandidates(res.candidates, { subject: subjectKey(r), set: setOf(r), isFall: r.isFall, recovery: r.recovery, peakMs: res.outcome.peakMs }, ms, res.prefixSamples * ms);
      });
      if (opts.train) trainedWeights = fitLogistic(labelled);
      if (folds) {
        foldWeights = folds.names.map((_, f) => fitLogistic(labelled.filter((c) => folds.foldOf.get(c.subject) !== f)));
      }
    }
    const foldJob = (r: TrialRow, i: number, over: Partial<TrialJob>): TrialJob => {
      const fold = folds ? folds.foldOf.get(subjectKey(r))! : null;
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
        sweep.push({ sens: s, sets: Object.fromEntries(Object.entries(m.sets).map(([k, v]) => [k, { sensitivity: v.sensitivity, specificity: v.specificity, falseAlarmsPerHour: v.falseAlarmsPerHour }])) });
      }
    }
    return {
      manifest, engine: opts.engine, board: opts.board, rateHz: sensor.rateHz, rangeG: sensor.rangeG,
      rotateSeed: opts.rotateSeed ?? null, tailS: opts.tailS, switchOnS: opts.switchOnS, sens: opts.sens,
      folds: folds && !opts.leaveOneLabOut ? folds.names.length : null, leaveOneLabOut: opts.leaveOneLabOut === true, foldNames: folds ? folds.names : null, subjects,
      firmwareSha256: firmware ? createHash('sha256').update(firmware.code).digest('hex') : null,
      metrics: metrics(outcomes), outcomes, foldWeights, trainedWeights, sweep, runtimeMs: Date.now() - started,
    };
  } finally {
    await pool.close();
  }
}
