/**
 * Uplink frame v1 codec (SPEC §2, §3). Decoding checks, in this order: length, version, kind, device,
 * tag, fields — and returns a value; radio input never throws.
 */
import { readInt, readUint, writeInt, writeUint } from './bytes';
import { ccmDecrypt, ccmEncrypt } from './ccm';
import { reconstructCounter, reconstructRef } from './counter';
import type { UplinkError } from './errors';
import {
  FLAG_BITS,
  FLAGS_RESERVED_MASK,
  FRAME_KIND,
  type Flags,
  headerByte,
  messageTypeByCode,
  messageTypeByName,
  type MessageType,
  type MessageTypeSpec,
  NONCE_LENGTH,
  POSITION_KIND_SHIFT,
  PROTOCOL_VERSION,
  TAG_LENGTH,
  UPLINK_FIELDS,
  UPLINK_LENGTH,
  type FieldSpec,
} from './layout';
import { formatFirmwareVersion, parseFirmwareVersion, settingById } from './settings';

export type Position =
  | { kind: 'beacon'; beaconId: number; rssiDbm: number; ageS: number }
  | { kind: 'gps'; lat: number; lon: number };

/** SPEC §2.4 kind `device`: what the pendant runs, in place of a position. */
export interface DeviceInfo {
  /** major.minor, e.g. "1.1". */
  firmware: string;
  /** The settings hash of §4.2.2, 8 hex digits. */
  settingsHash: string;
}

export interface UplinkMessage {
  deviceId: number;
  /** Full 32-bit counter. */
  counter: number;
  type: MessageType;
  /** 0–100, or null when the pendant does not know. */
  batteryPct: number | null;
  flags: Flags;
  /** Repeat number for alarms; alarm type code for pre_alarm/cancel; 0 otherwise. */
  detail: number;
  /** Full counter of the first frame of this incident. */
  ref: number;
  position: Position | null;
  /** Firmware and settings hash (position kind `device`); null when the frame carries a position or nothing. */
  device: DeviceInfo | null;
}

export type DecodeResult<T, E extends string> = { ok: true; frame: T } | { ok: false; code: E; detail: string };

/** What a receiver knows about a device: its key and the last counter it accepted. */
export interface DeviceKeyInfo {
  key: Uint8Array;
  lastCounter?: number | undefined;
}

export type KeyLookup = (deviceId: number) => DeviceKeyInfo | undefined;

const FIELD = Object.fromEntries(UPLINK_FIELDS.map((f) => [f.name, f])) as Record<string, FieldSpec>;
const BODY_START = FIELD['type']!.offset;
const TAG_OFFSET = FIELD['tag']!.offset;
const GPS_SCALE = 2 ** 23;
/** Length of the sealed body: type … position (SPEC §2.2). */
export const UPLINK_BODY_LENGTH = TAG_OFFSET - BODY_START;

/** SPEC §3.2: nonce = header ‖ deviceId ‖ counter (32 bits) ‖ 0x00 ×4. */
export function uplinkNonce(deviceId: number, counter: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_LENGTH);
  nonce[0] = headerByte(FRAME_KIND.uplink);
  writeUint(nonce, 1, 4, deviceId);
  writeUint(nonce, 5, 4, counter);
  return nonce;
}

export interface UplinkInput {
  deviceId: number;
  counter: number;
  type: MessageType;
  batteryPct?: number | null;
  flags?: Partial<Flags>;
  detail?: number;
  /** Full counter of the incident's first frame; defaults to `counter`. */
  ref?: number;
  position?: Position | null;
  /** Position kind `device` (SPEC §2.4), only on types that may carry it; never together with a position. */
  device?: DeviceInfo | null;
}

