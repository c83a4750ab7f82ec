/**
 * Fitting the fall model's weights, and subject-wise folds. The detector scores each fall event
 * with a logistic model over its features (detect.js); here the weights are fitted by
 * Newton–Raphson (IRLS) with a small L2 penalty — deterministic, no learning rate to tune.
 *
 * Labels: an event in a fall trial that completes between 1 s before and 10 s after the impact is a
 * fall; events in daily activities, and in a fall trial before the fall, are not; events later in a
 * fall trial (the wearer lying on the floor after the fall) are left out, and so are the events of
 * falls with recovery (whether they should alarm is a policy, not a label).
 *
 * Weights: every set (a data set at one position) weighs the same in the fit, and within a set the
 * falls weigh as much as the rest, so that neither SisFall's 1,350 falls nor the many events of
 * daily activities decide the model alone; the default threshold (logit 0) is then the point where
 * a missed fall and a false alarm cost the same.
 */
import type { Candidate } from '../replay/detector';

export interface LabelledCandidate {
  /** The subject's fold key (data set/subject). */
  subject: string;
  /** The set it belongs to (score.ts setOf). */
  set: string;
  features: number[];
  label: 0 | 1;
}

export const LABEL_AFTER_MS = 10_000;

/** Labels one trial's candidates; `sampleMs` converts a sample index to ms from trace start. */
export function labelCandidates(cands: readonly Candidate[], trial: { subject: string; set: string; isFall: boolean; recovery?: boolean; peakMs: number }, sampleMs: number, startMs = 0): LabelledCandidate[] {
  const out: LabelledCandidate[] = [];
  if (trial.recovery) return out;
  const row = (c: Candidate, label: 0 | 1): LabelledCandidate => ({ subject: trial.subject, set: trial.set, features: c.features, label });
  for (const c of cands) {
    const t = c.sample * sampleMs - startMs;
    if (!trial.isFall) out.push(row(c, 0));
    else if (t < trial.peakMs - 1000) out.push(row(c, 0));
    else if (t <= trial.peakMs + LABEL_AFTER_MS) out.push(row(c, 1));
  }
  return out;
}

/** Per-row weights: each set weighs the same, and within a set each class weighs half (see above). */
export function balancedWeights(rows: readonly { set: string; label: 0 | 1 }[]): number[] {
  const count = new Map<string, number>();
  for (const r of rows) count.set(`${r.set}|${r.label}`, (count.get(`${r.set}|${r.label}`) ?? 0) + 1);
  const sets = new Set(rows.map((r) => r.set));
  // A set without falls (or without anything else) gives its whole weight to the class it has.
  const share = (r: { set: string; label: 0 | 1 }): number => (count.has(`${r.set}|${1 - r.label}`) ? 0.5 : 1);
  return rows.map((r) => (rows.length / sets.size) * share(r) / count.get(`${r.set}|${r.label}`)!);
}

/** Weights (features…, bias) of an L2-regularised logistic regression; `weights` per row (default 1). */
export function fitLogistic(rows: readonly { features: number[]; label: 0 | 1 }[], l2 = 0.01, iterations = 40, weights?: readonly number[]): number[] {
  if (rows.length === 0) throw new Error('no training events');
  const d = rows[0]!.features.length;
  const w = new Array<number>(d + 1).fill(0);
  const n = weights ? weights.reduce((a, b) => a + b, 0) : rows.length;
  for (let it = 0; it < iterations; it++) {
    const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    const g = new Array<number>(d + 1).fill(0);
    for (let ri = 0; ri < rows.length; ri++) {
      const r = rows[ri]!;
      const rw = weights ? weights[ri]! : 1;
      const z = logit(w, r.features);
      const p = 1 / (1 + Math.exp(-z));
      const v = rw * p * (1 - p);
      const e = rw * (p - r.label);
      for (let a = 0; a <= d; a++) {
        const xa = a < d ? r.features[a]! : 1;
        g[a]! += e * xa;
        for (let b = 0; b <= d; b++) H[a]![b]! += v * xa * (b < d ? r.features[b]! : 1);
      }
    }
    for (let a = 0; a < d; a++) {
      g[a]! += l2 * n * w[a]!;
      H[a]![a]! += l2 * n;
    }
    const step = solve(H, g);
    let moved = 0;
    for (let a = 0; a <= d; a++) {
      w[a]! -= step[a]!;
      moved = Math.max(moved, Math.abs(step[a]!));
    }
    if (moved < 1e-9) break;
  }
  return w;
}

export function logit(w: readonly number[], f: readonly number[]): number {
  let z = w[f.length]!;
  for (let j = 0; j < f.length; j++) z += w[j]! * f[j]!;
  return z;
}

/** Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const pivot = M[c]![c]!;
    if (Math.abs(pivot) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / pivot;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!));
}

/**
 * K subject-wise folds: subjects sorted by name within each data set and age group and dealt
 * round-robin, so every fold gets subjects of every lab and age group and no subject is ever split
 * (UMAFall's chest and waist sensors are the same subject). `subject` is the fold key: data set/subject.
 */
export function subjectFolds(subjects: readonly { subject: string; dataset?: string; ageGroup: string }[], k: number): Map<string, number> {
  const groups = new Map<string, Set<string>>();
  for (const s of subjects) {
    const g = `${s.dataset ?? ''}|${s.ageGroup}`;
    groups.set(g, (groups.get(g) ?? new Set()).add(s.subject));
  }
  const fold = new Map<string, number>();
  let next = 0;
  for (const g of [...groups.keys()].sort()) {
    for (const s of [...groups.get(g)!].sort()) {
      fold.set(s, next % k);
      next++;
    }
  }
  return fold;
}
