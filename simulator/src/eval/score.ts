/**
 * Scoring (issue 5): a fall trial is detected when its first automatic alarm comes between 1 s
 * before and 30 s after the impact (`peak_svm_ms`, eval/wearer.ts); an alarm earlier than that is
 * an alarm before the fall and counts as a miss. Any alarm in a daily-activity trial is a false
 * alarm.
 *
 * Sets (issue 18): each data set and position is scored on its own and never pooled with another
 * (UMAFall's chest and waist are two sensors on the same trials); falls after which the wearer gets
 * up again ("with recovery") are a set of their own, in which the share alarmed is reported and
 * counts neither way (docs/detection.md, "Falls with recovery").
 */
export const WINDOW_BEFORE_MS = 1000;
export const WINDOW_AFTER_MS = 30_000;

export interface TrialOutcome {
  /** Index in the manifest. */
  index: number;
  /** File relative to the manifest, the trial's name in reports. */
  key: string;
  subject: string;
  ageGroup: string;
  activity: string;
  description: string;
  dataset: string;
  position: string;
  isFall: boolean;
  /** A fall after which the wearer gets up again. */
  recovery: boolean;
  /** The impact the alarm is scored against, ms from the recording's start. */
  peakMs: number;
  /** Length of the recording and of the still tail added to it. */
  recordedMs: number;
  tailMs: number;
  /** First automatic alarm (ms from the recording's start), its type, and the pre-alarm that led to it. */
  alarmMs: number | null;
  alarmType: string | null;
  preAlarmMs: number | null;
  /** Pre-alarms that were cancelled (the firmware engine). */
  cancels: number;
  /** Sensitivity setting the trial ran with, and the fold (cross-validation) it was tested in. */
  sens: number;
  fold: number | null;
}

export type Verdict = 'detected' | 'missed' | 'early' | 'false_alarm' | 'quiet';

export function verdict(o: TrialOutcome): Verdict {
  if (!o.isFall) return o.alarmMs === null ? 'quiet' : 'false_alarm';
  if (o.alarmMs === null) return 'missed';
  if (o.alarmMs < o.peakMs - WINDOW_BEFORE_MS) return 'early';
  return o.alarmMs <= o.peakMs + WINDOW_AFTER_MS ? 'detected' : 'missed';
}

export interface Rates {
  trials: number;
  falls: number;
  adls: number;
  detected: number;
  missed: number;
  earlyAlarms: number;
  falseAlarms: number;
  /** Null when there is nothing to divide by. */
  sensitivity: number | null;
  specificity: number | null;
}

/** The figures of one set: a data set at one position (or its falls with recovery). */
export interface SetMetrics extends Rates {
  adlHours: number;
  falseAlarmsPerHour: number | null;
  latencyMsP50: number | null;
  latencyMsP95: number | null;
  byActivity: Record<string, { description: string; isFall: boolean; trials: number; alarms: number; rate: number }>;
  byAgeGroup: Record<string, Rates>;
}

/** Per set, in the order data sets appear in the manifest (a set's recovery falls right after it). */
export interface Metrics {
  sets: Record<string, SetMetrics>;
}

export const RECOVERY_SUFFIX = ', falls with recovery';

/** The set a trial is scored in: "SisFall waist", "FallAllD neck", "FallAllD neck, falls with recovery". */
export function setOf(o: Pick<TrialOutcome, 'dataset' | 'position' | 'recovery'>): string {
  return `${o.dataset} ${o.position}${o.recovery ? RECOVERY_SUFFIX : ''}`;
}

export function rates(outcomes: readonly TrialOutcome[]): Rates {
  let falls = 0;
  let detected = 0;
  let early = 0;
  let adls = 0;
  let fa = 0;
  for (const o of outcomes) {
    const v = verdict(o);
    if (o.isFall) {
      falls++;
      if (v === 'detected') detected++;
      if (v === 'early') early++;
    } else {
      adls++;
      if (v === 'false_alarm') fa++;
    }
  }
  return {
    trials: outcomes.length, falls, adls, detected, missed: falls - detected, earlyAlarms: early, falseAlarms: fa,
    sensitivity: falls > 0 ? detected / falls : null,
    specificity: adls > 0 ? (adls - fa) / adls : null,
  };
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function groupBy(outcomes: readonly TrialOutcome[], key: (o: TrialOutcome) => string): Record<string, Rates> {
  const groups = new Map<string, TrialOutcome[]>();
  for (const o of outcomes) {
    if (!groups.has(key(o))) groups.set(key(o), []);
    groups.get(key(o))!.push(o);
  }
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, rates(groups.get(k)!)]));
}

export function metrics(outcomes: readonly TrialOutcome[]): Metrics {
  const groups = new Map<string, TrialOutcome[]>();
  const first = new Map<string, number>();
  outcomes.forEach((o, i) => {
    const k = setOf(o);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(o);
    if (!first.has(`${o.dataset} ${o.position}`)) first.set(`${o.dataset} ${o.position}`, i);
  });
  const order = (k: string): number => first.get(k.replace(RECOVERY_SUFFIX, '')) ?? 0;
  const names = [...groups.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  return { sets: Object.fromEntries(names.map((k) => [k, setMetrics(groups.get(k)!)])) };
}

export function setMetrics(outcomes: readonly TrialOutcome[]): SetMetrics {
  const r = rates(outcomes);
  const adlHours = outcomes.filter((o) => !o.isFall).reduce((h, o) => h + o.recordedMs / 3_600_000, 0);
  const latencies = outcomes.filter((o) => verdict(o) === 'detected').map((o) => o.alarmMs! - o.peakMs);
  const byActivity: SetMetrics['byActivity'] = {};
  for (const o of [...outcomes].sort((a, b) => a.activity.localeCompare(b.activity))) {
    const a = (byActivity[o.activity] ??= { description: o.description, isFall: o.isFall, trials: 0, alarms: 0, rate: 0 });
    a.trials++;
    if (o.isFall ? verdict(o) === 'detected' : o.alarmMs !== null) a.alarms++;
    a.rate = a.alarms / a.trials;
  }
  return {
    ...r,
    adlHours,
    falseAlarmsPerHour: adlHours > 0 ? r.falseAlarms / adlHours : null,
    latencyMsP50: percentile(latencies, 50),
    latencyMsP95: percentile(latencies, 95),
    byActivity,
    byAgeGroup: groupBy(outcomes, (o) => o.ageGroup),
  };
}
