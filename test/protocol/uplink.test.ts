import { createCipheriv } from 'node:crypto';
import { decodeUplink, encodeUplink, fromHex, type KeyLookup, toHex, UPLINK_LENGTH, type UplinkInput } from '../../protocol/src';

const KEY = fromHex('000102030405060708090a0b0c0d0e0f')!;
const lookup: KeyLookup = (id) => (id === 0xc0ffee ? { key: KEY } : undefined);

describe('uplink frame v1', () => {
  const sos: UplinkInput = { deviceId: 0xc0ffee, counter: 42, type: 'sos', batteryPct: 87, flags: { protection: true }, detail: 3, ref: 40, position: { kind: 'beacon', beaconId: 0x00010002, rssiDbm: -71, ageS: 4 } };

  it('round-trips every field in 24 bytes', () => {
    const f = encodeUplink(sos, KEY);
    expect(f).toHaveLength(UPLINK_LENGTH);
    const r = decodeUplink(f, lookup);
    expect(r).toEqual({
      ok: true,
      frame: {
        deviceId: 0xc0ffee, counter: 42, type: 'sos', batteryPct: 87, detail: 3, ref: 40,
        flags: { protection: true, charging: false, lowBattery: false, pending: false },
        position: { kind: 'beacon', beaconId: 0x00010002, rssiDbm: -71, ageS: 4 },
        device: null,
      },
    });
  });

  it('carries GPS positions to about a metre', () => {
    const f = encodeUplink({ deviceId: 0xc0ffee, counter: 7, type: 'fall', position: { kind: 'gps', lat: 48.858370, lon: 2.294481 } }, KEY);
    const r = decodeUplink(f, lookup);
    if (!r.ok || r.frame.position?.kind !== 'gps') throw new Error('expected a gps position');
    expect(Math.abs(r.frame.position.lat - 48.85837)).toBeLessThan(1.5e-5);
    expect(Math.abs(r.frame.position.lon - 2.294481)).toBeLessThan(2.5e-5);
  });

  it('seals with standard AES-128-CCM (nonce = header, device id, full counter, zero padding)', () => {
    const f = encodeUplink({ deviceId: 0xc0ffee, counter: 0x01020304, type: 'heartbeat', batteryPct: 50 }, KEY);
    const nonce = fromHex('1000c0ffee0102030400000000')!;
    const c = createCipheriv('aes-128-ccm', KEY, nonce, { authTagLength: 4 });
    const plain = fromHex('0132' + '00' + '00' + '0304' + '000000000000')!;
    const ct = Buffer.concat([c.update(plain), c.final()]);
    expect(toHex(f.subarray(8, 20))).toBe(ct.toString('hex'));
    expect(toHex(f.subarray(20))).toBe(c.getAuthTag().toString('hex'));
    expect(toHex(f.subarray(0, 8))).toBe('1000c0ffee020304');
  });

  it('makes a duress frame indistinguishable in shape from a heartbeat', () => {
    const hb = encodeUplink({ deviceId: 0xc0ffee, counter: 100, type: 'heartbeat', batteryPct: 80 }, KEY);
    const du = encodeUplink({ deviceId: 0xc0ffee, counter: 101, type: 'duress', batteryPct: 80 }, KEY);
    expect(du).toHaveLength(hb.length);
    expect(toHex(du.subarray(0, 5))).toBe(toHex(hb.subarray(0, 5)));
  });

  it.each([
    ['short', (f: Uint8Array) => f.subarray(0, 23), 'bad_length'],
    ['long', (f: Uint8Array) => Uint8Array.from([...f, 0]), 'bad_length'],
    ['version', (f: Uint8Array) => Object.assign(f.slice(), { 0: 0x20 }), 'bad_version'],
    ['kind', (f: Uint8Array) => Object.assign(f.slice(), { 0: 0x11 }), 'bad_kind'],
    ['device', (f: Uint8Array) => Object.assign(f.slice(), { 4: 0xef }), 'unknown_device'],
    ['counter', (f: Uint8Array) => Object.assign(f.slice(), { 7: f[7]! ^ 1 }), 'bad_tag'],
    ['body', (f: Uint8Array) => Object.assign(f.slice(), { 10: f[10]! ^ 0x80 }), 'bad_tag'],
    ['tag', (f: Uint8Array) => Object.assign(f.slice(), { 23: f[23]! ^ 1 }), 'bad_tag'],
  ])('rejects a tampered %s with a named code', (_name, mutate, code) => {
    const r = decodeUplink(mutate(encodeUplink(sos, KEY)), lookup);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('rejects a frame sealed with another key', () => {
    const other = fromHex('ffeeddccbbaa99887766554433221100')!;
    const r = decodeUplink(encodeUplink(sos, other), lookup);
    expect(r).toMatchObject({ ok: false, code: 'bad_tag' });
  });
});
