/**
 * firmware/src/lib/detect.js (VDetect) on synthetic signals with exact timings, and on recorded
 * SisFall trials when the data set is present (../shared/data/falls).
 */
import { join } from 'node:path';
import { loadDetector, runDetector, type DetectConfig } from '../../simulator/src/replay/detector';
import { POSITION_ROTATIONS } from '../../simulator/src/replay/orientation';
import { prepareTrial, quantise } from '../../simulator/src/replay/prepare';
import { DEFAULT_FALLS_DIR, fallsDataAvailable, readManifest } from '../../simulator/src/trace';

const api = loadDetector();
const HZ = 26;
/** Features before the lying flag (detect.js NB): the flag is f[NB], the same features when lying follow. */
const NB = (api.NF - 1) / 2;

/** n samples of a constant vector (g) with a little deterministic jitter. */
function hold(v: [number, number, number], seconds: number, jitter = 0.003): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < Math.round(seconds * HZ); i++) {
    const j = jitter * Math.sin(i * 1.7);
    out.push([v[0] + j, v[1] - j, v[2] + j / 2]);
  }
  return out;
}

function run(cfg: Partial<DetectConfig>, samples: [number, number, number][]): { sample: number; code: number }[] {
  const xs = samples.map((s) => s[0]);
  const ys = samples.map((s) => s[1]);
  const zs = samples.map((s) => s[2]);
  return runDetector(api, { hz: HZ, ...cfg }, xs, ys, zs).events;
}

const UP: [number, number, number] = [0, 1, 0];
const ON_BACK: [number, number, number] = [0, 0, 1];

