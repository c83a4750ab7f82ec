/**
 * Fitting the fall model's weights, and subject-wise folds. The detector scores each fall event
 * with a logistic model over its features (detect.js); here the weights are fitted by
 * Newton–Raphson (IRLS) with a small L2 penalty — deterministic, no learning rate to tune.
 *
 * Labels: an event in a fall trial that completes between 1 s before and 10 s after the impact is a
 * fall; events in daily activities, and in a fall trial before the fall, are not; events later in a
 * fall trial (the wearer lying on the floor after the fall) are left out.
 */
import type { Candidate } from '../replay/detector';

export interface LabelledCandidate {
  subject: string;
  features: number[];
  label: 0 | 1;
}

export const LABEL_AFTER_MS = 10_000;

/** Labels one trial's candidates; `sampleMs` converts a sample index to ms from trace start. */
export function labelCandidates(cands: readonly Candidate[], trial: { subject: string; isFall: boolean; peakMs: number }, sampleMs: number): LabelledCandidate[] {
  const out: LabelledCandidate[] = [];
  for (const c of cands) {
    const t = c.sample * sampleMs;
    if (!trial.isFall) out.push({ subject: trial.subject, features: c.features, label: 0 });
    else if (t < trial.peakMs - 1000) out.push({ subject: trial.subject, features: c.features, label: 0 });
    else if (t <= trial.peakMs + LABEL_AFTER_MS) out.push({ subject: trial.subject, features: c.features, label: 1 });
  }
  return out;
}

/** Weights (features…, bias) of an L2-regularised logistic regression. */
export function fitLogistic(rows: readonly { features: number[]; label: 0 | 1 }[], l2 = 0.01, iterations = 40): number[] {
  if (rows.length === 0) throw new Error('no training events');
  const d = rows[0]!.features.length;
  const w = new Array<number>(d + 1).fill(0);
  const n = rows.length;
  for (let it = 0; it < iterations; it++) {
    const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    const g = new Array<number>(d + 1).fill(0);
    for (const r of rows) {
      const z = logit(w, r.features);
      const p = 1 / (1 + Math.exp(-z));
      const v = p * (1 - p);
      const e = p - r.label;
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
 * K subject-wise folds: subjects sorted by name within each age group and dealt round-robin, so
 * every fold gets young and elderly subjects and no subject is ever split.
 */
export function subjectFolds(subjects: readonly { subject: string; ageGroup: string }[], k: number): Map<string, number> {
  const groups = new Map<string, Set<string>>();
  for (const s of subjects) groups.set(s.ageGroup, (groups.get(s.ageGroup) ?? new Set()).add(s.subject));
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
