/**
 * The virtual board's radio as the outside world uses it: a central (the gateway) connecting to write
 * a GATT characteristic, and adverts delivered to the firmware's own scanner through its filters.
 */
import { normUuid } from './advert';
import type { VirtualBoard } from './board';

/** A central (gateway) connects, writes one characteristic, and disconnects. */
export function gattWrite(board: VirtualBoard, service: string, characteristic: string, data: Uint8Array, fromAddress: string): boolean {
  if (!board.context || !board.advert || !board.advert.connectable) return false;
  const ch = board.services.get(normUuid(service))?.get(normUuid(characteristic));
  if (!ch || !ch.writable) return false;
  board.connected = true;
  board.pausedAdvert = board.advert;
  board.setAdvertOnAir(undefined);
  board.fire('NRF', 'connect', fromAddress);
  ch.value = data.slice();
  const ab = new (board.evaluate('ArrayBuffer') as ArrayBufferConstructor)(data.length);
  new Uint8Array(ab).set(data);
  if (ch.onWrite) board.safeCall(() => ch.onWrite!({ data: ab }));
  board.connected = false;
  board.fire('NRF', 'disconnect', 0x13);
  if (board.advert === undefined && board.pausedAdvert && !board.bleAsleep) board.setAdvertOnAir(board.pausedAdvert);
  board.pausedAdvert = undefined;
  return true;
}

export interface ScannedDevice {
  id: string;
  rssi: number;
  data: Uint8Array;
  manufacturer?: number;
  manufacturerData?: Uint8Array;
  serviceData?: Record<string, Uint8Array>;
  name?: string;
}

/** Delivers one advert seen by the board's own scanner (NRF.setScan), if it passes the scan filters. */
export function deliverScan(board: VirtualBoard, dev: ScannedDevice): void {
  if (!board.scanCallback || !board.context) return;
  if (board.scanFilters && !board.scanFilters.some((f) => matchesFilter(f, dev))) return;
  const AB = board.evaluate('ArrayBuffer') as ArrayBufferConstructor;
  const toAb = (u: Uint8Array): ArrayBuffer => {
    const ab = new AB(u.length);
    new Uint8Array(ab).set(u);
    return ab;
  };
  const obj: Record<string, unknown> = { id: dev.id, rssi: dev.rssi, data: toAb(dev.data) };
  if (dev.manufacturer !== undefined) obj['manufacturer'] = dev.manufacturer;
  if (dev.manufacturerData) obj['manufacturerData'] = toAb(dev.manufacturerData);
  if (dev.serviceData) obj['serviceData'] = Object.fromEntries(Object.entries(dev.serviceData).map(([k, v]) => [k, toAb(v)]));
  if (dev.name) obj['name'] = dev.name;
  const cb = board.scanCallback;
  board.safeCall(() => cb(obj));
}

/** NRF.setScan filters (ESPRUINO.md §2): manufacturerData by company, serviceData by UUID, name, id. */
function matchesFilter(f: Record<string, unknown>, dev: { id: string; manufacturer?: number; serviceData?: Record<string, Uint8Array>; name?: string }): boolean {
  const mfr = f['manufacturerData'] as Record<string, unknown> | undefined;
  if (mfr && (dev.manufacturer === undefined || !(String(dev.manufacturer) in mfr))) return false;
  const sd = f['serviceData'] as Record<string, unknown> | undefined;
  if (sd && !Object.keys(sd).some((k) => dev.serviceData?.[k.toLowerCase()] !== undefined)) return false;
  if (typeof f['name'] === 'string' && f['name'] !== dev.name) return false;
  if (typeof f['namePrefix'] === 'string' && !(dev.name ?? '').startsWith(f['namePrefix'])) return false;
  if (typeof f['id'] === 'string' && f['id'] !== dev.id) return false;
  return true;
}