describe('VDetect', () => {
  it('stays quiet for a wearer standing still or walking upright', () => {
    const walk: [number, number, number][] = [];
    for (let i = 0; i < 60 * HZ; i++) {
      const ph = (2 * Math.PI * 1.8 * i) / HZ;
      walk.push([0.1 * Math.sin(ph / 2), 1 + 0.35 * Math.sin(ph), 0.15 * Math.cos(ph)]);
    }
    expect(run({ still: false }, [...hold(UP, 10), ...walk])).toEqual([]);
  });

  it('raises man-down after tiltS beyond tiltDeg from the learned upright, and upright-again after recoverS', () => {
    const ev = run({ fall: false, still: false, tiltS: 30, recoverS: 3 }, [...hold(UP, 5), ...hold(ON_BACK, 40), ...hold(UP, 10)]);
    expect(ev.map((e) => e.code)).toEqual([2, 4]);
    // tilted from 5 s; the gravity estimate (0.5 s time constant) crosses 45° within about 0.5 s
    expect(ev[0]!.sample / HZ).toBeGreaterThan(35);
    expect(ev[0]!.sample / HZ).toBeLessThan(36.5);
    expect(ev[1]!.sample / HZ).toBeGreaterThan(48);
    expect(ev[1]!.sample / HZ).toBeLessThan(49.5);
  });

  it('uses the upright it was given rather than the first seconds', () => {
    const st = api.create({ hz: HZ, fall: false, still: false, tiltS: 5 });
    for (const s of hold(ON_BACK, 3)) api.step(st, ...s);
    // protection switched on while lying: that is "upright" now; standing up is a tilt
    api.upright(st);
    const codes: number[] = [];
    for (const s of hold(UP, 8)) codes.push(api.step(st, ...s));
    expect(codes.filter((c) => c !== 0)).toEqual([2]);
  });

  it('does not raise man-down for a tilt shorter than tiltS', () => {
    expect(run({ fall: false, still: false, tiltS: 30 }, [...hold(UP, 5), ...hold(ON_BACK, 25), ...hold(UP, 10)])).toEqual([]);
  });

  it('raises no-motion after stillS without motion, and moving-again when motion resumes', () => {
    const moving: [number, number, number][] = [];
    for (let i = 0; i < 5 * HZ; i++) moving.push([0.3 * Math.sin(i), 1 + 0.3 * Math.cos(i * 1.3), 0.2 * Math.sin(i * 0.7)]);
    const ev = run({ fall: false, tilt: false, stillS: 60 }, [...moving, ...hold(UP, 70), ...moving]);
    expect(ev.map((e) => e.code)).toEqual([3, 5]);
    expect(ev[0]!.sample / HZ).toBeGreaterThan(64);
    expect(ev[0]!.sample / HZ).toBeLessThan(66);
  });

  it('switches detectors off with 0 as well as false, and re-arms on reset', () => {
    expect(run({ fall: 0 as unknown as boolean, tilt: 0 as unknown as boolean, still: 0 as unknown as boolean }, [...hold(UP, 5), ...hold(ON_BACK, 100)])).toEqual([]);
    const st = api.create({ hz: HZ, fall: false, still: false, tiltS: 5 });
    const codes: number[] = [];
    for (const s of [...hold(UP, 3), ...hold(ON_BACK, 6)]) codes.push(api.step(st, ...s));
    api.reset(st);
    for (const s of hold(ON_BACK, 6)) codes.push(api.step(st, ...s));
    expect(codes.filter((c) => c !== 0)).toEqual([2, 2]); // still lying after a reset: raised again
  });

  it('decides a fall event 7 s after its largest impact, however the wearer moves after it', () => {
    const st = api.create({ hz: HZ, tilt: false, still: false }) as unknown as { nc: number; f: Float32Array };
    const feed = (samples: [number, number, number][]): number => {
      let at = -1;
      for (const s of samples) {
        const nc = st.nc;
        api.step(st as never, ...s);
        if (st.nc !== nc && at < 0) at = n;
        n++;
      }
      return at;
    };
    let n = 0;
    feed(hold(UP, 10));
    const firstImpact = n;
    feed([[0, 2, 0]]); // a stumble…
    feed(hold(UP, 1));
    const impact = n;
    feed([[0, 0.5, 3]]); // …then the fall's larger impact, onto the back
    const shaking: [number, number, number][] = [];
    for (let i = 0; i < 2 * HZ; i++) shaking.push([0.3 * Math.sin(i), 0.2, 1 + (i % 5 === 0 ? 0.7 : 0.1 * Math.cos(i))]);
    feed(shaking); // moving on the floor, smaller jolts: the decision does not wait for them
    const decided = feed(hold(ON_BACK, 10));
    expect(firstImpact).toBe(10 * HZ);
    expect(decided - impact).toBe(7 * HZ);
    expect(st.f[0]).toBeCloseTo(0, 1); // posture after against before: a quarter turn
    expect(st.f[1]).toBeCloseTo(0, 1); // against upright
    expect(st.f[2]).toBeCloseTo(Math.log(Math.hypot(0, 0.5, 3)), 5); // the largest impact
    expect(st.f[NB]).toBe(0); // upright before: the lying weights stay out
    expect(Array.from(st.f.subarray(NB + 1)).every((v) => v === 0)).toBe(true);
  });

  it('adds the lying weights when the wearer lay before the impact (out of bed, not turning in it)', () => {
    const st = api.create({ hz: HZ, tilt: false, still: false }) as unknown as { f: Float32Array; nc: number };
    for (const s of [...hold(UP, 3), ...hold(ON_BACK, 10), [2, 0, 0.5] as [number, number, number], ...hold([1, 0, 0], 10)]) api.step(st as never, ...s);
    expect(st.nc).toBe(1);
    expect(st.f[NB]).toBe(1);
    expect(Array.from(st.f.subarray(NB + 1))).toEqual(Array.from(st.f.subarray(0, NB)));
  });

  it('tells lying down onto a bed (a soft impact, then lying back) from a fall that comes to rest at its impact', () => {
    type St = { f: Float32Array; nc: number };
    const decide = (samples: [number, number, number][]): Float32Array => {
      const st = api.create({ hz: HZ, tilt: false, still: false }) as unknown as St;
      for (const s of samples) api.step(st as never, ...s);
      expect(st.nc).toBe(1);
      return st.f;
    };
    // Sitting onto the bed with 1.6 g, 2 s of moving (0.3 g), lying back over 1 s, then still.
    const settle: [number, number, number][] = [];
    for (let i = 0; i < 2 * HZ; i++) settle.push([0.3 * Math.sin(i * 0.9), 1, 0.3 * Math.cos(i * 1.3)]);
    const lieBack: [number, number, number][] = [];
    for (let i = 1; i <= HZ; i++) lieBack.push([0, Math.cos((i / HZ) * Math.PI / 2), Math.sin((i / HZ) * Math.PI / 2)]);
    const bed = decide([...hold(UP, 10), [0, 1.6, 0], ...settle, ...lieBack, ...hold(ON_BACK, 10)]);
    const fall = decide([...hold(UP, 10), [0, 0.5, 3], ...hold(ON_BACK, 12)]);
    expect(bed[8]).toBeCloseTo(10 * (Math.log(2) - Math.log(1.6)), 4); // soft: below 2 g
    expect(fall[8]).toBe(0); // 3 g is not soft, and neither is its product with the motion after
    expect(fall[9]).toBe(0);
    expect(bed[9]).toBeGreaterThan(bed[8]! * (Math.log(0.1) + 4)); // moving 1-4 s after the impact
    expect(bed[10]).toBeGreaterThan(8); // turned a quarter from where it was 1.5 s after the impact
    expect(fall[10]).toBeLessThan(0.5); // at rest where it landed
  });

  it('keeps its state small enough for a Puck.js (about 100 JsVars)', () => {
    const st = api.create({ hz: 52 }) as unknown as Record<string, unknown>;
    // Espruino: a property is a name var (holding an int value itself) plus a var for a float;
    // typed arrays are a name, an ArrayBuffer and their bytes in 12-byte blocks (ESPRUINO.md §4).
    let vars = 0;
    for (const [k, v] of Object.entries(st)) {
      if (k === 'w') vars += 1; // a reference to the shared model array
      else if (ArrayBuffer.isView(v)) vars += 3 + Math.ceil(v.byteLength / 12);
      else vars += Number.isInteger(v) ? 1 : 2;
    }
    expect(vars).toBeLessThanOrEqual(100);
  });
});

