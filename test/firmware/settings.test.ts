/**
 * Remote settings on the built firmware (SPEC §2.4.4, §4.2): the pendant's table agrees with the
 * protocol's, it hashes and clamps as protocol/vectors/settings.json says, a `setting` downlink is
 * saved, applied without a reboot and acknowledged with the new hash, and the heartbeat reports the
 * firmware version and hash. Every board; the LoRa board through a gateway transport.
 */
import { VirtualClock } from '../../common/clock';
import { FIRMWARE_BOARDS, loadDist } from '../../firmware/tools/build';
import { decodeUplink, encodeDownlink, settingByName, SETTINGS, type SettingName, settingsHash, type UplinkMessage } from '../../protocol/src';
import { VirtualAir } from '../../simulator/src/air';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { bytesToString, toBytes } from '../../simulator/src/espruino/storage';
import { VirtualPendant } from '../../simulator/src/pendant';
import { VirtualLoraTransport } from '../../simulator/src/virtual-lora-transport';
import { settingsVectors } from '../protocol/vectors';
import { boot, DEV, DEV_HEX, hold, KEY, KEY_HEX, LYING, type Rig, UPRIGHT } from './helpers';

const vectors = settingsVectors();

/** What the pendant holds now, as wire values by setting name (the hash's input). */
function wireValues(board: VirtualBoard): Record<SettingName, number> {
  return JSON.parse(board.evaluate(`JSON.stringify(VS.t()[0].map(function (k) { return Math.round(VSet[k] * VS.d(k)); }))`) as string).reduce(
    (o: Record<string, number>, v: number, i: number) => ({ ...o, [SETTINGS[i]!.name]: v }), {}) as Record<SettingName, number>;
}

/** vigil.set as the pendant reads it (Espruino writes identifier keys unquoted). */
const savedSettings = (rig: Rig): unknown => JSON.parse(rig.board.evaluate('JSON.stringify(require("Storage").readJSON("vigil.set"))') as string);

const setting = (rig: Rig, name: SettingName, wire: number, counter = rig.last().counter): boolean =>
  rig.board.gattWrite('7a1e0001-5e6c-4c1b-9d0e-0a11c0ffee00', '7a1e0002-5e6c-4c1b-9d0e-0a11c0ffee00', encodeDownlink({ deviceId: DEV, counter, command: 'setting', setting: name, param: wire }, KEY));

describe.each(FIRMWARE_BOARDS.map((b) => [b] as const))('the settings table on %s', (boardName) => {
  let board: VirtualBoard;
  beforeAll(() => {
    board = new VirtualBoard({ board: boardName, clock: new VirtualClock() });
    board.flash.files.set('vigil.json', toBytes(JSON.stringify({ id: DEV_HEX, key: KEY_HEX, scan: 0 })));
    board.boot(loadDist(boardName));
  });
  afterAll(() => board.shutdown());

  it('has the protocol\'s ids, names, ranges and divisors', () => {
    const t = JSON.parse(board.evaluate('JSON.stringify(VS.t())') as string) as [string[], number[]];
    expect(t[0]).toEqual(SETTINGS.map((s) => s.name));
    expect(t[1]).toEqual(SETTINGS.flatMap((s) => [s.min, s.max]));
    expect(SETTINGS.map((s) => board.evaluate(`VS.d("${s.name}")`))).toEqual(SETTINGS.map((s) => s.divisor));
  });

  it.each(vectors.hashes.map((v) => [v.name, v] as const))('hashes as the vectors say: %s', (_n, v) => {
    const assign = Object.entries(v.values).map(([k, w]) => `VSet.${k} = ${w} / VS.d("${k}");`).join('');
    expect(board.evaluate(`(function () { var was = JSON.stringify(VSet); ${assign} VS.hash(); var h = VS.h; VSet = JSON.parse(was); VS.hash(); return ("0000000" + h.toString(16)).substr(-8); })()`)).toBe(v.hash);
  });

  it.each(vectors.clamps.map((v) => [`${v.setting} ${v.value}`, v] as const))('clamps as the vectors say: %s', (_n, v) => {
    const n = settingByName(v.setting)!.id - 1;
    expect(board.evaluate(`(function () { var was = VSet.${v.setting}, k = VS.put(VS.t(), ${n}, ${v.value}), w = Math.round(VSet[k] * VS.d(k)); VSet[k] = was; return w; })()`)).toBe(v.applied);
  });
});

