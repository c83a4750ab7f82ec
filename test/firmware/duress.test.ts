/**
 * Covert duress on the built firmware: a double tap on the face, through each board's tap engine
 * (Puck.js: LSM6DS3TR-C double tap latched on INT1; Bangle.js 2: KX023 `tap` with double). Silent,
 * always: no LED, no buzz, no screen change — not when it starts, not when the centre answers.
 */
import { bangleState, setGpsFix, tapBangle } from '../../simulator/src/espruino/bangle';
import { feedPuckAccel, puckAccel, puckEventRateHz, tapPuck } from '../../simulator/src/espruino/puck';
import { boot, type Rig } from './helpers';

function doubleTap(rig: Rig, gapMs = 400): void {
  if (rig.board.profile.name === 'bangle2') tapBangle(rig.board, { dir: 'front', double: true });
  else {
    tapPuck(rig.board, { axis: 'z', peakG: 3 });
    rig.clock.advance(gapMs);
    tapPuck(rig.board, { axis: 'z', peakG: 3 });
  }
  rig.clock.advance(50);
}

const seen = (rig: Rig, sinceMs: number): number =>
  rig.signals.led.filter((e) => e.atMs >= sinceMs).length + rig.signals.buzz.filter((e) => e.atMs >= sinceMs).length + rig.signals.draw.filter((e) => e.atMs >= sinceMs).length;

describe.each(['puckjs', 'bangle2'] as const)('duress on %s', (board) => {
  it('sends a duress alarm on a double tap and shows nothing, ever, even when the centre answers', () => {
    const rig = boot({ board });
    rig.clock.advance(5000); // the power-on feedback is over
    const from = rig.clock.now();
    doubleTap(rig);
    const duress = rig.of('duress');
    expect(duress).toHaveLength(1);
    expect(duress[0]).toMatchObject({ detail: 0, ref: duress[0]!.counter });
    rig.clock.advance(20_000);
    expect(rig.of('duress').length).toBeGreaterThanOrEqual(4); // repeated like any alarm
    rig.down('received', rig.last().counter);
    rig.clock.advance(40_000);
    rig.down('help_coming', rig.last().counter);
    rig.clock.advance(5000);
    rig.down('closed', rig.last().counter);
    rig.clock.advance(5000);
    expect(seen(rig, from)).toBe(0);
    expect(rig.board.errors).toEqual([]);
  });

  it('turns a running SOS into duress without changing what the worker sees', () => {
    const rig = boot({ board });
    rig.board.press('BTN', 2300);
    rig.clock.advance(3000);
    const sos = rig.of('sos')[0]!;
    const from = rig.clock.now();
    doubleTap(rig);
    rig.clock.advance(5000);
    const d = rig.of('duress');
    expect(d.length).toBeGreaterThanOrEqual(1);
    expect(d[0]!.ref).toBe(sos.ref);
    // what the worker sees continues exactly as for the SOS: the repeat blink (Puck) / nothing new (Bangle)
    const leds = rig.signals.led.filter((e) => e.atMs >= from && e.on).map((e) => e.name);
    expect(leds.every((n) => n === 'LED1')).toBe(true);
  });
});

