/** Trace replay: mounting rotations, random orientations, the still tail, the sensor model. */
import { mul, POSITION_ROTATIONS, RECORDING_MOUNTS, randomRotation, recordingMount, trialRotation, type Mat3 } from '../../simulator/src/replay/orientation';
import { prepareSamples, quantise, SETTLE_S } from '../../simulator/src/replay/prepare';
import { impactMs, wearerUprights } from '../../simulator/src/eval/wearer';
import { resample, type Trace, type TrialRow } from '../../simulator/src/trace';

function det(m: Mat3): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

function expectRotation(m: Mat3): void {
  const t: Mat3 = [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
  const i = mul(m, t);
  [1, 0, 0, 0, 1, 0, 0, 0, 1].forEach((v, k) => expect(i[k]).toBeCloseTo(v, 9));
  expect(det(m)).toBeCloseTo(1, 9);
}

const apply = (m: Mat3, v: [number, number, number]) => [0, 1, 2].map((r) => m[r * 3]! * v[0] + m[r * 3 + 1]! * v[1] + m[r * 3 + 2]! * v[2]);

describe('positions and rotations', () => {
  it.each(['waist', 'wrist'] as const)('the %s mounting is a proper rotation', (p) => expectRotation(POSITION_ROTATIONS[p].matrix));
  it.each(Object.keys(RECORDING_MOUNTS))('%s\'s axes turn by a proper rotation', (d) => expectRotation(recordingMount(d)));

  it('puts every data set\'s upright on the badge\'s +y (falls README, "Axes")', () => {
    const near = (a: number[], b: number[]) => b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 9));
    near(apply(recordingMount('SisFall'), [0, -1, 0]), [0, 1, 0]);
    near(apply(recordingMount('UMAFall'), [1, 0, 0]), [0, 1, 0]);
    near(apply(recordingMount('FallAllD'), [1, 0, 0]), [0, 1, 0]);
    expect(() => recordingMount('MobiAct')).toThrow("no axes known for data set 'MobiAct'");
  });

  it('puts a SisFall wearer standing upright (y = −1 g) on the badge\'s +y and lying on the back on its +z', () => {
    const waist = POSITION_ROTATIONS.waist.matrix;
    const near = (a: number[], b: number[]) => b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 9));
    near(apply(waist, [0, -1, 0]), [0, 1, 0]);
    near(apply(waist, [0, 0, 1]), [0, 0, 1]);
    // the watch on a hanging arm: gravity runs along the forearm (3 o'clock points down)
    near(apply(POSITION_ROTATIONS.wrist.matrix, [0, -1, 0]), [-1, 0, 0]);
  });

  it('draws random orientations that are rotations, fixed by the seed and different per trial', () => {
    for (let s = 1; s < 50; s++) expectRotation(randomRotation(s));
    expect(randomRotation(7)).toEqual(randomRotation(7));
    expect(trialRotation('SisFall', 42, 'SisFall/SA01/F01_R01.csv.gz')).toEqual(trialRotation('SisFall', 42, 'SisFall/SA01/F01_R01.csv.gz'));
    expect(trialRotation('SisFall', 42, 'SisFall/SA01/F01_R01.csv.gz')).not.toEqual(trialRotation('SisFall', 42, 'SisFall/SA01/F01_R02.csv.gz'));
    expect(trialRotation('SisFall', undefined, 'x')).toEqual(POSITION_ROTATIONS.waist.matrix);
  });
});

describe('still tail', () => {
  const rateHz = 25;
  const n = 100;
  const trace = { rateHz, x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    trace.x[i] = i < 50 ? 0.3 * Math.sin(i) : 0.01 * Math.sin(i);
    trace.y[i] = i < 50 ? -1 : 0.05;
    trace.z[i] = i < 50 ? 0 : 0.98;
  }
  const identity: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

  it('holds the final posture for tailS with small noise, the same on every run', () => {
    const a = prepareSamples(trace, { rateHz, rotation: identity, tailS: 10 }, 'trial-a');
    expect(a.recordedSamples).toBe(n);
    expect(a.x.length).toBe(n + 10 * rateHz);
    const tailZ = Array.from(a.z.subarray(n));
    const mean = tailZ.reduce((s, v) => s + v, 0) / tailZ.length;
    expect(mean).toBeCloseTo(0.98, 2);
    const sd = Math.sqrt(tailZ.reduce((s, v) => s + (v - mean) ** 2, 0) / tailZ.length);
    expect(sd).toBeGreaterThanOrEqual(0.0015);
    expect(sd).toBeLessThan(0.025);
    expect(prepareSamples(trace, { rateHz, rotation: identity, tailS: 10 }, 'trial-a').z).toEqual(a.z);
    expect(prepareSamples(trace, { rateHz, rotation: identity, tailS: 10 }, 'trial-b').z).not.toEqual(a.z);
  });

  it('rotates the recording and the tail alike', () => {
    const m = POSITION_ROTATIONS.waist.matrix;
    const r = prepareSamples(trace, { rateHz, rotation: m, tailS: 2 }, 'trial-a');
    expect(r.y[0]).toBeCloseTo(1, 6); // standing: +y on the badge
    expect(r.z[r.z.length - 1]).toBeCloseTo(0.98, 1); // lying on the back: +z
  });
});

