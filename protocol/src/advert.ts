/** Picks Vigil frames out of BLE manufacturer data (SPEC §4.3): company id, then the 24-byte frame. */
import { UPLINK_LENGTH } from './layout';

/**
 * `manufacturerData` as scanners report it: 2-byte little-endian company id, then the payload.
 * Returns the frame, or undefined for anybody else's advert.
 */
export function vigilPayload(manufacturerData: Uint8Array | undefined, companyId: number): Uint8Array | undefined {
  if (!manufacturerData || manufacturerData.length !== UPLINK_LENGTH + 2) return undefined;
  if ((manufacturerData[0]! | (manufacturerData[1]! << 8)) !== companyId) return undefined;
  return manufacturerData.slice(2);
}
