/** The evaluator's text summary and its single JSON object: every set side by side, never pooled. */
import type { EvalResult } from './evaluate';
import { RECOVERY_SUFFIX, setOf, verdict, type Rates, type SetMetrics } from './score';

export function pct(v: number | null, digits = 2): string {
  return v === null ? '–' : `${(100 * v).toFixed(digits)} %`;
}

function seconds(ms: number | null): string {
  return ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`;
}

export function describeRun(r: EvalResult): string {
  const engine = r.engine === 'firmware' ? `firmware/dist/${r.board}.js in the stand-in` : 'detect.js alone (detector engine)';
  return `${engine}, ${r.rateHz} Hz, ±${r.rangeG} g, sensitivity setting ${r.sens}`;
}

export function describeValidation(r: EvalResult): string {
  if (r.leaveOneLabOut) return `leave-one-lab-out: every trial scored by a model fitted on the other labs only (${r.foldNames!.join(', ')})`;
  if (r.folds) return `cross-validated: ${r.folds} subject-wise folds (model refitted without the tested subjects)`;
  return 'model: the weights built into detect.js';
}

export function describeSwitchOn(r: EvalResult): string {
  return r.switchOnS > 0
    ? `switch-on: ${r.switchOnS} s standing in the wearer's own upright (their walking posture) before every trial`
    : 'switch-on: none (the detector learns upright from the first 2 s of each recording)';
}

/** A recovery set reports the share of its falls alarmed; it has no daily activities. */
export const isRecoverySet = (name: string): boolean => name.endsWith(RECOVERY_SUFFIX);

function setLine(name: string, m: SetMetrics): string {
  const se = isRecoverySet(name) ? `alarmed ${pct(m.falls > 0 ? m.detected / m.falls : null)}` : pct(m.sensitivity);
  return `  ${name.padEnd(36)} ${String(m.trials).padStart(5)} ${String(m.falls).padStart(5)} ${se.padStart(17)} ${String(m.adls).padStart(5)} ${pct(m.specificity).padStart(9)} ${String(m.falseAlarms).padStart(4)} ${(m.falseAlarmsPerHour === null ? '–' : m.falseAlarmsPerHour.toFixed(2)).padStart(6)}  ${seconds(m.latencyMsP50)} / ${seconds(m.latencyMsP95)}`;
}

function ratesLine(name: string, x: Rates): string {
  return `    ${name.padEnd(10)} trials ${String(x.trials).padStart(5)}  falls ${String(x.falls).padStart(5)}  sensitivity ${pct(x.sensitivity).padStart(9)}  ADLs ${String(x.adls).padStart(5)}  specificity ${pct(x.specificity).padStart(9)}`;
}

