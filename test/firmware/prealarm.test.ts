/**
 * Automatic alarms through the pre-alarm on the built Puck.js firmware: a man-down (posture held
 * past tiltS) opens the cancel window; the button cancels, standing up cancels, holding the button
 * sends it at once, a reboot keeps it.
 */
import { boot, hold, LYING, UPRIGHT, type Rig } from './helpers';

const SETTINGS = { tiltS: 5, fall: false, still: false };

/** Upright long enough to calibrate, then lying until the pre-alarm starts. */
function manDown(rig: Rig): void {
  hold(rig, 3, UPRIGHT);
  hold(rig, 6, LYING);
}

const ledOn = (rig: Rig, name: string, sinceMs = 0): number => rig.signals.led.filter((e) => e.name === name && e.on && e.atMs >= sinceMs).length;

describe('pre-alarm and cancel window', () => {
  it('announces a man-down with a pre_alarm frame and red warnings, then sends the alarm 20 s later', () => {
    const rig = boot({ settings: SETTINGS });
    manDown(rig);
    const pre = rig.of('pre_alarm');
    expect(pre).toHaveLength(1);
    expect(pre[0]).toMatchObject({ detail: 4, ref: pre[0]!.counter, flags: { pending: true, protection: true } }); // detail = man_down
    const startedAt = rig.frames.find((f) => f.frame.type === 'pre_alarm')!.atMs;
    hold(rig, 19, LYING);
    expect(rig.of('man_down')).toHaveLength(0);
    expect(ledOn(rig, 'LED1', startedAt)).toBeGreaterThanOrEqual(9 * 3); // three red flashes every 2 s
    hold(rig, 2, LYING);
    const alarm = rig.frames.find((f) => f.frame.type === 'man_down')!;
    expect(alarm.atMs - startedAt).toBeGreaterThanOrEqual(20_000);
    expect(alarm.atMs - startedAt).toBeLessThan(20_200);
    expect(alarm.frame).toMatchObject({ ref: pre[0]!.counter, detail: 0, flags: { pending: false } });
  });

  it('a press in the window cancels: a cancel frame about the pre-alarm, and no alarm ever', () => {
    const rig = boot({ settings: SETTINGS });
    manDown(rig);
    const pre = rig.of('pre_alarm')[0]!;
    rig.board.press('BTN', 200);
    hold(rig, 60, LYING);
    expect(rig.of('cancel')).toEqual([expect.objectContaining({ detail: 4, ref: pre.counter })]);
    expect(rig.of('man_down')).toHaveLength(0);
    expect(rig.of('pre_alarm')).toHaveLength(1); // still lying: the detector does not fire again until recovery
  });

  it('standing up in the window cancels a man-down by itself', () => {
    const rig = boot({ settings: SETTINGS });
    manDown(rig);
    hold(rig, 5, UPRIGHT);
    expect(rig.of('cancel')).toHaveLength(1);
    hold(rig, 30, UPRIGHT);
    expect(rig.of('man_down')).toHaveLength(0);
  });

  it('holding the button in the window sends the alarm at once', () => {
    const rig = boot({ settings: SETTINGS });
    manDown(rig);
    rig.board.press('BTN', 2300);
    hold(rig, 2.5, LYING);
    expect(rig.of('man_down')).toHaveLength(1);
    expect(rig.of('cancel')).toHaveLength(0);
  });

  it('keeps the cancel window between 15 and 45 s whatever the setting', () => {
    for (const [pre, expectS] of [[5, 15], [30, 30], [90, 45]] as const) {
      const rig = boot({ settings: { ...SETTINGS, pre } });
      manDown(rig);
      const startedAt = rig.frames.find((f) => f.frame.type === 'pre_alarm')!.atMs;
      hold(rig, 50, LYING);
      const alarm = rig.frames.find((f) => f.frame.type === 'man_down')!;
      expect(Math.round((alarm.atMs - startedAt) / 1000)).toBe(expectS);
    }
  });

  it('starts the pre-alarm again after a reboot in the window, with the same incident ref', () => {
    const rig = boot({ settings: SETTINGS });
    manDown(rig);
    const pre = rig.of('pre_alarm')[0]!;
    hold(rig, 10, LYING);
    rig.reboot();
    rig.clock.advance(100);
    const again = rig.of('pre_alarm');
    expect(again).toHaveLength(2);
    expect(again[1]!.ref).toBe(pre.counter);
    rig.clock.advance(21_000);
    expect(rig.of('man_down')[0]).toMatchObject({ ref: pre.counter });
  });

  it('sends an SOS with a short cancel window when sosC is set', () => {
    const rig = boot({ settings: { sosC: 5 } });
    rig.board.press('BTN', 2300);
    rig.clock.advance(2100);
    expect(rig.of('pre_alarm')).toEqual([expect.objectContaining({ detail: 2 })]);
    rig.clock.advance(5000);
    expect(rig.of('sos')).toHaveLength(1);
  });
});