const data = fallsDataAvailable() ? describe : describe.skip;
data('VDetect on recorded SisFall trials', () => {
  const rows = fallsDataAvailable() ? readManifest(join(DEFAULT_FALLS_DIR, 'manifest.csv')) : [];
  const trial = (subject: string, activity: string, n: number) => rows.find((r) => r.subject === subject && r.activity === activity && r.trial === n)!;
  const events = (subject: string, activity: string, n: number, hz: number, rangeG = 4) => {
    const t = prepareTrial(trial(subject, activity, n), { rateHz: hz, rotation: POSITION_ROTATIONS.waist.matrix, tailS: 20 });
    const q = (v: Float32Array) => Array.from(v, (s) => quantise(s, rangeG));
    return { t, ev: runDetector(api, { hz, tilt: false, still: false }, q(t.x), q(t.y), q(t.z)).events };
  };

  it.each([12.5, 26, 52])('detects a forward slip (SA01 F01 R01) at %s Hz within 10 s of the impact', (hz) => {
    const { ev } = events('SA01', 'F01', 1, hz);
    const peakS = trial('SA01', 'F01', 1).peakSvmMs / 1000;
    expect(ev.map((e) => e.code)).toEqual([1]);
    expect(ev[0]!.sample / hz).toBeGreaterThan(peakS);
    expect(ev[0]!.sample / hz).toBeLessThan(peakS + 10);
  });

  it('stays quiet through 100 s of jogging and a stumble (SA02 D04, SA03 D18)', () => {
    expect(events('SA02', 'D04', 1, 26).ev).toEqual([]);
    expect(events('SA03', 'D18', 1, 26).ev).toEqual([]);
  });
});
