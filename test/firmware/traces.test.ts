/**
 * Recorded falls and daily activities (SisFall, ../shared/data/falls) through the built firmware on
 * each board, at the board's own sample rate: falls raise a pre-alarm then a fall alarm; daily
 * activities raise nothing. The accuracy study is the evaluator's (docs/detection.md); this checks
 * the firmware path: sensor set-up, units and range, the detector, the pre-alarm flow.
 */
import { join } from 'node:path';
import { DEFAULT_FALLS_DIR, fallsDataAvailable, readManifest, readTrace, resample, type TrialRow } from '../../simulator/src/trace';
import { accelRateHz, feedAccel } from '../../simulator/src/espruino/profiles';
import { boot } from './helpers';

const FALLS = [['SA01', 'F01'], ['SA02', 'F05'], ['SA03', 'F09'], ['SA04', 'F03'], ['SA06', 'F13'], ['SE06', 'F15']];
const DAILY = [['SA01', 'D01'], ['SA02', 'D07'], ['SA03', 'D11'], ['SA07', 'D13'], ['SA04', 'D17'], ['SE03', 'D10']];

/** Frame types the firmware sends for one trial; a fall's last posture is held 25 s (the wearer stays down). */
function replay(board: 'puckjs' | 'bangle2', row: TrialRow): string[] {
  const rig = boot({ board, settings: { tilt: false, still: false } });
  const rate = accelRateHz(rig.board);
  const t = resample(readTrace(row.file), rate);
  const feed = (i: number): void => {
    rig.clock.advance(1000 / rate);
    feedAccel(rig.board, t.x[i]!, t.y[i]!, t.z[i]!);
  };
  for (let i = 0; i < t.x.length; i++) feed(i);
  if (row.isFall) for (let k = 0; k < 25 * rate; k++) feed(t.x.length - 1);
  expect(rig.board.errors).toEqual([]);
  return rig.frames.map((f) => f.frame.type).filter((type) => type !== 'heartbeat');
}

const available = fallsDataAvailable();
const rows = available ? readManifest(join(DEFAULT_FALLS_DIR, 'manifest.csv')) : [];
const pick = (list: string[][]): TrialRow[] => list.map(([s, a]) => rows.find((r) => r.subject === s && r.activity === a && r.trial === 1)!);

(available ? describe : describe.skip).each(['puckjs', 'bangle2'] as const)('recorded trials through the %s firmware', (board) => {
  it('raises a pre-alarm then a fall alarm for recorded falls', () => {
    const results = pick(FALLS).map((r) => replay(board, r));
    const detected = results.filter((types) => types[0] === 'pre_alarm' && types.includes('fall'));
    expect(detected.length).toBeGreaterThanOrEqual(FALLS.length - 1);
  });

  it('stays quiet through daily activities', () => {
    const results = pick(DAILY).map((r) => replay(board, r));
    expect(results.filter((types) => types.length > 0).length).toBeLessThanOrEqual(1);
  });
});
