/** The evaluator: scoring windows, metrics, the trainer, folds, and the CLI's JSON on a small subset. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../simulator/src/eval/evaluate';
import { firmwareCode } from '../../simulator/src/eval/firmware-run';
import { runTrial } from '../../simulator/src/eval/trial';
import { loadDetector } from '../../simulator/src/replay/detector';
import { metrics, percentile, RECOVERY_SUFFIX, setOf, verdict, type TrialOutcome } from '../../simulator/src/eval/score';
import { balancedWeights, fitLogistic, labelCandidates, logit, subjectFolds } from '../../simulator/src/eval/train';
import { DEFAULT_FALLS_DIR, fallsDataAvailable, readManifest } from '../../simulator/src/trace';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');

function outcome(over: Partial<TrialOutcome>): TrialOutcome {
  return {
    index: 0, key: 'k', subject: 'SA01', ageGroup: 'young', activity: 'F01', description: 'fall', dataset: 'SisFall', position: 'waist',
    isFall: true, recovery: false, peakMs: 5000, recordedMs: 15000, tailMs: 45000, alarmMs: null, alarmType: null, preAlarmMs: null, cancels: 0, sens: 3, fold: null,
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
    const { sets } = metrics([
      outcome({ alarmMs: 6000 }),
      outcome({ alarmMs: 25000, ageGroup: 'elderly' }),
      outcome({ alarmMs: 1000 }),
      outcome({ isFall: false, activity: 'D01', recordedMs: 1_800_000, alarmMs: 100 }),
      outcome({ isFall: false, activity: 'D01', recordedMs: 1_800_000 }),
    ]);
    expect(Object.keys(sets)).toEqual(['SisFall waist']);
    const m = sets['SisFall waist']!;
    expect(m).toMatchObject({ trials: 5, falls: 3, adls: 2, detected: 2, earlyAlarms: 1, falseAlarms: 1, adlHours: 1, falseAlarmsPerHour: 1 });
    expect(m.sensitivity).toBeCloseTo(2 / 3);
    expect(m.specificity).toBe(0.5);
    expect(m.latencyMsP50).toBe(1000);
    expect(m.latencyMsP95).toBe(20000);
    expect(m.byAgeGroup['elderly']).toMatchObject({ falls: 1, detected: 1 });
    expect(m.byActivity['D01']).toMatchObject({ trials: 2, alarms: 1, rate: 0.5 });
    expect(percentile([], 50)).toBeNull();
  });

  it('scores every data set and position on its own, falls with recovery apart, never pooled', () => {
    const { sets } = metrics([
      outcome({ dataset: 'UMAFall', position: 'chest', alarmMs: 6000 }),
      outcome({ dataset: 'UMAFall', position: 'waist' }),
      outcome({ dataset: 'UMAFall', position: 'chest', isFall: false, activity: 'ADL_Walking', recordedMs: 3_600_000, alarmMs: 100 }),
      outcome({ dataset: 'FallAllD', position: 'neck', alarmMs: 6000 }),
      outcome({ dataset: 'FallAllD', position: 'neck', recovery: true }),
      outcome({ dataset: 'FallAllD', position: 'neck', recovery: true, alarmMs: 6000 }),
    ]);
    expect(Object.keys(sets)).toEqual(['UMAFall chest', 'UMAFall waist', 'FallAllD neck', 'FallAllD neck, falls with recovery']);
    expect(sets['UMAFall chest']).toMatchObject({ falls: 1, detected: 1, adls: 1, falseAlarms: 1, falseAlarmsPerHour: 1 });
    expect(sets['UMAFall waist']).toMatchObject({ falls: 1, detected: 0, adls: 0, specificity: null, falseAlarmsPerHour: null });
    expect(sets['FallAllD neck']).toMatchObject({ falls: 1, sensitivity: 1 });
    expect(sets['FallAllD neck, falls with recovery']).toMatchObject({ falls: 2, detected: 1 });
    expect(setOf({ dataset: 'FallAllD', position: 'neck', recovery: true })).toBe(`FallAllD neck${RECOVERY_SUFFIX}`);
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

  it('labels events by when they complete relative to the impact, and leaves falls with recovery out', () => {
    const c = (sample: number) => ({ sample, features: [sample], logit: 0 });
    const l = labelCandidates([c(10), c(50), c(400)], { subject: 'S', set: 'SisFall waist', isFall: true, peakMs: 2000 }, 40);
    expect(l.map((x) => [x.features[0], x.label])).toEqual([[10, 0], [50, 1]]); // 14 s after the impact: left out
    // the switch-on's samples come first: times count from the recording's start
    expect(labelCandidates([c(85)], { subject: 'S', set: 'x', isFall: true, peakMs: 2000 }, 40, 3000).map((x) => x.label)).toEqual([0]);
    expect(labelCandidates([c(50)], { subject: 'S', set: 'x', isFall: true, recovery: true, peakMs: 2000 }, 40)).toEqual([]);
  });

  it('weighs every set the same and, within a set, falls as much as everything else', () => {
    const rows = [
      ...Array.from({ length: 90 }, () => ({ set: 'big', label: 0 as const })),
      ...Array.from({ length: 10 }, () => ({ set: 'big', label: 1 as const })),
      ...Array.from({ length: 4 }, () => ({ set: 'small', label: 0 as const })),
      { set: 'small', label: 1 as const },
      { set: 'no falls', label: 0 as const },
    ];
    const w = balancedWeights(rows);
    const sum = (pred: (i: number) => boolean) => w.reduce((a, x, i) => a + (pred(i) ? x : 0), 0);
    const total = sum(() => true);
    expect(total).toBeCloseTo(rows.length, 9);
    for (const set of ['big', 'small', 'no falls']) expect(sum((i) => rows[i]!.set === set)).toBeCloseTo(total / 3, 9);
    expect(sum((i) => rows[i]!.set === 'big' && rows[i]!.label === 1)).toBeCloseTo(total / 6, 9);
  });

  it('deals subjects to folds without splitting one, mixing labs and age groups', () => {
    const subjects = ['SA01', 'SA02', 'SA03', 'SA04', 'SE01', 'SE02'].flatMap((s) => [1, 2, 3].map(() => ({ subject: `SisFall/${s}`, dataset: 'SisFall', ageGroup: s.startsWith('SE') ? 'elderly' : 'young' })));
    const other = ['S01', 'S02'].map((s) => ({ subject: `FallAllD/${s}`, dataset: 'FallAllD', ageGroup: 'adult' }));
    const f = subjectFolds([...subjects, ...other], 2);
    expect([...f.keys()].sort()).toEqual(['FallAllD/S01', 'FallAllD/S02', 'SisFall/SA01', 'SisFall/SA02', 'SisFall/SA03', 'SisFall/SA04', 'SisFall/SE01', 'SisFall/SE02']);
    expect(new Set([f.get('SisFall/SE01'), f.get('SisFall/SE02')]).size).toBe(2);
    expect(new Set([f.get('FallAllD/S01'), f.get('FallAllD/S02')]).size).toBe(2);
    expect([...f.values()].filter((x) => x === 0).length).toBe(4);
  });
});

const data = fallsDataAvailable() ? describe : describe.skip;
data('evaluator on recorded trials (two subjects)', () => {
  const manifest = join(DEFAULT_FALLS_DIR, 'manifest.csv');

  it('cross-validates subject-wise: each subject scored by a model fitted without it', async () => {
    const r = await evaluate({
      manifest, engine: 'detector', board: 'puckjs', tailS: 30, switchOnS: 3, sens: 3, folds: 2, subjects: ['SA01', 'SE06'],
      detectors: { fall: true, tilt: false, still: false }, workers: 0, sweep: false, train: false,
    });
    expect(r.foldWeights).toHaveLength(2);
    expect(r.foldWeights![0]).not.toEqual(r.foldWeights![1]);
    const foldOf = new Map(r.outcomes.map((o) => [o.subject, o.fold]));
    expect(foldOf.size).toBe(2);
    expect(new Set(foldOf.values())).toEqual(new Set([0, 1]));
    for (const o of r.outcomes) expect(o.fold).toBe(foldOf.get(o.subject));
    const m = r.metrics.sets['SisFall waist']!;
    expect(Object.keys(r.metrics.sets)).toEqual(['SisFall waist']);
    expect(m.falls).toBeGreaterThan(100);
    expect(m.sensitivity).toBeGreaterThan(0.8);
    expect(m.specificity).toBeGreaterThan(0.9);
  }, 60_000);

  it('reads each trial\'s data set and position from the manifest, and fits on two labs to test the third', async () => {
    // a few trials of each lab: two subjects' falls and walks, and FallAllD's falls with recovery
    const r = await evaluate({
      manifest, engine: 'detector', board: 'puckjs', tailS: 20, switchOnS: 3, sens: 3, leaveOneLabOut: true,
      subjects: ['SA01', 'UMAFall/S05', 'FallAllD/S02'], detectors: { fall: true, tilt: false, still: false }, workers: 0, sweep: false, train: false,
    });
    // in the manifest's order of data sets
    expect(Object.keys(r.metrics.sets)).toEqual(['SisFall waist', 'FallAllD neck', 'FallAllD neck, falls with recovery', 'UMAFall chest', 'UMAFall waist']);
    expect(r.foldNames).toEqual(['FallAllD', 'SisFall', 'UMAFall']);
    for (const o of r.outcomes) expect(r.foldNames![o.fold!]).toBe(o.dataset);
    expect(r.outcomes.filter((o) => o.dataset === 'FallAllD').every((o) => o.position === 'neck')).toBe(true);
    expect(r.metrics.sets['FallAllD neck, falls with recovery']!.adls).toBe(0);
    expect(r.metrics.sets['UMAFall chest']!.falls).toBeGreaterThan(10);
    await expect(evaluate({ manifest, engine: 'detector', board: 'puckjs', tailS: 20, switchOnS: 3, sens: 3, leaveOneLabOut: true, subjects: ['SA01'], detectors: { fall: true, tilt: false, still: false }, workers: 0, sweep: false, train: false }))
      .rejects.toThrow('--leave-one-lab-out needs trials of two data sets or more; selected: SisFall');
  }, 120_000);

  it('prints exactly one JSON object with the fields the issue names, and writes an HTML report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-eval-'));
    try {
      const res = spawnSync('node', [BIN, 'eval', '--manifest', manifest, '--engine', 'detector', '--subjects', 'SA03', '--json', '--report', dir, '--workers', '2'], { encoding: 'utf8' });
      expect(res.status).toBe(0);
      const json = JSON.parse(res.stdout) as Record<string, unknown>;
      const sets = json['sets'] as Record<string, Record<string, unknown>>;
      expect(Object.keys(sets)).toEqual(['SisFall waist']);
      const set = sets['SisFall waist']!;
      for (const k of ['trials', 'falls', 'adls', 'sensitivity', 'specificity', 'falseAlarmsPerHour', 'latencyMsP50', 'latencyMsP95', 'byActivity']) expect(set).toHaveProperty(k);
      expect(set['trials']).toBe((set['falls'] as number) + (set['adls'] as number));
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
        engine: 'firmware', board, rateHz: 26, rangeG: 4, rotateSeed: undefined, tailS: 45, switchOnS: 0, upright: undefined, sens: 3, weights,
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
    expect(run('SA01', 'F01', [...new Array<number>(loadDetector().NF).fill(0), -50]).alarmMs).toBeNull();
  }, 60_000);

  it('builds the weights of a fold into every board\'s firmware in place of the detect.js model', () => {
    for (const board of ['puckjs', 'bangle2', 'lora'] as const) {
      const w = Array.from({ length: loadDetector().NF + 1 }, (_, i) => i + 1);
      const code = firmwareCode(board, w);
      expect(code.split(`[${w.join(',')}]`)).toHaveLength(2);
      expect(firmwareCode(board, undefined)).not.toContain(`[${w.join(',')}]`);
    }
  });

  it('rejects bad options with a clear message', () => {
    const res = spawnSync('node', [BIN, 'eval', '--board', 'nokia', '--manifest', manifest], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("--board: 'nokia' is not one of puckjs, bangle2, lora");
    const both = spawnSync('node', [BIN, 'eval', '--folds', '7', '--leave-one-lab-out', '--manifest', manifest], { encoding: 'utf8' });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--folds and --leave-one-lab-out are two ways of validating: choose one');
    const none = spawnSync('node', [BIN, 'eval', '--dataset', 'MobiAct', '--manifest', manifest], { encoding: 'utf8' });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('no trials selected');
  });
});