describe('a setting changed over the air (Puck.js)', () => {
  it('the boot heartbeat reports firmware 1.1 and the hash of what the pendant holds', () => {
    const rig = boot({ settings: { sens: 4, pre: 99 } }); // pre is clamped to 45
    const hb = rig.of('heartbeat')[0]!;
    expect(hb.position).toBeNull();
    expect(hb.device).toEqual({ firmware: '1.1', settingsHash: settingsHash(wireValues(rig.board)) });
    expect(wireValues(rig.board)).toMatchObject({ sens: 4, pre: 45, scan: 0 });
  });

  it('is saved, applied at once and acknowledged with the answered counter and the new hash', () => {
    const rig = boot({ settings: { fall: false, still: false, tiltS: 30 } });
    const before = rig.of('heartbeat')[0]!;
    const json = bytesToString(rig.board.flash.files.get('vigil.json')!);
    hold(rig, 5, UPRIGHT); // the detector learns upright
    setting(rig, 'tiltS', 5, before.counter);
    const ack = rig.of('setting')[0]!;
    expect(ack).toMatchObject({ type: 'setting', detail: settingByName('tiltS')!.id, ref: before.counter, position: null });
    expect(ack.device).toEqual({ firmware: '1.1', settingsHash: settingsHash({ ...wireValues(rig.board), tiltS: 5 }) });
    expect(ack.device!.settingsHash).not.toBe(before.device!.settingsHash);
    expect(savedSettings(rig)).toEqual({ tiltS: 5 });
    expect(bytesToString(rig.board.flash.files.get('vigil.json')!)).toBe(json); // the key's file is never rewritten
    // applied without a reboot, calibration kept: 5 s lying is a man-down now (it took 30 s before)
    hold(rig, 6.5, LYING);
    expect(rig.of('pre_alarm')).toEqual([expect.objectContaining({ detail: 4 })]);
    expect(rig.board.errors).toEqual([]);
  });

  it('survives a reboot: the heartbeat after it carries the acknowledged hash', () => {
    const rig = boot();
    setting(rig, 'sens', 5);
    const ack = rig.of('setting')[0]!;
    rig.reboot();
    rig.clock.advance(1000);
    const hb = rig.of('heartbeat').at(-1)!;
    expect(hb.device).toEqual(ack.device);
    expect(rig.board.evaluate('VSet.sens')).toBe(5);
  });

  it('a new heartbeat period restarts the heartbeat timer', () => {
    const rig = boot({ settings: { hb: 600 } });
    setting(rig, 'hb', 10);
    const n = rig.of('heartbeat').length;
    rig.clock.advance(30_500);
    expect(rig.of('heartbeat')).toHaveLength(n + 3);
  });

  it('carries several settings one acknowledgement after the other, each answering the last one', () => {
    const rig = boot();
    setting(rig, 'sens', 2);
    setting(rig, 'tiltDeg', 60, rig.of('setting')[0]!.counter);
    setting(rig, 'stillG', 8, rig.of('setting')[1]!.counter);
    expect(rig.of('setting').map((f) => f.detail)).toEqual([11, 12, 16]);
    expect(rig.board.evaluate('VSet.stillG')).toBe(0.08);
    expect(savedSettings(rig)).toEqual({ sens: 2, tiltDeg: 60, stillG: 0.08 });
  });

  it('ignores a replay, a second command on the same counter, and one recorded before a reboot', () => {
    const rig = boot();
    const hb = rig.last().counter;
    setting(rig, 'sens', 4, hb);
    setting(rig, 'sens', 4, hb); // the same frame again
    setting(rig, 'tiltDeg', 70, hb); // another command for a counter already answered
    expect(rig.of('setting')).toHaveLength(1);
    expect(rig.board.evaluate('VSet.tiltDeg')).toBe(45);
    const recorded = rig.last().counter;
    rig.reboot();
    rig.clock.advance(1000);
    setting(rig, 'sens', 1, recorded);
    expect(rig.board.evaluate('VSet.sens')).toBe(4);
    setting(rig, 'sens', 1); // a current one works
    expect(rig.board.evaluate('VSet.sens')).toBe(1);
  });

  it('is ignored while an alarm runs (not applied, not acknowledged): the centre sends it again after', () => {
    const rig = boot();
    rig.board.press('BTN', 2300);
    rig.clock.advance(2100);
    setting(rig, 'sens', 5, rig.of('sos')[0]!.counter);
    expect(rig.of('setting')).toHaveLength(0);
    expect(rig.board.evaluate('VSet.sens')).toBe(3);
  });

  it('heartbeats with a position carry the firmware and hash every tenth time', () => {
    const rig = boot({ settings: { hb: 10 } });
    rig.board.evaluate('VPos.get = function () { return VFrame.bcn(65537, -60, 1); }');
    rig.clock.advance(200_500);
    const kinds = rig.of('heartbeat').slice(1).map((f) => (f.device ? 'device' : f.position?.kind));
    expect(kinds.slice(0, 10)).toEqual([...Array(9).fill('beacon'), 'device']);
    expect(kinds.slice(10, 20)).toEqual([...Array(9).fill('beacon'), 'device']);
  });

  it('costs one copy of vigil.set (the changed settings only) per change in flash', () => {
    const rig = boot();
    const before = rig.board.flash.bytesWritten;
    let answered = rig.last().counter;
    for (const [name, v] of [['sens', 4], ['tiltDeg', 50], ['tiltS', 20], ['pre', 30], ['hb', 120]] as const) {
      setting(rig, name, v, answered);
      answered = rig.of('setting').at(-1)!.counter;
    }
    const perChange = (rig.board.flash.bytesWritten - before) / 5;
    // the counter's reserved block costs nothing here; vigil.set grows to ~50 bytes
    expect(perChange).toBeGreaterThan(10);
    expect(perChange).toBeLessThan(60);
  });
});

