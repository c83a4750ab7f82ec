/** Protection mode, heartbeat, privacy, check-in, session reminder and low battery on the built Puck.js firmware. */
import { parseAdvert } from '../../simulator/src/espruino/advert';
import { accelRateHz } from '../../simulator/src/espruino/profiles';
import { boot, decodeFrame, type Rig } from './helpers';

function threePresses(rig: Rig): void {
  for (let i = 0; i < 3; i++) {
    rig.board.press('BTN', 120);
    rig.clock.advance(300);
  }
}

const onAir = (rig: Rig): string[] => (rig.board.advert?.packets ?? []).map((p) => {
  const m = parseAdvert(p).manufacturerData;
  return m ? (decodeFrame(m)?.type ?? 'foreign') : 'flags-only';
});

describe('protection mode', () => {
  it('three presses switch protection off: a protection_off frame, then nothing on air at all, no sensor', () => {
    const rig = boot();
    expect(accelRateHz(rig.board)).toBe(26);
    threePresses(rig);
    expect(rig.of('protection_off')).toEqual([expect.objectContaining({ flags: expect.objectContaining({ protection: false }) })]);
    expect(accelRateHz(rig.board)).toBe(0);
    rig.clock.advance(11_000);
    expect(rig.board.advert).toBeUndefined(); // privacy: not even an anonymous advert
    const n = rig.frames.length;
    rig.clock.advance(600_000);
    expect(rig.frames).toHaveLength(n); // no heartbeats outside protection
    threePresses(rig);
    expect(rig.of('protection_on')).toHaveLength(1);
    expect(accelRateHz(rig.board)).toBe(26);
    rig.clock.advance(60_000);
    expect(rig.of('heartbeat')).toHaveLength(2);
  });

  it('keeps the mode across a reboot, and SOS still works with protection off', () => {
    const rig = boot();
    threePresses(rig);
    rig.reboot();
    rig.clock.advance(1000);
    expect(rig.board.advert).toBeUndefined();
    expect(rig.of('heartbeat')).toHaveLength(1); // only the one from the first boot
    rig.board.press('BTN', 2300);
    rig.clock.advance(2100);
    expect(rig.of('sos')).toEqual([expect.objectContaining({ flags: expect.objectContaining({ protection: false }), position: null })]);
  });

  it('a single press shows the mode: green double flash when protected, red when not', () => {
    const rig = boot();
    rig.clock.advance(2000); // the power-on pattern is over
    const t = rig.clock.now();
    rig.board.press('BTN', 120);
    rig.clock.advance(2000);
    expect(rig.signals.led.filter((e) => e.atMs >= t && e.on).map((e) => e.name)).toEqual(['LED2', 'LED2']);
    expect(rig.of('sos')).toHaveLength(0);
  });

  it('follows the centre\'s protection command and confirms it with a frame', () => {
    const rig = boot();
    rig.down('protection', rig.last().counter, 0);
    expect(rig.of('protection_off')).toHaveLength(1);
    expect(accelRateHz(rig.board)).toBe(0);
  });
});

describe('check-in, reminders, battery', () => {
  it('prompts on check_in_request every 5 s with blue flashes; a press sends check_in', () => {
    const rig = boot();
    rig.down('check_in_request', rig.last().counter, 30);
    rig.clock.advance(11_000);
    expect(rig.signals.led.filter((e) => e.name === 'LED3' && e.on)).toHaveLength(3 * 2);
    rig.board.press('BTN', 120);
    rig.clock.advance(500);
    expect(rig.of('check_in')).toHaveLength(1);
    rig.clock.advance(30_000);
    expect(rig.signals.led.filter((e) => e.name === 'LED3' && e.on)).toHaveLength(3 * 2); // prompting stopped
  });

  it('stops prompting when the time is up without a check-in (the centre sees the miss)', () => {
    const rig = boot();
    rig.down('check_in_request', rig.last().counter, 12);
    rig.clock.advance(60_000);
    expect(rig.signals.led.filter((e) => e.name === 'LED3' && e.on)).toHaveLength(3 * 2);
    expect(rig.of('check_in')).toHaveLength(0);
  });

  it('shows a session reminder', () => {
    const rig = boot();
    rig.down('session_reminder', rig.last().counter, 10);
    rig.clock.advance(1000);
    expect(rig.signals.led.filter((e) => e.name === 'LED3' && e.on)).toHaveLength(2);
  });

  it('sends low_battery once below the threshold, and flags every frame', () => {
    let pct = 30;
    const rig = boot({ batteryPct: () => pct });
    pct = 12;
    rig.clock.advance(61_000);
    pct = 11;
    rig.clock.advance(120_000);
    expect(rig.of('low_battery')).toHaveLength(1);
    expect(rig.of('heartbeat').at(-1)).toMatchObject({ batteryPct: 11, flags: expect.objectContaining({ lowBattery: true }) });
  });

  it('keeps a cancel on air with the heartbeat that follows it (frames rotate)', () => {
    const rig = boot({ settings: { hb: 10 } });
    rig.down('check_in_request', rig.last().counter, 30);
    rig.clock.advance(9500);
    rig.board.press('BTN', 120);
    rig.clock.advance(1000); // the heartbeat comes while the check_in is still announced
    expect(onAir(rig)).toEqual(['heartbeat', 'check_in']);
    rig.clock.advance(10_000);
    expect(onAir(rig)).not.toContain('check_in');
  });
});
