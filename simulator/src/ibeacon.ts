/**
 * iBeacon advertising data (Apple's layout): flags, then manufacturer data 4C 00 02 15, the 16-byte
 * proximity UUID, major and minor (big-endian) and the measured power at 1 m. What a wall beacon
 * sends on the virtual air; the pendant's beacon.js reads the same bytes (SPEC §2.4).
 */
export const DEFAULT_BEACON_UUID = 'f7826da64fa24e988024bc5b71e0893e';

export function ibeaconAdvert(major: number, minor: number, uuidHex = DEFAULT_BEACON_UUID, measuredPowerDbm = -59): Uint8Array {
  const uuid = uuidHex.match(/../g)!.map((x) => parseInt(x, 16));
  return Uint8Array.from([2, 1, 6, 26, 0xff, 0x4c, 0x00, 0x02, 0x15, ...uuid, major >> 8, major & 255, minor >> 8, minor & 255, measuredPowerDbm & 255]);
}

/** The centre's beacon id for an iBeacon: major << 16 | minor, as a decimal string. */
export function beaconIdOf(major: number, minor: number): string {
  return String(major * 65536 + minor);
}