describe('switch-on', () => {
  const rateHz = 25;
  const trace = { rateHz, x: new Float32Array(50).fill(0.02), y: new Float32Array(50).fill(0.1), z: new Float32Array(50).fill(0.99) };
  const m = POSITION_ROTATIONS.waist.matrix;

  it('holds the wearer\'s upright, then the recording\'s first posture, before the recording, and counts those samples apart', () => {
    const t = prepareSamples(trace, { rateHz, rotation: m, tailS: 1, switchOn: { seconds: 3, upright: [0, -1, 0] } }, 'trial-a');
    const pre = 75 + SETTLE_S * rateHz;
    expect(t.prefixSamples).toBe(pre);
    expect(t.recordedSamples).toBe(50);
    expect(t.x.length).toBe(pre + 50 + 25);
    const mean = (v: Float32Array, from: number, to: number) => Array.from(v.subarray(from, to)).reduce((a, b) => a + b, 0) / (to - from);
    expect(mean(t.y, 0, 75)).toBeCloseTo(1, 2); // SisFall's upright (−y) is the badge's +y
    expect(mean(t.z, 75, pre)).toBeCloseTo(0.99, 2); // settled in the recording's first posture (lying on the back)
    expect(t.z[pre]).toBeCloseTo(0.99, 6); // then the recording, unchanged
    expect(prepareSamples(trace, { rateHz, rotation: m, tailS: 1 }, 'trial-a').prefixSamples).toBe(0);
  });
});

describe('resampling onto a uniform grid', () => {
  it('averages a fast recording over each sample period', () => {
    const n = 2000;
    const x = Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0)); // 200 Hz, alternating
    const r = resample({ rateHz: 200, x, y: new Float32Array(n), z: new Float32Array(n) }, 25);
    expect(r.x.length).toBe(249); // 9.995 s of samples
    for (const v of r.x) expect(v).toBeCloseTo(0.5, 1);
  });

  it('places irregular samples by their own times (UMAFall\'s BLE bursts) and interpolates a slow recording', () => {
    // a ramp of 1 g/s sampled at irregular times: on the grid it is still the ramp
    const tMs = Float64Array.from([0, 7, 33, 66, 115, 166, 214, 262, 320, 358, 408, 466, 510, 554, 608, 656, 711, 803, 824, 1000, 1050, 1100]);
    const v = Float32Array.from(tMs, (t) => t / 1000);
    const r = resample({ rateHz: 20, x: v, y: v, z: v, tMs }, 50);
    expect(r.x.length).toBe(55);
    // sample k is the mean over its period, ((k + 0.5) × 20 ms) on a ramp
    r.x.forEach((val, k) => expect(val).toBeCloseTo(((k + 0.5) * 20) / 1000, 5));
  });
});

describe('wearer upright and impact', () => {
  const row = (over: Partial<TrialRow>): TrialRow => ({
    dataset: 'FallAllD', file: 'f', subject: 'S01', ageGroup: 'adult', activity: 'A020', description: 'Walking slowly', isFall: false, rateHz: 119,
    durationS: 20, position: 'neck', trial: 1, nSamples: 0, age: 0, peakSvmG: 0, peakSvmMs: 0, recovery: false, ...over,
  });
  const still = (v: [number, number, number], n = 10): Trace => ({ rateHz: 10, x: new Float32Array(n).fill(v[0]), y: new Float32Array(n).fill(v[1]), z: new Float32Array(n).fill(v[2]) });

  it('learns each wearer\'s upright from their walking, and the mean of the others\' for a wearer who never walked', () => {
    const traces: Record<string, Trace> = { a: still([0.96, 0, 0.28]), b: still([0.8, 0.6, 0]), c: still([0, 0, 1]) };
    const rows = [
      row({ file: 'a' }), row({ file: 'b', subject: 'S02', activity: 'A022' }),
      row({ file: 'c', subject: 'S02', activity: 'A016' }), // lying down: not a walk
      row({ file: 'c', subject: 'S03', activity: 'A016' }),
    ];
    const u = wearerUprights(rows, (f) => traces[f]!);
    expect(u.get('FallAllD/S01/neck')![0]).toBeCloseTo(0.96, 5);
    expect(u.get('FallAllD/S02/neck')).toEqual([expect.closeTo(0.8, 5), expect.closeTo(0.6, 5), 0]);
    const s3 = u.get('FallAllD/S03/neck')!;
    expect(Math.hypot(...s3)).toBeCloseTo(1, 6);
    expect(s3[0]).toBeGreaterThan(0.9);
    expect(() => wearerUprights([row({ activity: 'A016' })], (f) => traces[f] ?? still([0, 0, 1]))).toThrow('no walking trial of FallAllD at the neck');
  });

  it('takes a FallAllD fall\'s impact in the middle of the recording, elsewhere the manifest\'s peak', () => {
    const n = 200; // 20 s at 10 Hz: a jogging step of 5 g at 2 s, the fall's 3 g at 10.5 s
    const t = still([1, 0, 0], n);
    t.x[20] = 5;
    t.x[105] = 3;
    expect(impactMs(row({ isFall: true, activity: 'A121', peakSvmMs: 2000 }), t)).toBe(10500);
    expect(impactMs(row({ dataset: 'SisFall', isFall: true, activity: 'F01', peakSvmMs: 2000 }), t)).toBe(2000);
  });
});

describe('sensor model', () => {
  it('rounds to 16-bit counts and clips each axis at the range', () => {
    expect(quantise(1, 4)).toBe(1);
    expect(quantise(5, 4)).toBeCloseTo(4 - 1 / 8192, 9);
    expect(quantise(-9, 8)).toBe(-8);
    expect(quantise(0.00001, 16)).toBe(0);
  });
});