describe.each(['bangle2'] as const)('a setting changed over the air (%s)', (board) => {
  it('is applied and acknowledged', () => {
    const rig = boot({ board });
    setting(rig, 'sens', 1);
    expect(rig.of('setting')).toEqual([expect.objectContaining({ detail: 11 })]);
    expect(rig.board.evaluate('VSet.sens')).toBe(1);
    expect(rig.board.errors).toEqual([]);
  });
});

describe('a setting over LoRa', () => {
  it('reaches the pendant in the receive window after a heartbeat and is acknowledged in the next uplink', async () => {
    const clock = new VirtualClock();
    const air = new VirtualAir({ clock, seed: 7, noiseDb: 0 });
    const gateway = new VirtualLoraTransport({ id: 'lora0', air, position: { x: 0, y: 0 }, params: { freqHz: 869_525_000, sf: 9, bwKHz: 125, cr: 5, preamble: 8 } });
    await gateway.start();
    const heard: UplinkMessage[] = [];
    gateway.on('frame', (f) => {
      const r = decodeUplink(f.payload, (id) => (id === DEV ? { key: KEY } : undefined));
      if (r.ok) heard.push(r.frame);
    });
    const pendant = new VirtualPendant({ board: 'lora', deviceId: DEV_HEX, key: KEY_HEX, clock, air, position: { x: 300, y: 0 }, loraModem: 'rn2483', settings: { scan: 0, hb: 30 } });
    pendant.start();
    clock.advance(5000);
    const hb = heard.find((f) => f.type === 'heartbeat')!;
    // too late for that window: the gateway holds it for the next uplink (the next heartbeat)
    const sent = gateway.send(`lora:${DEV_HEX}`, encodeDownlink({ deviceId: DEV, counter: hb.counter, command: 'setting', setting: 'tiltDeg', param: 30 }, KEY));
    clock.advance(40_000);
    await sent;
    clock.advance(5000);
    expect(heard.filter((f) => f.type === 'setting')).toEqual([expect.objectContaining({ detail: 12, ref: hb.counter })]);
    expect(pendant.board.evaluate('VSet.tiltDeg')).toBe(30);
    expect(pendant.board.errors).toEqual([]);
    pendant.stop();
    air.stop();
  });
});
