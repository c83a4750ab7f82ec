/** The built Bangle.js 2 firmware in the stand-in: sensor set-up, BTN1, menu, screen and buzzer, GPS. */
import { bangleState, menuSelect, setGpsFix } from '../../simulator/src/espruino/bangle';
import { accelState } from '../../simulator/src/espruino/profiles';
import { boot, hold, LYING, UPRIGHT } from './helpers';

describe('Bangle.js 2 firmware', () => {
  it('raises the KX023 to 25 Hz at ±8 g while protected, and back to its defaults when not', () => {
    const rig = boot({ board: 'bangle2' });
    expect(accelState(rig.board)).toEqual({ rateHz: 25, rangeG: 8 });
    expect(bangleState(rig.board).pollMs).toBe(40);
    const fast = boot({ board: 'bangle2', settings: { hz: 50 } });
    expect(accelState(fast.board).rateHz).toBe(50);
    rig.down('protection', rig.last().counter, 0);
    expect(accelState(rig.board)).toEqual({ rateHz: 0, rangeG: 4 });
    expect(bangleState(rig.board).pollMs).toBe(80);
  });

  it('sends SOS on a 2 s BTN1 hold instead of reloading the clock app', () => {
    const rig = boot({ board: 'bangle2' });
    expect(bangleState(rig.board).options['btnLoadTimeout']).toBe(0);
    rig.board.press('BTN', 2500);
    rig.clock.advance(3000);
    expect(rig.board.bootCount).toBe(1);
    expect(rig.of('sos')).toHaveLength(1);
    expect(rig.signals.buzz.at(-1)!.ms).toBe(1000);
    expect(rig.signals.draw.at(-1)!.text).toContain('Alarm sent');
  });

  it('opens a menu on a press; switching protection there sends protection_off', () => {
    const rig = boot({ board: 'bangle2' });
    rig.board.press('BTN', 120);
    rig.clock.advance(500);
    expect(bangleState(rig.board).menu).toBeDefined();
    expect(menuSelect(rig.board, 'Protection')).toBe(true);
    expect(rig.of('protection_off')).toHaveLength(1);
    expect(rig.signals.draw.at(-1)!.text).toContain('Protection off');
  });

  it('warns on screen and by vibration during a pre-alarm, and buzzes a distinct pattern for help coming', () => {
    const rig = boot({ board: 'bangle2', settings: { tiltS: 5, fall: false, still: false } });
    hold(rig, 3, UPRIGHT);
    hold(rig, 6, LYING);
    expect(rig.signals.draw.at(-1)!.text).toMatch(/^MAN DOWN\?: Press the button/);
    const buzzes = rig.signals.buzz.length;
    hold(rig, 10, LYING);
    expect(rig.signals.buzz.length - buzzes).toBeGreaterThanOrEqual(4);
    hold(rig, 11, LYING);
    rig.down('help_coming', rig.last().counter);
    rig.clock.advance(3000);
    expect(rig.signals.draw.at(-1)!.text).toContain('HELP IS');
    expect(rig.signals.buzz.slice(-3).map((b) => b.ms)).toEqual([500, 500, 500]);
  });

  it('turns the GPS on when an alarm starts and sends the fix in the alarm frames', () => {
    const rig = boot({ board: 'bangle2' });
    rig.board.press('BTN', 2500);
    rig.clock.advance(2100);
    expect(bangleState(rig.board).gpsApps.has('vigil')).toBe(true);
    setGpsFix(rig.board, { lat: 48.8566, lon: 2.3522 }, 20_000);
    rig.clock.advance(40_000);
    const withFix = rig.of('sos').filter((f) => f.position?.kind === 'gps');
    expect(withFix.length).toBeGreaterThanOrEqual(1);
    const p = withFix[0]!.position as { lat: number; lon: number };
    expect(p.lat).toBeCloseTo(48.8566, 4);
    expect(p.lon).toBeCloseTo(2.3522, 4);
    rig.clock.advance(300_000);
    expect(bangleState(rig.board).gpsApps.size).toBe(0); // off again after `gps` seconds
  });
});