describe('duress taps that must not count', () => {
  it('Puck.js: one tap, or two taps further apart than the tap engine window, raise nothing', () => {
    const rig = boot();
    tapPuck(rig.board, { axis: 'z', peakG: 3 });
    rig.clock.advance(5000);
    doubleTap(rig, 1500);
    rig.clock.advance(5000);
    expect(rig.of('duress')).toHaveLength(0);
  });

  it('Puck.js: taps on the edge (x axis) or too soft do not count; the latch is cleared each time', () => {
    const rig = boot();
    tapPuck(rig.board, { axis: 'x', peakG: 3 });
    rig.clock.advance(300);
    tapPuck(rig.board, { axis: 'x', peakG: 3 });
    tapPuck(rig.board, { axis: 'z', peakG: 1 });
    rig.clock.advance(300);
    tapPuck(rig.board, { axis: 'z', peakG: 1 });
    rig.clock.advance(1000);
    expect(rig.of('duress')).toHaveLength(0);
    doubleTap(rig);
    expect(rig.of('duress')).toHaveLength(1);
    expect(puckAccel(rig.board).int1Storm).toBe(0); // TAP_SRC read in the handler: INT1 released at once
  });

  it('Bangle.js 2: a single tap or a double tap on the side does not count', () => {
    const rig = boot({ board: 'bangle2' });
    tapBangle(rig.board, { dir: 'front', double: false });
    tapBangle(rig.board, { dir: 'left', double: true });
    rig.clock.advance(5000);
    expect(rig.of('duress')).toHaveLength(0);
  });

  it('Puck.js with protection off: a double tap still raises a silent duress alarm; the detectors and the gyroscope stay off and no sample wakes the pendant', () => {
    const rig = boot({ settings: { prot: 0 } });
    rig.clock.advance(5000);
    const from = rig.clock.now();
    const a = puckAccel(rig.board);
    expect(a.regs[0x11]).toBe(0); // CTRL2_G: gyroscope off
    expect(puckEventRateHz(rig.board)).toBe(0); // no data-ready on INT1: `accel` only for a tap
    expect(feedPuckAccel(rig.board, 0, 0, 1)).toBe(false);
    doubleTap(rig);
    expect(rig.of('duress')).toHaveLength(1);
    expect(rig.of('duress')[0]!.flags.protection).toBe(false);
    rig.clock.advance(20_000);
    expect(rig.of('duress').length).toBeGreaterThanOrEqual(4); // repeated like any alarm
    expect(seen(rig, from)).toBe(0);
    expect(a.int1Storm).toBe(0);
    expect(rig.board.errors).toEqual([]);
  });

  it('Puck.js with protection off and the duress setting 0: the accelerometer is off, a double tap raises nothing', () => {
    const rig = boot({ settings: { prot: 0, duress: 0 } });
    expect(puckAccel(rig.board).on).toBe(false);
    doubleTap(rig);
    rig.clock.advance(5000);
    expect(rig.of('duress')).toHaveLength(0);
    expect(rig.board.advert).toBeUndefined();
  });

  it('Puck.js: protection on, off and on again keeps one tap engine and the detectors follow', () => {
    const rig = boot();
    rig.clock.advance(5000);
    expect(puckEventRateHz(rig.board)).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      rig.board.press('BTN', 80);
      rig.clock.advance(250);
    }
    rig.clock.advance(5000);
    expect(rig.of('protection_off')).toHaveLength(1);
    expect(puckEventRateHz(rig.board)).toBe(0);
    doubleTap(rig);
    expect(rig.of('duress')).toHaveLength(1);
    expect(rig.board.errors).toEqual([]);
  });
});

describe('duress on Bangle.js 2 with protection off, and its silent GPS fix (issue 20)', () => {
  it('sends a duress alarm with a GPS position and shows nothing, though the worker never switched protection on', () => {
    const rig = boot({ board: 'bangle2', settings: { prot: 0 } });
    rig.clock.advance(5000);
    const from = rig.clock.now();
    expect(bangleState(rig.board).gpsApps.size).toBe(0);
    doubleTap(rig);
    expect(rig.of('duress')).toHaveLength(1);
    expect(rig.of('duress')[0]!.flags.protection).toBe(false);
    expect(bangleState(rig.board).gpsApps.has('vigil')).toBe(true); // powered for the duress alarm, silently
    setGpsFix(rig.board, { lat: 52.3676, lon: 4.9041 }, 20_000);
    rig.clock.advance(40_000);
    const fixed = rig.of('duress').filter((f) => f.position?.kind === 'gps');
    expect(fixed.length).toBeGreaterThanOrEqual(1);
    expect((fixed[0]!.position as { lat: number }).lat).toBeCloseTo(52.3676, 4);
    expect(seen(rig, from)).toBe(0);
    expect(rig.board.errors).toEqual([]);
  });
});
