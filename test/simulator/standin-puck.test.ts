/** The Puck.js v2 accelerometer in the stand-in: rates, units, INT1 routing and the tap engine (ESPRUINO.md §1). */
import { VirtualClock } from '../../common/clock';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { accelRateHz, accelState, feedAccel } from '../../simulator/src/espruino/profiles';
import { puckAccel, tapPuck } from '../../simulator/src/espruino/puck';

function puck(code: string): VirtualBoard {
  const clock = new VirtualClock();
  const board = new VirtualBoard({ board: 'puckjs', clock });
  board.boot(code);
  clock.advance(100); // booting keeps the interpreter busy for a moment
  return board;
}

describe('Puck.js accelerometer stand-in', () => {
  it('accepts only the rates Puck.accelOn has, and reports counts at ±4 g (÷8192 for g)', () => {
    const bad = puck('Puck.accelOn(50);');
    expect(bad.errors.map((e) => e.message)).toEqual(['Invalid sample rate']);
    const b = puck('var got = []; Puck.accelOn(26); Puck.on("accel", function (a) { got.push(a.acc); });');
    expect(accelState(b)).toEqual({ rateHz: 26, rangeG: 4 });
    feedAccel(b, 0.5, -1, 5);
    expect(b.evaluate('got')).toEqual([{ x: 4096, y: -8192, z: 32767 }]); // clipped at the full scale
  });

  it('fires `accel` at the rate of the data-ready interrupts routed to INT1', () => {
    const b = puck('Puck.accelOn(26); Puck.accelWr(0x10, 0x6B);');
    expect(accelRateHz(b)).toBe(416); // accelerometer data-ready (and gyro at 26) on INT1
    b.evaluate('Puck.accelWr(0x0D, 2)');
    expect(accelRateHz(b)).toBe(26); // gyroscope data-ready only
    b.evaluate('Puck.accelWr(0x0D, 0)');
    expect(accelRateHz(b)).toBe(0);
    expect(feedAccel(b, 0, 0, 1)).toBe(false);
    b.evaluate('Puck.accelOff()');
    expect(accelRateHz(b)).toBe(0);
  });

  const TAP_SETUP = 'Puck.accelOn(26); Puck.accelWr(0x10, 0x6B); Puck.accelWr(0x0D, 2); Puck.accelWr(0x58, 0x83); Puck.accelWr(0x59, 0x10); Puck.accelWr(0x5A, 0xF6); Puck.accelWr(0x5B, 0x80);';

  it('recognises taps only at ≥ 416 Hz, above the threshold, on enabled axes', () => {
    const slow = puck('Puck.accelOn(26); Puck.accelWr(0x58, 0x83); Puck.accelWr(0x5E, 0x40);');
    expect(tapPuck(slow, { peakG: 3 })).toBe(false);
    const b = puck(`${TAP_SETUP} Puck.accelWr(0x5E, 0x40);`);
    expect(tapPuck(b, { axis: 'x', peakG: 3 })).toBe(false);
    expect(tapPuck(b, { axis: 'z', peakG: 1.5 })).toBe(false); // TAP_THS 16 x 4 g / 32 = 2 g
    expect(tapPuck(b, { axis: 'z', peakG: 3 })).toBe(true);
  });

  it('keeps a latched INT1 high — `accel` firing on every idle loop — until TAP_SRC is read', () => {
    const clock = new VirtualClock();
    const careless = new VirtualBoard({ board: 'puckjs', clock });
    careless.boot(`${TAP_SETUP} Puck.accelWr(0x5E, 0x40); var n = 0; Puck.on("accel", function () { n++; });`);
    tapPuck(careless, { peakG: 3 });
    clock.advance(100);
    expect(careless.evaluate('n')).toBeGreaterThan(20);
    expect(puckAccel(careless).int1Storm).toBeGreaterThan(20);
    const careful = new VirtualBoard({ board: 'puckjs', clock });
    careful.boot(`${TAP_SETUP} Puck.accelWr(0x5E, 0x40); var n = 0, src = []; Puck.on("accel", function () { n++; src.push(Puck.accelRd(0x1C)); });`);
    tapPuck(careful, { peakG: 3 });
    clock.advance(100);
    expect(careful.evaluate('n')).toBe(1);
    expect(careful.evaluate('src')).toEqual([0x40 | 0x20 | 0x01]); // tap_ia, single_tap, z
  });

  it('reports a double tap when the second tap comes within the INT_DUR2 window (32/ODR per step)', () => {
    const clock = new VirtualClock();
    const b = new VirtualBoard({ board: 'puckjs', clock });
    b.boot(`${TAP_SETUP} Puck.accelWr(0x5E, 0x08); var d = 0; Puck.on("accel", function () { if (Puck.accelRd(0x1C) & 0x10) d++; });`);
    expect(tapPuck(b, { peakG: 3 })).toBe(false); // a single tap is not routed
    clock.advance(1100); // 15 x 32 / 416 Hz = 1.15 s
    expect(tapPuck(b, { peakG: 3 })).toBe(true);
    clock.advance(1300);
    tapPuck(b, { peakG: 3 });
    clock.advance(1200); // too late
    expect(tapPuck(b, { peakG: 3 })).toBe(false);
    expect(b.evaluate('d')).toBe(1);
  });
});

describe('digitalPulse on the utility timer (Espruino src/jstimer.c: 16 queued edges)', () => {
  it('waits, busy, when more edges are queued than the timer holds', () => {
    const b = puck('');
    const before = b.cpu.busyMs;
    b.evaluate('digitalPulse(LED1, 1, [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100])');
    expect(b.cpu.pulseWaits).toBe(0); // 15 edges fit
    b.safeCall(() => b.evaluate('digitalPulse(LED2, 1, [50, 50, 50, 50, 50])'));
    expect(b.cpu.pulseWaits).toBe(4);
    expect(b.cpu.busyMs - before).toBeGreaterThanOrEqual(100); // the first edge is 100 ms away
  });
});
