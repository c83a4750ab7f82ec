/** SPEC §2.4.4, §4.2.1–§4.2.3: the settings table, the `setting` command and acknowledgement, kind `device`. */
import {
  checkSetting,
  decodeDownlink,
  decodeUplink,
  defaultSettings,
  defaultSettingsHash,
  downlinkCommandByCode,
  downlinkCommandCodes,
  encodeDownlink,
  encodeUplink,
  formatFirmwareVersion,
  fromHex,
  parseFirmwareVersion,
  settingByName,
  SETTINGS,
  settingsHash,
  specSections,
} from '../../protocol/src';

const KEY = fromHex('000102030405060708090a0b0c0d0e0f')!;
const lookup = () => ({ key: KEY, lastCounter: 100 });

describe('the settings table', () => {
  it('has unique ids from 1 without gaps, and defaults inside their ranges', () => {
    expect(SETTINGS.map((s) => s.id)).toEqual(SETTINGS.map((_s, i) => i + 1));
    for (const s of SETTINGS) {
      const w = Math.round(s.default * s.divisor);
      expect({ name: s.name, inRange: w >= s.min && w <= s.max && s.max <= 0xffff }).toEqual({ name: s.name, inRange: true });
    }
  });

  it('checks values in the pendant\'s unit: range, steps, type; booleans for on/off', () => {
    expect(checkSetting('stillG', 0.08)).toEqual({ ok: true, wire: 8 });
    expect(checkSetting('sosH', 2.5)).toEqual({ ok: true, wire: 25 });
    expect(checkSetting('fall', false)).toEqual({ ok: true, wire: 0 });
    expect(checkSetting('pre', 45)).toEqual({ ok: true, wire: 45 });
    expect(checkSetting('pre', 46)).toEqual({ ok: false, message: 'pre must be between 15 and 45 s' });
    expect(checkSetting('sens', 0)).toEqual({ ok: false, message: 'sens must be between 1 and 5' });
    expect(checkSetting('stillG', 0.085)).toEqual({ ok: false, message: 'stillG goes in steps of 0.01 g' });
    expect(checkSetting('hb', '60')).toEqual({ ok: false, message: 'hb must be a number' });
    expect(checkSetting('hb', Number.NaN)).toEqual({ ok: false, message: 'hb must be a number' });
    expect(checkSetting('key', 1)).toEqual({ ok: false, message: "Unknown setting 'key'" });
    expect(checkSetting('sens', true)).toEqual({ ok: false, message: 'sens must be a number' });
  });

  it('hashes every setting in id order: one changed value changes the hash', () => {
    const d = defaultSettings();
    expect(settingsHash(d)).toBe(defaultSettingsHash);
    expect(settingsHash({ ...d, sens: 4 })).not.toBe(defaultSettingsHash);
    expect(settingsHash({ ...d, sens: 4 })).toMatch(/^[0-9a-f]{8}$/);
  });

  it('prints the table into SPEC.md', () => {
    expect(specSections()['settings']).toContain('| 11 | 0x8B | `sens` | 1–5 | the value | 3 | at once |');
    expect(specSections()['settings']).toContain('| 16 | 0x90 | `stillG` | 0.01–0.5 g | value × 100 |');
  });

  it('firmware versions are major.minor in two bytes, never 0.0', () => {
    expect(parseFirmwareVersion('1.1')).toBe(0x0101);
    expect(formatFirmwareVersion(0x0a03)).toBe('10.3');
    for (const bad of ['0.0', '1', '1.2.3', '256.1', 'a.b', '']) expect(parseFirmwareVersion(bad)).toBeUndefined();
  });
});

describe('the setting command', () => {
  it('takes code 0x80 + id and the value on the wire as param', () => {
    const f = encodeDownlink({ deviceId: 0xc0ffee, counter: 99, command: 'setting', setting: 'tiltDeg', param: 60 }, KEY);
    expect(f[9]).toBe(0x80 + settingByName('tiltDeg')!.id);
    expect(decodeDownlink(f, lookup)).toEqual({ ok: true, frame: { deviceId: 0xc0ffee, counter: 99, command: 'setting', setting: 'tiltDeg', param: 60 } });
  });

  it('codes: 1–6 and 0x81 up to the last setting id; 0x80 and the rest are no command', () => {
    expect(downlinkCommandCodes()).toEqual([1, 2, 3, 4, 5, 6, ...SETTINGS.map((s) => 0x80 + s.id)]);
    expect(downlinkCommandByCode(0x80)).toBeUndefined();
    expect(downlinkCommandByCode(0x80 + SETTINGS.length + 1)).toBeUndefined();
    expect(downlinkCommandByCode(0x81)).toBe('setting');
  });

  it('refuses to encode a value outside the pendant\'s clamp, or a setting without its command', () => {
    expect(() => encodeDownlink({ deviceId: 1, counter: 1, command: 'setting', setting: 'pre', param: 50 }, KEY)).toThrow(/pre out of range/);
    expect(() => encodeDownlink({ deviceId: 1, counter: 1, command: 'setting', param: 5 }, KEY)).toThrow(/setting/);
    expect(() => encodeDownlink({ deviceId: 1, counter: 1, command: 'received', setting: 'pre', param: 20 }, KEY)).toThrow(/setting/);
  });
});

describe('the setting acknowledgement and kind device', () => {
  const device = { firmware: '1.1', settingsHash: 'a1b2c3d4' };

  it('a setting frame names the setting and the counter its command answered', () => {
    const f = encodeUplink({ deviceId: 0xc0ffee, counter: 105, type: 'setting', batteryPct: 80, detail: 11, ref: 101, device }, KEY);
    const r = decodeUplink(f, lookup);
    expect(r).toMatchObject({ ok: true, frame: { type: 'setting', detail: 11, ref: 101, position: null, device } });
  });

  it('a heartbeat carries a position or the device kind, never both', () => {
    const r = decodeUplink(encodeUplink({ deviceId: 0xc0ffee, counter: 101, type: 'heartbeat', device }, KEY), lookup);
    expect(r).toMatchObject({ ok: true, frame: { position: null, device } });
    expect(() => encodeUplink({ deviceId: 1, counter: 1, type: 'heartbeat', device, position: { kind: 'beacon', beaconId: 1, rssiDbm: -60, ageS: 0 } }, KEY)).toThrow(/not both/);
  });

  it('the encoder refuses the device kind where §5 does not allow it, and a setting frame without it', () => {
    expect(() => encodeUplink({ deviceId: 1, counter: 1, type: 'sos', device }, KEY)).toThrow(/cannot carry/);
    expect(() => encodeUplink({ deviceId: 1, counter: 1, type: 'setting', detail: 1 }, KEY)).toThrow(/carries the firmware/);
    expect(() => encodeUplink({ deviceId: 1, counter: 1, type: 'setting', detail: 99, device }, KEY)).toThrow(/setting id/);
    expect(() => encodeUplink({ deviceId: 1, counter: 1, type: 'heartbeat', device: { firmware: '0.0', settingsHash: '00000000' } }, KEY)).toThrow(/0\.0/);
  });
});
