/**
 * detect.js in the real Espruino interpreter (ESPRUINO: a Linux build with the Puck.js v2's 2,630
 * variables, as for `make check-espruino`) against the same file in Node, on a recorded fall of
 * each lab with the three detectors on: the same events at the same samples and the same logits;
 * and the variables a detector's state takes in the interpreter's own count. Skipped without an
 * interpreter (CI has none) or without the recordings.
 */
import { join } from 'node:path';
import { recordingMount } from '../../simulator/src/replay/orientation';
import { espruinoBinary, runInEspruino, runInNode } from '../../simulator/src/replay/espruino-detect';
import { prepareTrial, quantise } from '../../simulator/src/replay/prepare';
import { DEFAULT_FALLS_DIR, fallsDataAvailable, readManifest } from '../../simulator/src/trace';

const HZ = 26;
const COUNTS_PER_G = 8192; // the Puck.js at ±4 g, as puck_hw.js divides

const bin = espruinoBinary();
const run = bin && fallsDataAvailable() ? describe : describe.skip;
run('detect.js in the real Espruino interpreter', () => {
  const rows = fallsDataAvailable() ? readManifest(join(DEFAULT_FALLS_DIR, 'manifest.csv')) : [];
  const counts = (dataset: string, subject: string, activity: string): Int16Array => {
    const row = rows.find((r) => r.dataset === dataset && r.subject === subject && r.activity === activity)!;
    // a 70 s still tail: man-down (30 s) and no-motion (60 s) fire too
    const t = prepareTrial(row, { rateHz: HZ, rotation: recordingMount(dataset), tailS: 70 });
    const c = new Int16Array(t.x.length * 3);
    for (let i = 0; i < t.x.length; i++) {
      c[3 * i] = Math.round(quantise(t.x[i]!, 4) * COUNTS_PER_G);
      c[3 * i + 1] = Math.round(quantise(t.y[i]!, 4) * COUNTS_PER_G);
      c[3 * i + 2] = Math.round(quantise(t.z[i]!, 4) * COUNTS_PER_G);
    }
    return c;
  };

  it.each([
    ['SisFall', 'SA01', 'F01'],
    ['UMAFall', 'S05', 'FALL_forwardFall'],
    ['FallAllD', 'S02', 'A107'],
  ])('gives the events and logits of Node on %s %s %s, with about a hundred variables of state', async (dataset, subject, activity) => {
    const c = counts(dataset, subject, activity);
    const cfg = { hz: HZ, tiltS: 30, stillS: 60 };
    const real = await runInEspruino(bin!, c, cfg, COUNTS_PER_G);
    const node = runInNode(c, cfg, COUNTS_PER_G);
    expect(real.events).toEqual(node.events);
    expect(real.events.map((e) => e.code)).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(real.decisions.map((d) => d.sample)).toEqual(node.decisions.map((d) => d.sample));
    real.decisions.forEach((d, i) => expect(d.logit).toBeCloseTo(node.decisions[i]!.logit, 6));
    const m = real.memory;
    console.log(`${dataset} ${subject} ${activity}: ${real.events.length} events, ${real.decisions.length} decided; the state holds ${m.created} of ${m.total} variables when created, ${m.created + m.firstSecond} after the first second, ${m.created + m.firstSecond + m.later} after ${c.length / 3} samples`);
    expect(m.total).toBe(2630);
    expect(m.created + m.firstSecond).toBeLessThan(125);
    // later only a few numbers that become fractional for the first time (at an event): nothing
    // grows per sample over 2,000 samples
    expect(m.later).toBeLessThanOrEqual(6);
  }, 60_000);
});
