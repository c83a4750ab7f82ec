import { buildAdvert, parseAdvert } from '../../simulator/src/espruino/advert';

describe('advertising payload builder', () => {
  const frame = new Uint8Array(24).fill(7);

  it('fits flags + 24 bytes of manufacturer data in 31 bytes, with no room for a name', () => {
    const a = buildAdvert({}, { manufacturer: 0xffff, manufacturerData: frame, showName: false }, 'Puck.js abcd', 'truncate');
    expect(a.bytes).toHaveLength(31);
    const p = parseAdvert(a.bytes);
    expect(p.manufacturerId).toBe(0xffff);
    expect(Array.from(p.manufacturerData!)).toEqual(Array.from(frame));
    expect(p.flags).toBe(0x06);
  });

  it('drops the name on a Puck.js when it does not fit, but a Bangle.js 2 rejects the packet', () => {
    const puck = buildAdvert({}, { manufacturer: 0xffff, manufacturerData: frame }, 'Puck.js abcd', 'truncate');
    expect(parseAdvert(puck.bytes).name).toBeUndefined();
    expect(() => buildAdvert({}, { manufacturer: 0xffff, manufacturerData: frame }, 'Bangle.js abcd', 'reject')).toThrow('INVALID_LENGTH');
  });

  it('refuses 25 bytes of manufacturer data with flags', () => {
    expect(() => buildAdvert({}, { manufacturerData: new Uint8Array(25), showName: false }, 'x', 'truncate')).toThrow('Advertising data too long when adding Manufacturer data');
  });

  it('clamps the interval to the radio limits', () => {
    expect(buildAdvert({}, { interval: 5, showName: false }, 'x', 'truncate').intervalMs).toBe(20);
    expect(buildAdvert({}, { interval: 20000, showName: false }, 'x', 'truncate').intervalMs).toBe(10240);
  });
});
