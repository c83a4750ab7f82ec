/** The evaluator's text summary and its single JSON object. */
import type { EvalResult } from './evaluate';
import { verdict, type Rates } from './score';

export function pct(v: number | null, digits = 2): string {
  return v === null ? '–' : `${(100 * v).toFixed(digits)} %`;
}

function seconds(ms: number | null): string {
  return ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`;
}

export function describeRun(r: EvalResult): string {
  const engine = r.engine === 'firmware' ? `firmware/dist/${r.board}.js in the stand-in` : 'detect.js alone (detector engine)';
  return `${engine}, ${r.rateHz} Hz, ±${r.rangeG} g, position ${r.position}, sensitivity setting ${r.sens}`;
}

function ratesLine(name: string, x: Rates): string {
  return `  ${name.padEnd(10)} trials ${String(x.trials).padStart(5)}  falls ${String(x.falls).padStart(5)}  sensitivity ${pct(x.sensitivity).padStart(9)}  ADLs ${String(x.adls).padStart(5)}  specificity ${pct(x.specificity).padStart(9)}`;
}

export function formatSummary(r: EvalResult): string {
  const m = r.metrics;
  const out: string[] = [];
  out.push(`Vigil detection evaluation — ${r.manifest}`);
  out.push(`  ${describeRun(r)}`);
  out.push(`  ${r.folds ? `cross-validated: ${r.folds} subject-wise folds (model refitted without the tested subjects)` : 'model: the weights built into detect.js'}`);
  out.push(`  rotation: ${r.rotateSeed === null ? 'none (mounting of the position only)' : `every trace turned by its own random fixed orientation, seed ${r.rotateSeed}`}`);
  out.push(`  still tail: every trial extended by ${r.tailS} s holding its final posture (docs/simulator.md)`);
  if (r.firmwareSha256) out.push(`  firmware/dist/${r.board}.js sha256 ${r.firmwareSha256.slice(0, 16)}…`);
  out.push('');
  out.push(`trials ${m.trials} (falls ${m.falls}, daily activities ${m.adls}: ${m.adlHours.toFixed(2)} h recorded)`);
  out.push(`sensitivity  ${pct(m.sensitivity)}  (${m.detected}/${m.falls} falls alarmed within −1 s…+30 s of the impact; ${m.earlyAlarms} alarms before the fall)`);
  out.push(`specificity  ${pct(m.specificity)}  (${m.falseAlarms} false alarms in ${m.adls} daily activities; ${m.falseAlarmsPerHour === null ? '–' : m.falseAlarmsPerHour.toFixed(2)} per hour of activity)`);
  out.push(`latency      p50 ${seconds(m.latencyMsP50)}, p95 ${seconds(m.latencyMsP95)} (alarm − impact${r.engine === 'firmware' ? ', pre-alarm included' : ', detection only: no pre-alarm'})`);
  out.push('');
  out.push('by age group:');
  for (const [k, v] of Object.entries(m.byAgeGroup)) out.push(ratesLine(k, v));
  out.push('by dataset:');
  for (const [k, v] of Object.entries(m.byDataset)) out.push(ratesLine(k, v));
  out.push('by position:');
  for (const [k, v] of Object.entries(m.byPosition)) out.push(ratesLine(k, v));
  out.push('by activity (falls: share detected; daily activities: share with a false alarm):');
  for (const [code, a] of Object.entries(m.byActivity)) {
    out.push(`  ${code}  ${String(a.alarms).padStart(4)}/${String(a.trials).padEnd(4)} ${pct(a.rate, 1).padStart(8)}  ${a.description}`);
  }
  if (r.sweep) {
    out.push('sensitivity setting (detector engine):');
    for (const s of r.sweep) out.push(`  sens ${s.sens}: sensitivity ${pct(s.sensitivity)}, specificity ${pct(s.specificity)}, ${s.falseAlarmsPerHour?.toFixed(2) ?? '–'} false alarms/h`);
  }
  const missed = r.outcomes.filter((o) => o.isFall && verdict(o) !== 'detected');
  const fas = r.outcomes.filter((o) => verdict(o) === 'false_alarm');
  if (missed.length > 0) out.push(`missed falls (${missed.length}): ${missed.slice(0, 30).map((o) => `${o.key}${verdict(o) === 'early' ? ' (early)' : ''}`).join(', ')}${missed.length > 30 ? ', …' : ''}`);
  if (fas.length > 0) out.push(`false alarms (${fas.length}): ${fas.slice(0, 30).map((o) => o.key).join(', ')}${fas.length > 30 ? ', …' : ''}`);
  if (r.trainedWeights) out.push(`trained weights (detect.js MODEL): [${r.trainedWeights.map((w) => w.toFixed(3)).join(', ')}]`);
  out.push(`run time ${(r.runtimeMs / 1000).toFixed(1)} s`);
  return out.join('\n') + '\n';
}

/** Exactly one JSON object: the issue's fields first, then breakdowns and the run's settings. */
export function toJson(r: EvalResult): Record<string, unknown> {
  const m = r.metrics;
  return {
    trials: m.trials, falls: m.falls, adls: m.adls,
    sensitivity: m.sensitivity, specificity: m.specificity, falseAlarmsPerHour: m.falseAlarmsPerHour,
    latencyMsP50: m.latencyMsP50, latencyMsP95: m.latencyMsP95,
    byActivity: m.byActivity, byAgeGroup: m.byAgeGroup, byDataset: m.byDataset, byPosition: m.byPosition,
    detected: m.detected, missed: m.missed, earlyAlarms: m.earlyAlarms, falseAlarms: m.falseAlarms, adlHours: m.adlHours,
    missedTrials: r.outcomes.filter((o) => o.isFall && verdict(o) !== 'detected').map((o) => o.key),
    falseAlarmTrials: r.outcomes.filter((o) => verdict(o) === 'false_alarm').map((o) => o.key),
    sweep: r.sweep,
    settings: {
      manifest: r.manifest, engine: r.engine, board: r.board, rateHz: r.rateHz, rangeG: r.rangeG, position: r.position,
      rotateSeed: r.rotateSeed, tailS: r.tailS, sens: r.sens, folds: r.folds, subjects: r.subjects, firmwareSha256: r.firmwareSha256,
    },
    foldWeights: r.foldWeights, trainedWeights: r.trainedWeights, runtimeMs: r.runtimeMs,
  };
}
