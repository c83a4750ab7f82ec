/** The evaluator: scoring windows, metrics, the trainer, folds, and the CLI's JSON on a small subset. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../simulator/src/eval/evaluate';
import { firmwareCode } from '../../simulator/src/eval/firmware-run';
import { runTrial } from '../../simulator/src/eval/trial';
import { metrics, percentile, verdict, type TrialOutcome } from '../../simulator/src/eval/score';
import { fitLogistic, labelCandidates, logit, subjectFolds } from '../../simulator/src/eval/train';
import { DEFAULT_FALLS_DIR, fallsDataAvailable, readManifest } from '../../simulator/src/trace';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');

function outcome(over: Partial<TrialOutcome>): TrialOutcome {
  return {
    index: 0, key: 'k', subject: 'SA01', ageGroup: 'young', activity: 'F01', description: 'fall', dataset: 'SisFall', position: 'waist',
    isFall: true, peakMs: 5000, recordedMs: 15000, tailMs: 45000, alarmMs: null, alarmType: null, preAlarmMs: null, cancels: 0, sens: 3, fold: null,
    ...over,
  };
}

describe('scoring', () => {
  it('counts a fall alarmed from 1 s before to 30 s after the impact, and nothing else', () => {
    expect(verdict(outcome({ alarmMs: 3999 }))).toBe('early');
    expect(verdict(outcome({ alarmMs: 4000 }))).toBe('detected');
    expect(verdict(outcome({ alarmMs: 35000 }))).toBe('detected');
    expect(verdict(outcome({ alarmMs: 35001 }))).toBe('missed');
    expect(verdict(outcome({}))).toBe('missed');
    expect(verdict(outcome({ isFall: false, activity: 'D01' }))).toBe('quiet');
    expect(verdict(outcome({ isFall: false, activity: 'D01', alarmMs: 1 }))).toBe('false_alarm');
  });

  it('computes rates, false alarms per recorded hour of activity, latency percentiles and breakdowns', () => {
    const m = metrics([
      outcome({ alarmMs: 6000 }),
      outcome({ alarmMs: 25000, ageGroup: 'elderly' }),
      outcome({ alarmMs: 1000 }),
      outcome({ isFall: false, activity: 'D01', recordedMs: 1_800_000, alarmMs: 100 }),
      outcome({ isFall: false, activity: 'D01', recordedMs: 1_800_000 }),
    ]);
    expect(m).toMatchObject({ trials: 5, falls: 3, adls: 2, detected: 2, earlyAlarms: 1, falseAlarms: 1, adlHours: 1, falseAlarmsPerHour: 1 });
    expect(m.sensitivity).toBeCloseTo(2 / 3);
    expect(m.specificity).toBe(0.5);
    expect(m.latencyMsP50).toBe(1000);
    expect(m.latencyMsP95).toBe(20000);
    expect(m.byAgeGroup['elderly']).toMatchObject({ falls: 1, detected: 1 });
    expect(m.byActivity['D01']).toMatchObject({ trials: 2, alarms: 1, rate: 0.5 });
    expect(percentile([], 50)).toBeNull();
  });
});

describe('trainer', () => {
  it('fits a logistic model that separates what can be separated', () => {
    const rows: { features: number[]; label: 0 | 1 }[] = [];
    for (let i = 0; i < 200; i++) {
      const a = Math.sin(i * 12.9898) * 2;
      const b = Math.cos(i * 78.233);
      rows.push({ features: [a, b], label: (a + 0.5 * b > 0.3 ? 1 : 0) });
    }
    const w = fitLogistic(rows);
    const wrong = rows.filter((r) => (logit(w, r.features) > 0 ? 1 : 0) !== r.label).length;
    expect(wrong).toBeLessThanOrEqual(4);
    expect(fitLogistic(rows)).toEqual(w); // deterministic
  });

  it('labels events by when they complete relative to the impact', () => {
    const c = (sample: number) => ({ sample, features: [sample], logit: 0 });
    const l = labelCandidates([c(10), c(50), c(400)], { subject: 'S', isFall: true, peakMs: 2000 }, 40);
    expect(l.map((x) => [x.features[0], x.label])).toEqual([[10, 0], [50, 1]]); // 14 s after the impact: left out
  });

  it('deals subjects to folds without splitting one, mixing age groups', () => {
    const subjects = ['SA01', 'SA02', 'SA03', 'SA04', 'SE01', 'SE02'].flatMap((s) => [1, 2, 3].map(() => ({ subject: s, ageGroup: s.startsWith('SE') ? 'elderly' : 'young' })));
    const f = subjectFolds(subjects, 2);
    expect([...f.keys()].sort()).toEqual(['SA01', 'SA02', 'SA03', 'SA04', 'SE01', 'SE02']);
    expect(new Set([f.get('SE01'), f.get('SE02')]).size).toBe(2);
    expect([...f.values()].filter((x) => x === 0).length).toBe(3);
  });
});

const data = fallsDataAvailable() ? describe : describe.skip;
data('evaluator on recorded trials (two subjects)', () => {
  const manifest = join(DEFAULT_FALLS_DIR, 'manifest.csv');

  it('cross-validates subject-wise: each subject scored by a model fitted without it', async () => {
    const r = await evaluate({
      manifest, engine: 'detector', board: 'puckjs', position: 'waist', tailS: 30, sens: 3, folds: 2, subjects: ['SA01', 'SE06'],
      detectors: { fall: true, tilt: false, still: false }, workers: 0, sweep: false, train: false,
    });
    expect(r.foldWeights).toHaveLength(2);
    expect(r.foldWeights![0]).not.toEqual(r.foldWeights![1]);
    const foldOf = new Map(r.outcomes.map((o) => [o.subject, o.fold]));
    expect(foldOf.size).toBe(2);
    expect(new Set(foldOf.values())).toEqual(new Set([0, 1]));
    for (const o of r.outcomes) expect(o.fold).toBe(foldOf.get(o.subject));
    expect(r.metrics.falls).toBeGreaterThan(100);
    expect(r.metrics.sensitivity).toBeGreaterThan(0.8);
    expect(r.metrics.specificity).toBeGreaterThan(0.9);
  }, 60_000);

  it('prints exactly one JSON object with the fields the issue names, and writes an HTML report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-eval-'));
    try {
      const res = spawnSync('node', [BIN, 'eval', '--manifest', manifest, '--engine', 'detector', '--subjects', 'SA03', '--json', '--report', dir, '--workers', '2'], { encoding: 'utf8' });
      expect(res.status).toBe(0);
      const json = JSON.parse(res.stdout) as Record<string, unknown>;
      for (const k of ['trials', 'falls', 'adls', 'sensitivity', 'specificity', 'falseAlarmsPerHour', 'latencyMsP50', 'latencyMsP95', 'byActivity']) expect(json).toHaveProperty(k);
      expect(json['trials']).toBe((json['falls'] as number) + (json['adls'] as number));
      expect(res.stderr).toContain('[##############################]');
      expect(existsSync(join(dir, 'index.html'))).toBe(true);
      const html = readFileSync(join(dir, 'index.html'), 'utf8');
      expect(html).toContain('<svg');
      expect(html).toContain('Sensitivity setting');
      expect(html).not.toMatch(/<script|https?:\/\/(?!.*doi)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it.each(['puckjs', 'bangle2', 'lora'] as const)('replays a recorded fall through the built %s firmware: pre-alarm, then the fall alarm; an ADL stays quiet', (board) => {
    const rows = readManifest(manifest);
    const run = (subject: string, activity: string, weights?: number[]) => {
      const index = rows.findIndex((r) => r.subject === subject && r.activity === activity && r.trial === 1);
      return runTrial({
        engine: 'firmware', board, rateHz: 26, rangeG: 4, position: 'waist', rotateSeed: undefined, tailS: 45, sens: 3, weights,
        detectors: { fall: true, tilt: false, still: false }, fold: null, collect: false, manifestDir: DEFAULT_FALLS_DIR, index, row: rows[index]!,
      }).outcome;
    };
    const fall = run('SA01', 'F01');
    expect(fall.alarmType).toBe('fall');
    expect(fall.preAlarmMs).not.toBeNull();
    expect(fall.alarmMs! - fall.preAlarmMs!).toBeGreaterThanOrEqual(19_900); // the firmware's 20 s pre-alarm
    expect(verdict(fall)).toBe('detected');
    expect(run('SA01', 'D18').alarmMs).toBeNull();
    // a fold's weights are what the firmware runs: a model that never fires raises nothing
    expect(run('SA01', 'F01', [0, 0, 0, 0, 0, 0, 0, -50]).alarmMs).toBeNull();
  }, 60_000);

  it('builds the weights of a fold into every board\'s firmware in place of the detect.js model', () => {
    for (const board of ['puckjs', 'bangle2', 'lora'] as const) {
      const code = firmwareCode(board, [1, 2, 3, 4, 5, 6, 7, 8]);
      expect(code.split('[1,2,3,4,5,6,7,8]')).toHaveLength(2);
      expect(firmwareCode(board, undefined)).not.toContain('[1,2,3,4,5,6,7,8]');
    }
  });

  it('rejects bad options with a clear message', () => {
    const res = spawnSync('node', [BIN, 'eval', '--board', 'nokia', '--manifest', manifest], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("--board: 'nokia' is not one of puckjs, bangle2, lora");
  });
});
