/** The built Puck.js firmware in the stand-in: SOS, repeat until acknowledged, downlinks, counters. */
import { fromHex } from '../../protocol/src';
import { parseAdvert } from '../../simulator/src/espruino/advert';
import { boot, decodeFrame } from './helpers';

const ledOn = (rig: ReturnType<typeof boot>, name: string): number[] => rig.signals.led.filter((e) => e.name === name && e.on).map((e) => e.atMs);

describe('Puck.js SOS and delivery', () => {
  it('boots protected and says so: a heartbeat with the battery level, green double flash', () => {
    const rig = boot({ batteryPct: 77 });
    expect(rig.board.errors).toEqual([]);
    expect(rig.of('heartbeat')).toHaveLength(1);
    expect(rig.last()).toMatchObject({ type: 'heartbeat', batteryPct: 77, flags: { protection: true, pending: false } });
    expect(ledOn(rig, 'LED2')).toHaveLength(1);
    rig.clock.advance(60_000);
    expect(rig.of('heartbeat')).toHaveLength(2);
  });

  it('raises SOS on a 2 s hold, at once, and never on a short press', () => {
    const rig = boot();
    rig.board.press('BTN', 300);
    rig.clock.advance(5000);
    expect(rig.of('sos')).toHaveLength(0);
    const t0 = rig.clock.now();
    rig.board.press('BTN', 2300);
    rig.clock.advance(2100);
    const sos = rig.of('sos');
    expect(sos).toHaveLength(1);
    expect(rig.frames.at(-1)!.atMs - t0).toBeLessThanOrEqual(2050); // DGUV: manual alarm within 2 s of the gesture
    expect(sos[0]).toMatchObject({ detail: 0, ref: sos[0]!.counter });
    expect(rig.of('pre_alarm')).toHaveLength(0); // a manual SOS has no pre-alarm by default
    expect(ledOn(rig, 'LED1').at(-1)).toBeGreaterThanOrEqual(t0 + 2000); // red: sent
  });

  it('repeats the alarm with new counters on the 2/4/8/15/30 s backoff until received, then every 30 s until closed', () => {
    const rig = boot();
    rig.board.press('BTN', 2300);
    rig.clock.advance(92_000);
    const sos = rig.frames.filter((f) => f.frame.type === 'sos');
    const gaps = sos.slice(1).map((f, i) => Math.round((f.atMs - sos[i]!.atMs) / 1000));
    expect(gaps.slice(0, 6)).toEqual([2, 4, 8, 15, 30, 30]);
    expect(sos.map((f) => f.frame.detail)).toEqual(sos.map((_, i) => i));
    expect(new Set(sos.map((f) => f.frame.ref)).size).toBe(1);
    expect(sos.map((f) => f.frame.counter)).toEqual(sos.map((_, i) => sos[0]!.frame.counter + i));

    const greenBefore = ledOn(rig, 'LED2').length;
    expect(rig.down('received', sos.at(-1)!.frame.counter)).toBe(true);
    expect(ledOn(rig, 'LED2')).toHaveLength(greenBefore + 1); // green: the centre has it
    const n = rig.of('sos').length;
    rig.clock.advance(29_000);
    expect(rig.of('sos')).toHaveLength(n);
    rig.clock.advance(2000);
    expect(rig.of('sos')).toHaveLength(n + 1); // slow repeat keeps the way open for help_coming and closed

    rig.down('help_coming', rig.last().counter);
    rig.clock.advance(3000);
    expect(ledOn(rig, 'LED3')).toHaveLength(3); // three blue flashes: help is coming
    rig.down('closed', rig.last().counter);
    rig.clock.advance(100);
    // the alarm frame leaves the air at once; a protected pendant stays connectable
    const onAir = rig.board.advert!.packets.map((p) => parseAdvert(p).manufacturerData).map((m) => (m ? decodeFrame(m)?.type : 'none'));
    expect(onAir).not.toContain('sos');
    expect(rig.board.advert!.connectable).toBe(true);
    rig.clock.advance(120_000);
    expect(rig.of('sos')).toHaveLength(n + 1);
  });

  it('ignores downlinks sealed with another key, for counters it never sent, or replayed', () => {
    const rig = boot();
    rig.board.press('BTN', 2300);
    rig.clock.advance(2100);
    const first = rig.last();
    rig.down('received', first.counter, 0, fromHex('00'.repeat(16)));
    rig.down('received', first.counter + 50); // not sent yet
    rig.clock.advance(2100);
    expect(rig.of('sos')).toHaveLength(2); // still on the fast schedule
    // a protection command is accepted once, and an older one after it never
    const hb = rig.of('heartbeat')[0]!;
    rig.down('protection', first.counter, 0);
    expect(rig.board.evaluate('VApp.st.p')).toBe(0);
    rig.down('protection', first.counter, 1); // same counter again: a replay
    rig.down('protection', hb.counter, 1); // older
    expect(rig.board.evaluate('VApp.st.p')).toBe(0);
    expect(rig.board.errors).toEqual([]);
  });

  it('ignores a command recorded before a reboot (its counter is behind the new reserved block)', () => {
    const rig = boot();
    rig.clock.advance(61_000);
    const hb = rig.of('heartbeat').at(-1)!;
    rig.board.reboot();
    rig.clock.advance(1000);
    expect(rig.board.evaluate('VApp.st.p')).toBe(1);
    rig.down('protection', hb.counter, 0); // replayed by someone who recorded it earlier
    expect(rig.board.evaluate('VApp.st.p')).toBe(1);
    rig.down('protection', rig.last().counter, 0); // a real, current command still works
    expect(rig.board.evaluate('VApp.st.p')).toBe(0);
  });

  it('stops the slow repeat `keep` seconds after "received" when "closed" never comes', () => {
    const rig = boot({ settings: { keep: 120 } });
    rig.board.press('BTN', 2300);
    rig.clock.advance(2100);
    rig.down('received', rig.last().counter);
    rig.clock.advance(200_000);
    const n = rig.of('sos').length;
    rig.clock.advance(600_000);
    expect(rig.of('sos')).toHaveLength(n);
    expect(n).toBeLessThanOrEqual(6);
  });

  it('keeps a pending alarm across a reboot and never reuses a counter', () => {
    const rig = boot();
    rig.board.press('BTN', 2300);
    rig.clock.advance(7000);
    const before = rig.of('sos');
    rig.reboot();
    rig.clock.advance(100);
    const after = rig.of('sos').slice(before.length);
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(after[0]!.counter).toBeGreaterThan(before.at(-1)!.counter);
    expect(after[0]!.ref).toBe(before[0]!.ref); // the same incident
    const all = rig.frames.map((f) => f.frame.counter);
    expect(new Set(all).size).toBe(all.length);
    // the resumed incident still accepts the centre's answer to a frame sent before the reboot
    rig.down('received', before.at(-1)!.counter);
    rig.clock.advance(2100);
    const n = rig.of('sos').length;
    rig.clock.advance(20_000);
    expect(rig.of('sos')).toHaveLength(n);
  });
});
