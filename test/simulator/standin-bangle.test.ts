/** The Bangle.js 2 in the stand-in: polling limits and rate, ±8 g reporting, taps, BTN1 reload, GPS, screen. */
import { VirtualClock } from '../../common/clock';
import { bangleState, menuSelect, setGpsFix, tapBangle } from '../../simulator/src/espruino/bangle';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { accelRateHz, feedAccel } from '../../simulator/src/espruino/profiles';

function bangle(code: string, clock = new VirtualClock()): VirtualBoard {
  const board = new VirtualBoard({ board: 'bangle2', clock });
  board.boot(code);
  clock.advance(100); // booting keeps the interpreter busy for a moment
  return board;
}

describe('Bangle.js 2 stand-in', () => {
  it('limits setPollInterval to 10–4000 ms and samples at min(ODR, 1000/poll)', () => {
    expect(bangle('Bangle.setPollInterval(5);').errors.map((e) => e.message)).toEqual(['Invalid interval']);
    const b = bangle('Bangle.on("accel", function () {}); Bangle.setPollInterval(10);');
    expect(accelRateHz(b)).toBe(12.5); // the KX023 still runs at 12.5 Hz
    b.evaluate('Bangle.accelWr(0x18, 0x74); Bangle.accelWr(0x1B, 0x43); Bangle.accelWr(0x18, 0xF4);');
    expect(accelRateHz(b)).toBe(100);
    b.evaluate('Bangle.setPollInterval(40)');
    expect(accelRateHz(b)).toBe(25);
    expect(bangleState(b).options['powerSave']).toBe(false);
  });

  it('reports raw/8192 whatever the range: at ±8 g, 1 g reads 0.5', () => {
    const clock = new VirtualClock();
    const b = bangle('var got = []; Bangle.accelWr(0x18, 0xF4); Bangle.on("accel", function (a) { got.push(a.z); });', clock);
    feedAccel(b, 0, 0, 1);
    clock.advance(80);
    feedAccel(b, 0, 0, 9);
    expect(b.evaluate('got')).toEqual([0.5, 32767 / 8192]);
    expect(feedAccel(bangle(''), 0, 0, 1)).toBe(false); // no listener, no events
  });

  it('delivers taps from the tap engine only when it is on', () => {
    const b = bangle('var taps = []; Bangle.on("tap", function (t) { taps.push(t); });');
    expect(tapBangle(b, { dir: 'front', double: true })).toBe(true);
    expect(b.evaluate('taps')).toEqual([{ dir: 'front', double: true, x: 0, y: 0, z: 2 }]);
    b.evaluate('Bangle.accelWr(0x18, 0xF0)'); // tap engine off
    expect(tapBangle(b, { dir: 'front' })).toBe(false);
  });

  it('wakes the screen on a double tap when wakeOnDoubleTap is set (a duress must set it off)', () => {
    const b = bangle('Bangle.setOptions({ wakeOnDoubleTap: true });');
    const draws: string[] = [];
    b.on('draw', (d) => draws.push(d.op));
    tapBangle(b, { double: true });
    expect(draws).toEqual(['lcdOn']);
  });

  it('reloads the app when BTN1 is held 1.5 s, unless btnLoadTimeout is 0', () => {
    const clock = new VirtualClock();
    const b = bangle('', clock);
    b.press('BTN1', 2000);
    clock.advance(2500);
    expect(b.bootCount).toBe(2);
    const kept = bangle('Bangle.setOptions({ btnLoadTimeout: 0 });', clock);
    kept.press('BTN1', 2000);
    clock.advance(2500);
    expect(kept.bootCount).toBe(1);
  });

  it('sends GPS events every second once powered, with a fix after the time to first fix', () => {
    const clock = new VirtualClock();
    const b = bangle('var fixes = []; Bangle.on("GPS", function (g) { fixes.push(g.fix); }); Bangle.setGPSPower(1, "app");', clock);
    setGpsFix(b, { lat: 52.37, lon: 4.89 }, 5000);
    clock.advance(7000);
    expect(b.evaluate('fixes')).toEqual([0, 0, 0, 0, 1, 1, 1]);
    b.evaluate('Bangle.setGPSPower(0, "app")');
    clock.advance(5000);
    expect((b.evaluate('fixes') as number[]).length).toBe(7);
  });

  it('shows menus, and picks an item like a touch would', () => {
    const b = bangle('var on = true; E.showMenu({ "": { title: "T" }, "Flag": { value: true, onchange: function (v) { on = v; } } });');
    expect(menuSelect(b, 'Flag')).toBe(true);
    expect(b.evaluate('on')).toBe(false);
    expect(menuSelect(b, 'Nope')).toBe(false);
  });
});
