/**
 * The legacy BLE advertising payload exactly as Espruino's NRF.setAdvertising builds it
 * (ESPRUINO.md §2): flags → service data → manufacturer data → name (truncated to fit on Puck.js,
 * not truncated on Bangle.js 2, whose SoftDevice then rejects the packet), limit 31 bytes. An array
 * of packets (raw arrays or objects) is rotated, one packet per advertising event.
 */
import { toBytes } from './storage';

export const LEGACY_ADV_MAX = 31;
export const ESPRUINO_COMPANY_ID = 0x0590;

export interface AdvertOptions {
  name?: string;
  showName?: boolean;
  discoverable?: boolean;
  connectable?: boolean;
  scannable?: boolean;
  interval?: number;
  manufacturer?: number | false;
  manufacturerData?: unknown;
  whenConnected?: boolean;
}

export interface BuiltAdvert {
  /** The first (or only) packet. */
  bytes: Uint8Array;
  /** Every packet, sent in turn, one per advertising event. */
  packets: Uint8Array[];
  intervalMs: number;
  connectable: boolean;
}

export type NameRule = 'truncate' | 'reject';

export class AdvertError extends Error {}

/** Builds the AD bytes; throws the same errors the board does. */
export function buildAdvert(data: unknown, options: AdvertOptions | undefined, defaultName: string, nameRule: NameRule): BuiltAdvert {
  const opts = options ?? {};
  const intervalMs = Math.min(10240, Math.max(20, opts.interval ?? 375));
  const connectable = opts.connectable ?? true;
  const isPacketList = Array.isArray(data) && data.length > 0 && data.every((d) => Array.isArray(d) || ArrayBuffer.isView(d) || (typeof d === 'object' && d !== null));
  if (isPacketList) {
    const packets = (data as unknown[]).map((d) => buildPacket(d, opts, defaultName, nameRule));
    return { bytes: packets[0]!, packets, intervalMs, connectable };
  }
  const bytes = buildPacket(data, opts, defaultName, nameRule);
  return { bytes, packets: [bytes], intervalMs, connectable };
}

function buildPacket(data: unknown, opts: AdvertOptions, defaultName: string, nameRule: NameRule): Uint8Array {
  if (Array.isArray(data) || ArrayBuffer.isView(data)) {
    const raw = toBytes(data);
    if (raw.length > LEGACY_ADV_MAX) throw tooLong('raw data', nameRule);
    return raw;
  }
  const parts: number[] = [];
  const add = (what: string, ad: number[]): void => {
    if (parts.length + ad.length > LEGACY_ADV_MAX) throw tooLong(what, nameRule);
    parts.push(...ad);
  };
  add('flags', [2, 0x01, opts.discoverable === false ? 0x04 : 0x06]);
  if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      const uuid = parseInt(key, 16);
      if (!Number.isFinite(uuid) || uuid < 0 || uuid > 0xffff) throw new AdvertError(`Invalid service UUID ${key}`);
      const body = value === undefined ? [] : Array.from(toBytes(value));
      add('Service Data', [body.length + 3, 0x16, uuid & 0xff, uuid >> 8, ...body]);
    }
  }
  const mfrId = opts.manufacturer === undefined ? ESPRUINO_COMPANY_ID : opts.manufacturer;
  if (mfrId !== false && mfrId !== 0 && opts.manufacturerData !== undefined) {
    const body = Array.from(toBytes(opts.manufacturerData));
    add('Manufacturer data', [body.length + 3, 0xff, mfrId & 0xff, (mfrId >> 8) & 0xff, ...body]);
  }
  if (opts.showName !== false) {
    const name = opts.name ?? defaultName;
    const room = LEGACY_ADV_MAX - parts.length - 2;
    if (name.length <= room) {
      add('name', [name.length + 1, 0x09, ...Array.from(toBytes(name))]);
    } else if (nameRule === 'truncate') {
      if (room > 0) add('name', [room + 1, 0x08, ...Array.from(toBytes(name.slice(0, room)))]);
    } else {
      throw tooLong('name', nameRule);
    }
  }
  return Uint8Array.from(parts);
}

function tooLong(what: string, rule: NameRule): AdvertError {
  return rule === 'truncate' ? new AdvertError(`Advertising data too long when adding ${what}`) : new AdvertError('ERR 0x9 (INVALID_LENGTH)');
}

export interface ParsedAdvert {
  flags?: number;
  name?: string;
  manufacturerId?: number;
  manufacturerData?: Uint8Array;
  serviceData: Record<string, Uint8Array>;
}

/** Splits AD structures the way a scanner (noble) does; malformed structures end parsing. */
export function parseAdvert(bytes: Uint8Array): ParsedAdvert {
  const out: ParsedAdvert = { serviceData: {} };
  let i = 0;
  while (i < bytes.length) {
    const len = bytes[i]!;
    if (len === 0 || i + 1 + len > bytes.length) break;
    const type = bytes[i + 1]!;
    const body = bytes.subarray(i + 2, i + 1 + len);
    if (type === 0x01 && body.length >= 1) out.flags = body[0]!;
    else if ((type === 0x08 || type === 0x09) && body.length > 0) out.name = String.fromCharCode(...body);
    else if (type === 0xff && body.length >= 2) {
      out.manufacturerId = body[0]! | (body[1]! << 8);
      out.manufacturerData = body.slice(2);
    } else if (type === 0x16 && body.length >= 2) {
      out.serviceData[(body[0]! | (body[1]! << 8)).toString(16).padStart(4, '0')] = body.slice(2);
    }
    i += 1 + len;
  }
  return out;
}

/** A GATT UUID as the board's tables key it: lower case, no dashes ('6E40-0001' and '6e400001' are one). */
export function normUuid(u: string): string {
  return u.toLowerCase().replace(/-/g, '');
}