/** Encodes and seals an uplink frame. Throws on programmer error (out-of-range input). */
export function encodeUplink(msg: UplinkInput, key: Uint8Array): Uint8Array {
  const spec = messageTypeByName(msg.type);
  if (!spec) throw new Error(`Unknown message type '${msg.type}'`);
  if (!Number.isInteger(msg.counter) || msg.counter < 0 || msg.counter > 0xffffffff) throw new Error(`counter out of range: ${msg.counter}`);
  if (!Number.isInteger(msg.deviceId) || msg.deviceId < 0 || msg.deviceId > 0xffffffff) throw new Error(`deviceId out of range: ${msg.deviceId}`);
  const battery = msg.batteryPct ?? null;
  if (battery !== null && (!Number.isInteger(battery) || battery < 0 || battery > 100)) throw new Error(`batteryPct out of range: ${battery}`);
  const detail = msg.detail ?? 0;
  checkDetail(spec.name, spec.detail, detail);
  const ref = msg.ref ?? msg.counter;
  // SPEC §2.5: the reference travels as 16 bits and is rebuilt below the counter.
  if (!Number.isInteger(ref) || ref > msg.counter || msg.counter - ref > 0xffff) throw new Error(`ref ${ref} must be within 65535 below counter ${msg.counter}`);
  checkPosition(msg.position ?? null);
  const device = msg.device ?? null;
  checkDevice(spec, msg.position ?? null, device);

  const plain = new Uint8Array(TAG_OFFSET - BODY_START);
  const at = (name: string): number => FIELD[name]!.offset - BODY_START;
  plain[at('type')] = spec.code;
  plain[at('batteryPct')] = battery === null ? 255 : battery;
  let flags = 0;
  for (const f of FLAG_BITS) if (msg.flags?.[f.name]) flags |= 1 << f.bit;
  const pos = msg.position ?? null;
  flags |= (device !== null ? 3 : pos === null ? 0 : pos.kind === 'beacon' ? 1 : 2) << POSITION_KIND_SHIFT;
  plain[at('flags')] = flags;
  plain[at('detail')] = detail;
  writeUint(plain, at('ref'), 2, ref % 65536);
  writePosition(plain, at('position'), pos);
  if (device !== null) {
    writeUint(plain, at('position'), 2, parseFirmwareVersion(device.firmware)!);
    writeUint(plain, at('position') + 2, 4, parseInt(device.settingsHash, 16));
  }

  return sealUplink(msg.deviceId, msg.counter, plain, key);
}

/**
 * Seals a 12-byte body as it is (SPEC §3.2). `encodeUplink` builds the body from values; test
 * vectors use this directly for bodies no encoder would write (negative vectors).
 */
export function sealUplink(deviceId: number, counter: number, body: Uint8Array, key: Uint8Array): Uint8Array {
  if (body.length !== UPLINK_BODY_LENGTH) throw new Error(`uplink body must be ${UPLINK_BODY_LENGTH} bytes, got ${body.length}`);
  const frame = new Uint8Array(UPLINK_LENGTH);
  frame[0] = headerByte(FRAME_KIND.uplink);
  writeUint(frame, FIELD['deviceId']!.offset, 4, deviceId);
  writeUint(frame, FIELD['counter']!.offset, 3, counter % 2 ** 24);
  const sealed = ccmEncrypt(key, uplinkNonce(deviceId, counter), body);
  frame.set(sealed.ciphertext, BODY_START);
  frame.set(sealed.tag, TAG_OFFSET);
  return frame;
}

function checkDetail(type: string, kind: MessageTypeSpec['detail'], detail: number): void {
  if (!Number.isInteger(detail) || detail < 0 || detail > 255) throw new Error(`detail out of range: ${detail}`);
  if (kind === 'none' && detail !== 0) throw new Error(`${type} carries no detail (got ${detail})`);
  if (kind === 'alarmType' && messageTypeByCode(detail)?.cls !== 'alarm') throw new Error(`${type} needs the code of an alarm type as detail (got ${detail})`);
  if (kind === 'setting' && !settingById(detail)) throw new Error(`${type} needs a setting id as detail (got ${detail})`);
}