export function formatSummary(r: EvalResult): string {
  const out: string[] = [];
  out.push(`Vigil detection evaluation — ${r.manifest}`);
  out.push(`  ${describeRun(r)}`);
  out.push(`  ${describeValidation(r)}`);
  out.push(`  ${describeSwitchOn(r)}`);
  out.push(`  rotation: ${r.rotateSeed === null ? "none (each data set's axes turned to a badge worn top up)" : `every trace turned by its own random fixed orientation, seed ${r.rotateSeed}`}`);
  out.push(`  still tail: every trial extended by ${r.tailS} s holding its final posture (docs/simulator.md)`);
  if (r.firmwareSha256) out.push(`  firmware/dist/${r.board}.js sha256 ${r.firmwareSha256.slice(0, 16)}…`);
  out.push('');
  out.push(`  ${'set (data set, position)'.padEnd(36)} trials falls       sensitivity  ADLs  specif.   FA  FA/h  latency p50 / p95`);
  for (const [name, m] of Object.entries(r.metrics.sets)) out.push(setLine(name, m));
  out.push(`  (falls alarmed within −1 s…+30 s of the impact; FA = false alarms, FA/h per hour of recorded activity; latency = alarm − impact${r.engine === 'firmware' ? ', pre-alarm included' : ', detection only'})`);
  for (const [name, m] of Object.entries(r.metrics.sets)) {
    out.push('');
    out.push(`${name}: ${m.falls} falls, ${m.adls} daily activities (${m.adlHours.toFixed(2)} h recorded), ${m.earlyAlarms} alarms before the fall`);
    if (Object.keys(m.byAgeGroup).length > 1) for (const [k, v] of Object.entries(m.byAgeGroup)) out.push(ratesLine(k, v));
    out.push('  by activity (falls: share detected; daily activities: share with a false alarm):');
    for (const [code, a] of Object.entries(m.byActivity)) {
      out.push(`    ${code.padEnd(6)} ${String(a.alarms).padStart(4)}/${String(a.trials).padEnd(4)} ${pct(a.rate, 1).padStart(8)}  ${a.description}`);
    }
    const inSet = r.outcomes.filter((o) => setOf(o) === name);
    const missed = inSet.filter((o) => o.isFall && verdict(o) !== 'detected');
    const fas = inSet.filter((o) => verdict(o) === 'false_alarm');
    if (missed.length > 0) out.push(`  ${isRecoverySet(name) ? 'not alarmed' : 'missed falls'} (${missed.length}): ${missed.slice(0, 30).map((o) => `${o.key}${verdict(o) === 'early' ? ' (early)' : ''}`).join(', ')}${missed.length > 30 ? ', …' : ''}`);
    if (fas.length > 0) out.push(`  false alarms (${fas.length}): ${fas.slice(0, 30).map((o) => o.key).join(', ')}${fas.length > 30 ? ', …' : ''}`);
  }
  if (r.sweep) {
    out.push('');
    out.push('sensitivity setting (detector engine): sensitivity / specificity / false alarms per hour');
    for (const s of r.sweep) {
      out.push(`  sens ${s.sens}: ${Object.entries(s.sets).filter(([k]) => !isRecoverySet(k)).map(([k, v]) => `${k} ${pct(v.sensitivity)} / ${pct(v.specificity)} / ${v.falseAlarmsPerHour?.toFixed(2) ?? '–'}`).join('; ')}`);
    }
  }
  if (r.trainedWeights) out.push(`trained weights (detect.js MODEL): [${r.trainedWeights.join(', ')}]`);
  out.push(`run time ${(r.runtimeMs / 1000).toFixed(1)} s`);
  return out.join('\n') + '\n';
}

/** Exactly one JSON object: per set the issue's fields, then the run's settings. */
export function toJson(r: EvalResult): Record<string, unknown> {
  const sets: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(r.metrics.sets)) {
    const inSet = r.outcomes.filter((o) => setOf(o) === name);
    sets[name] = {
      trials: m.trials, falls: m.falls, adls: m.adls,
      sensitivity: m.sensitivity, specificity: m.specificity, falseAlarmsPerHour: m.falseAlarmsPerHour,
      latencyMsP50: m.latencyMsP50, latencyMsP95: m.latencyMsP95,
      byActivity: m.byActivity, byAgeGroup: m.byAgeGroup,
      detected: m.detected, missed: m.missed, earlyAlarms: m.earlyAlarms, falseAlarms: m.falseAlarms, adlHours: m.adlHours,
      missedTrials: inSet.filter((o) => o.isFall && verdict(o) !== 'detected').map((o) => o.key),
      falseAlarmTrials: inSet.filter((o) => verdict(o) === 'false_alarm').map((o) => o.key),
    };
  }
  return {
    sets,
    sweep: r.sweep,
    settings: {
      manifest: r.manifest, engine: r.engine, board: r.board, rateHz: r.rateHz, rangeG: r.rangeG, rotateSeed: r.rotateSeed, tailS: r.tailS,
      switchOnS: r.switchOnS, sens: r.sens, folds: r.folds, leaveOneLabOut: r.leaveOneLabOut, subjects: r.subjects, firmwareSha256: r.firmwareSha256,
    },
    foldNames: r.foldNames, foldWeights: r.foldWeights, trainedWeights: r.trainedWeights, runtimeMs: r.runtimeMs,
  };
}
