/**
 * What the evaluator takes from each recording beyond the manifest: the wearer's upright (for the
 * switch-on before each trial, replay/prepare.ts) and the impact a fall is scored against.
 */
import type { Trace, TrialRow } from '../trace';
import { readTrace } from '../trace';

export type Vec3 = readonly [number, number, number];

/**
 * Daily activities in which the wearer walks upright, per data set: a wearer's upright is the mean
 * direction of gravity over theirs, as the pendant learns it when they switch protection on
 * standing or walking.
 */
export const WALKING_ACTIVITIES: Record<string, readonly string[]> = {
  SisFall: ['D01', 'D02'],
  UMAFall: ['ADL_Walking'],
  FallAllD: ['A020', 'A022'],
};

export const wearerKey = (r: Pick<TrialRow, 'dataset' | 'subject' | 'position'>): string => `${r.dataset}/${r.subject}/${r.position}`;

function unit(v: readonly number[]): Vec3 {
  const n = Math.hypot(v[0]!, v[1]!, v[2]!) || 1;
  return [v[0]! / n, v[1]! / n, v[2]! / n];
}

/**
 * Each wearer's upright (recording axes, unit vector), keyed by wearerKey. A wearer with no walking
 * trial (two UMAFall waist sensors) gets the mean of the others' uprights at that data set and position.
 */
export function wearerUprights(rows: readonly TrialRow[], read: (file: string) => Trace = readTrace): Map<string, Vec3> {
  const sums = new Map<string, number[]>();
  for (const r of rows) {
    if (r.isFall || !(WALKING_ACTIVITIES[r.dataset] ?? []).includes(r.activity)) continue;
    const t = read(r.file);
    const s = sums.get(wearerKey(r)) ?? [0, 0, 0];
    for (let i = 0; i < t.x.length; i++) {
      s[0]! += t.x[i]!;
      s[1]! += t.y[i]!;
      s[2]! += t.z[i]!;
    }
    sums.set(wearerKey(r), s);
  }
  const out = new Map<string, Vec3>();
  const bySet = new Map<string, number[]>();
  for (const [k, s] of sums) {
    const u = unit(s);
    out.set(k, u);
    const set = k.replace(/\/[^/]*\//, '//');
    const acc = bySet.get(set) ?? [0, 0, 0];
    for (let i = 0; i < 3; i++) acc[i]! += u[i]!;
    bySet.set(set, acc);
  }
  for (const r of rows) {
    const k = wearerKey(r);
    if (out.has(k)) continue;
    const acc = bySet.get(`${r.dataset}//${r.position}`);
    if (!acc) throw new Error(`no walking trial of ${r.dataset} at the ${r.position} to learn the upright of ${r.subject} from (WALKING_ACTIVITIES in simulator/src/eval/wearer.ts)`);
    out.set(k, unit(acc));
  }
  return out;
}

/**
 * Where a fall's impact is taken to be, per data set, in ms of the recording. The manifest's
 * `peak_svm_ms` is the trial's largest |a|. FallAllD's falls happen near the middle of each 20 s
 * recording (falls README), but in 13 of its development falls the largest |a| is a jogging or
 * walking step seconds before the fall; there the impact is the largest |a| between 5 and 15 s.
 */
export const IMPACT_WINDOW_MS: Record<string, readonly [number, number]> = {
  FallAllD: [5000, 15000],
};

export function impactMs(row: TrialRow, trace: Trace): number {
  const w = IMPACT_WINDOW_MS[row.dataset];
  if (!w || !row.isFall) return row.peakSvmMs;
  let best = -1;
  let at = row.peakSvmMs;
  for (let i = 0; i < trace.x.length; i++) {
    const t = trace.tMs ? trace.tMs[i]! : (1000 * i) / trace.rateHz;
    if (t < w[0] || t > w[1]) continue;
    const a = Math.hypot(trace.x[i]!, trace.y[i]!, trace.z[i]!);
    if (a > best) {
      best = a;
      at = Math.round(t);
    }
  }
  return at;
}
