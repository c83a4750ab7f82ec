/**
 * A second reading of the vectors, written from SPEC.md's byte tables with Node's native AES-CCM and
 * no code from the codec: if the codec and the vector generator agreed on a wrong layout, this fails.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { downlinkVectors, uplinkVectors } from './vectors';

const up = uplinkVectors();
const down = downlinkVectors();
const TYPE_CODES: Record<string, number> = { heartbeat: 1, sos: 2, fall: 3, man_down: 4, no_motion: 5, duress: 6, pre_alarm: 7, cancel: 8, check_in: 9, protection_on: 10, protection_off: 11, low_battery: 12, position: 13, setting: 14 };
const COMMAND_CODES: Record<string, number> = { received: 1, help_coming: 2, closed: 3, check_in_request: 4, session_reminder: 5, protection: 6 };
// SPEC §4.2.1: a setting's command code is 0x80 + its id
const SETTING_IDS: Record<string, number> = { hb: 1, low: 2, slow: 3, keep: 4, pre: 5, sosC: 6, sosH: 7, fall: 8, tilt: 9, still: 10, sens: 11, tiltDeg: 12, tiltS: 13, recoverS: 14, stillS: 15, stillG: 16, duress: 17, ciS: 18, scan: 19, scanMs: 20 };
const keyOf = (dev: string) => Buffer.from(up.keyring.find((k) => k.deviceId === dev)!.key, 'hex');

describe('vectors read straight from the SPEC tables', () => {
  it.each(up.positive.map((v) => [v.name, v] as const))('uplink §2.2/§3.2: %s', (_n, v) => {
    const f = Buffer.from(v.frame, 'hex');
    const d = v.decoded;
    expect(f.length).toBe(24);
    expect(f[0]).toBe(0x10);
    expect(f.subarray(1, 5).toString('hex')).toBe(d.deviceId);
    expect(f.readUIntBE(5, 3)).toBe(d.counter % 0x1000000);
    const nonce = Buffer.alloc(13);
    nonce[0] = 0x10;
    f.copy(nonce, 1, 1, 5);
    nonce.writeUInt32BE(d.counter, 5);
    const dec = createDecipheriv('aes-128-ccm', keyOf(d.deviceId), nonce, { authTagLength: 4 });
    dec.setAuthTag(f.subarray(20, 24));
    const p = dec.update(f.subarray(8, 20));
    dec.final(); // throws when the tag is wrong
    expect(p[0]).toBe(TYPE_CODES[d.type]);
    expect(p[1]).toBe(d.batteryPct === null ? 255 : d.batteryPct);
    const flags = p[2]!;
    expect({ protection: !!(flags & 1), charging: !!(flags & 2), lowBattery: !!(flags & 4), pending: !!(flags & 8) }).toEqual(d.flags);
    expect(flags & 0xc0).toBe(0);
    expect(p[3]).toBe(d.detail);
    expect(p.readUInt16BE(4)).toBe(d.ref % 65536);
    const kind = (flags >> 4) & 3;
    if (d.device) {
      // §2.4.4: firmware major.minor as two bytes, then the settings hash
      expect(kind).toBe(3);
      expect(`${p[6]}.${p[7]}`).toBe(d.device.firmware);
      expect(p.subarray(8, 12).toString('hex')).toBe(d.device.settingsHash);
      expect(d.position).toBeNull();
    } else if (d.position === null) {
      expect(kind).toBe(0);
      expect(p.subarray(6).equals(Buffer.alloc(6))).toBe(true);
    } else if (d.position.kind === 'beacon') {
      expect(kind).toBe(1);
      expect([p.readUInt32BE(6), p.readInt8(10), p[11]]).toEqual([d.position.beaconId, d.position.rssiDbm, d.position.ageS]);
    } else {
      expect(kind).toBe(2);
      expect(p.readIntBE(6, 3) * 90 / 2 ** 23).toBeCloseTo(d.position.lat, 12);
      expect(p.readIntBE(9, 3) * 180 / 2 ** 23).toBeCloseTo(d.position.lon, 12);
    }
  });

  it.each(down.positive.map((v) => [v.name, v] as const))('downlink §4.1/§3.3: %s', (_n, v) => {
    const f = Buffer.from(v.frame, 'hex');
    const d = v.decoded;
    expect(f.length).toBe(16);
    expect(f[0]).toBe(0x11);
    expect(f.subarray(1, 5).toString('hex')).toBe(d.deviceId);
    expect(f.readUInt32BE(5)).toBe(d.counter);
    expect(f[9]).toBe(d.command === 'setting' ? 0x80 + SETTING_IDS[d.setting!]! : COMMAND_CODES[d.command]);
    expect(f.readUInt16BE(10)).toBe(d.param);
    const nonce = Buffer.concat([f.subarray(0, 12), Buffer.alloc(1)]);
    const c = createCipheriv('aes-128-ccm', keyOf(d.deviceId), nonce, { authTagLength: 4 });
    c.update(f.subarray(10, 12));
    c.final();
    expect(c.getAuthTag().toString('hex')).toBe(f.subarray(12).toString('hex'));
  });
});
