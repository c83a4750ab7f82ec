/**
 * One trial through one engine. `detector`: detect.js alone on the prepared samples (fast; used for
 * training, sweeps and development). `firmware`: the built firmware for a board in the Espruino
 * stand-in on a virtual clock, observed only through the frames it puts on air (firmware-run.ts).
 */
import { loadDetector, runDetector, type VDetectApi } from '../replay/detector';
import { runFirmwareTrial } from './firmware-run';
import { baseOutcome, preparedFor, type TrialJob, type TrialResult } from './job';

export type { Engine, TrialJob, TrialResult } from './job';

let detectorApi: VDetectApi | undefined;

export function runTrial(job: TrialJob): TrialResult {
  return job.engine === 'detector' ? detectorTrial(job) : firmwareTrial(job);
}

const ALARM_CODES: Record<number, { type: string; enabled: (d: TrialJob['detectors']) => boolean }> = {
  1: { type: 'fall', enabled: (d) => d.fall },
  2: { type: 'man_down', enabled: (d) => d.tilt },
  3: { type: 'no_motion', enabled: (d) => d.still },
};

function detectorTrial(job: TrialJob): TrialResult {
  detectorApi ??= loadDetector();
  const t = preparedFor(job, job.rateHz, job.rangeG);
  const cfg = { hz: job.rateHz, sens: job.sens, ...job.detectors, ...(job.weights ? { w: job.weights } : {}) };
  const run = runDetector(detectorApi, cfg, t.x, t.y, t.z);
  const msPerSample = 1000 / job.rateHz;
  const outcome = baseOutcome(job, t, msPerSample);
  const first = run.events.find((e) => ALARM_CODES[e.code]?.enabled(job.detectors));
  if (first) {
    // A sample is taken at the end of its period: sample i is known at (i + 1) periods; times are
    // counted from the recording's start (after the switch-on).
    outcome.alarmMs = Math.round((first.sample + 1 - t.prefixSamples) * msPerSample);
    outcome.alarmType = ALARM_CODES[first.code]!.type;
  }
  return { outcome, candidates: job.collect ? run.candidates : [], rateHz: job.rateHz, prefixSamples: t.prefixSamples };
}

function firmwareTrial(job: TrialJob): TrialResult {
  return runFirmwareTrial(job);
}
