/** Trace replay: mounting rotations, random orientations, the still tail, the sensor model. */
import { mul, POSITION_ROTATIONS, POSITIONS, randomRotation, trialRotation, type Mat3 } from '../../simulator/src/replay/orientation';
import { prepareSamples, quantise } from '../../simulator/src/replay/prepare';

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
  it.each(POSITIONS)('%s is a proper rotation', (p) => expectRotation(POSITION_ROTATIONS[p].matrix));

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
    expect(trialRotation('waist', 42, 'SisFall/SA01/F01_R01.csv.gz')).toEqual(trialRotation('waist', 42, 'SisFall/SA01/F01_R01.csv.gz'));
    expect(trialRotation('waist', 42, 'SisFall/SA01/F01_R01.csv.gz')).not.toEqual(trialRotation('waist', 42, 'SisFall/SA01/F01_R02.csv.gz'));
    expect(trialRotation('waist', undefined, 'x')).toEqual(POSITION_ROTATIONS.waist.matrix);
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

describe('sensor model', () => {
  it('rounds to 16-bit counts and clips each axis at the range', () => {
    expect(quantise(1, 4)).toBe(1);
    expect(quantise(5, 4)).toBeCloseTo(4 - 1 / 8192, 9);
    expect(quantise(-9, 8)).toBe(-8);
    expect(quantise(0.00001, 16)).toBe(0);
  });
});