function checkDevice(spec: MessageTypeSpec, pos: Position | null, device: DeviceInfo | null): void {
  if (device === null) {
    if (spec.device === 'always') throw new Error(`${spec.name} carries the firmware version and settings hash`);
    return;
  }
  if (spec.device === 'never') throw new Error(`${spec.name} cannot carry the firmware version and settings hash`);
  if (pos !== null) throw new Error('a frame carries a position or the device kind, not both');
  if (parseFirmwareVersion(device.firmware) === undefined) throw new Error(`firmware version must be major.minor, not 0.0: ${device.firmware}`);
  if (!/^[0-9a-f]{8}$/.test(device.settingsHash)) throw new Error(`settingsHash must be 8 lower-case hex digits: ${device.settingsHash}`);
}

function checkPosition(pos: Position | null): void {
  if (pos === null) return;
  const finite = (v: number): boolean => Number.isFinite(v);
  if (pos.kind === 'beacon') {
    if (!Number.isInteger(pos.beaconId) || pos.beaconId < 0 || pos.beaconId > 0xffffffff) throw new Error(`beaconId out of range: ${pos.beaconId}`);
    if (!finite(pos.rssiDbm) || !finite(pos.ageS)) throw new Error('beacon rssiDbm and ageS must be numbers');
  } else if (!finite(pos.lat) || !finite(pos.lon) || Math.abs(pos.lat) > 90 || Math.abs(pos.lon) > 180) {
    throw new Error(`GPS position out of range: ${pos.lat}, ${pos.lon}`);
  }
}

function writePosition(body: Uint8Array, off: number, pos: Position | null): void {
  if (pos === null) return;
  if (pos.kind === 'beacon') {
    writeUint(body, off, 4, pos.beaconId);
    writeInt(body, off + 4, 1, Math.max(-128, Math.min(127, Math.round(pos.rssiDbm))));
    body[off + 5] = Math.max(0, Math.min(255, Math.round(pos.ageS)));
  } else {
    writeInt(body, off, 3, clampI24(Math.round((pos.lat / 90) * GPS_SCALE)));
    writeInt(body, off + 3, 3, clampI24(Math.round((pos.lon / 180) * GPS_SCALE)));
  }
}

function clampI24(v: number): number {
  return Math.max(-(GPS_SCALE - 1), Math.min(GPS_SCALE - 1, v));
}

/** Reads the clear header without keys: enough to route a frame to its device (SPEC §2.1). */
export function peekUplink(bytes: Uint8Array): DecodeResult<{ deviceId: number; counter24: number }, 'bad_length' | 'bad_version' | 'bad_kind'> {
  if (bytes.length !== UPLINK_LENGTH) return { ok: false, code: 'bad_length', detail: `expected ${UPLINK_LENGTH} bytes, got ${bytes.length}` };
  const version = bytes[0]! >> 4;
  if (version !== PROTOCOL_VERSION) return { ok: false, code: 'bad_version', detail: `version ${version}` };
  const kind = bytes[0]! & 0x0f;
  if (kind !== FRAME_KIND.uplink) return { ok: false, code: 'bad_kind', detail: `kind ${kind}` };
  return { ok: true, frame: { deviceId: readUint(bytes, 1, 4), counter24: readUint(bytes, 5, 3) } };
}

/** Decodes and verifies an uplink frame. Replay and duplicate checks are the receiver's store's job (§3.5). */
export function decodeUplink(bytes: Uint8Array, lookup: KeyLookup): DecodeResult<UplinkMessage, UplinkError> {
  const head = peekUplink(bytes);
  if (!head.ok) return head;
  const { deviceId, counter24 } = head.frame;
  const info = lookup(deviceId);
  if (!info) return { ok: false, code: 'unknown_device', detail: `device ${deviceId.toString(16).padStart(8, '0')}` };
  const counter = reconstructCounter(counter24, info.lastCounter);
  const plain = ccmDecrypt(info.key, uplinkNonce(deviceId, counter), bytes.subarray(BODY_START, TAG_OFFSET), bytes.subarray(TAG_OFFSET, TAG_OFFSET + TAG_LENGTH));
  if (!plain) return { ok: false, code: 'bad_tag', detail: `tag does not verify for counter ${counter}` };
  return decodeBody(plain, deviceId, counter);
}

function decodeBody(plain: Uint8Array, deviceId: number, counter: number): DecodeResult<UplinkMessage, UplinkError> {
  const at = (name: string): number => FIELD[name]!.offset - BODY_START;
  const spec = messageTypeByCode(plain[at('type')]!);
  if (!spec) return { ok: false, code: 'bad_type', detail: `type code ${plain[at('type')]}` };
  const batteryRaw = plain[at('batteryPct')]!;
  if (batteryRaw > 100 && batteryRaw !== 255) return { ok: false, code: 'bad_field', detail: `batteryPct ${batteryRaw}` };
  const flagsRaw = plain[at('flags')]!;
  if (flagsRaw & FLAGS_RESERVED_MASK) return { ok: false, code: 'bad_field', detail: `reserved flag bits set: 0x${flagsRaw.toString(16)}` };
  const flags = {} as Flags;
  for (const f of FLAG_BITS) flags[f.name] = ((flagsRaw >> f.bit) & 1) === 1;
  const detail = plain[at('detail')]!;
  if (spec.detail === 'alarmType') {
    const about = messageTypeByCode(detail);
    if (!about || about.cls !== 'alarm') return { ok: false, code: 'bad_field', detail: `${spec.name} about type code ${detail}` };
  } else if (spec.detail === 'setting') {
    if (!settingById(detail)) return { ok: false, code: 'bad_field', detail: `${spec.name} about setting id ${detail}` };
  } else if (spec.detail === 'none' && detail !== 0) {
    return { ok: false, code: 'bad_field', detail: `detail ${detail} on ${spec.name}` };
  }
  const posKind = (flagsRaw >> POSITION_KIND_SHIFT) & 3;
  const po = at('position');
  let position: Position | null = null;
  let device: DeviceInfo | null = null;
  if (posKind === 3 && spec.device === 'never') return { ok: false, code: 'bad_field', detail: `${spec.name} cannot carry the device kind` };
  if (posKind !== 3 && spec.device === 'always') return { ok: false, code: 'bad_field', detail: `${spec.name} without the device kind` };
  if (posKind === 0) {
    for (let i = 0; i < 6; i++) if (plain[po + i] !== 0) return { ok: false, code: 'bad_field', detail: 'position bytes without a position kind' };
  } else if (posKind === 1) {
    position = { kind: 'beacon', beaconId: readUint(plain, po, 4), rssiDbm: readInt(plain, po + 4, 1), ageS: plain[po + 5]! };
  } else if (posKind === 2) {
    position = { kind: 'gps', lat: (readInt(plain, po, 3) / GPS_SCALE) * 90, lon: (readInt(plain, po + 3, 3) / GPS_SCALE) * 180 };
  } else {
    const firmware = readUint(plain, po, 2);
    if (firmware === 0) return { ok: false, code: 'bad_field', detail: 'firmware version 0.0 is never assigned' };
    device = { firmware: formatFirmwareVersion(firmware), settingsHash: readUint(plain, po + 2, 4).toString(16).padStart(8, '0') };
  }
  return {
    ok: true,
    frame: {
      deviceId,
      counter,
      type: spec.name as MessageType,
      batteryPct: batteryRaw === 255 ? null : batteryRaw,
      flags,
      detail,
      ref: reconstructRef(readUint(plain, at('ref'), 2), counter),
      position,
      device,
    },
  };
}
