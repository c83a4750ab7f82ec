/**
 * Downlink frame v1 (SPEC §4): the gateway answers an uplink counter with a command. Everything is
 * in the clear and authenticated: the nonce is the twelve clear bytes (§3.3), so each distinct frame
 * has its own nonce and two gateways sending the same answer send the same bytes.
 */
import { equalBytes, readUint, writeUint } from './bytes';
import { ccmEncrypt } from './ccm';
import type { DownlinkError } from './errors';
import {
  DOWNLINK_FIELDS,
  DOWNLINK_LENGTH,
  downlinkCommandByCode,
  downlinkCommandCode,
  type DownlinkCommand,
  type FieldSpec,
  FRAME_KIND,
  headerByte,
  NONCE_LENGTH,
  PROTOCOL_VERSION,
  TAG_LENGTH,
} from './layout';
import { SETTING_COMMAND_BASE, settingById, settingByName, type SettingName } from './settings';
import type { DecodeResult, KeyLookup } from './uplink';

export interface DownlinkMessage {
  deviceId: number;
  /** The uplink counter this answers. */
  counter: number;
  command: DownlinkCommand;
  param: number;
  /** Which setting a `setting` command changes (SPEC §4.2.1); absent for every other command. */
  setting?: SettingName;
}

const FIELD = Object.fromEntries(DOWNLINK_FIELDS.map((f) => [f.name, f])) as Record<string, FieldSpec>;
const PARAM = FIELD['param']!;
const TAG = FIELD['tag']!;

/** SPEC §3.3: nonce = the 12 clear bytes (header, deviceId, counter, command, param) ‖ 0x00. */
export function downlinkNonce(frame: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(NONCE_LENGTH);
  nonce.set(frame.subarray(0, TAG.offset), 0);
  return nonce;
}

/** SPEC §3.3: the tag is the CCM tag of the 2 param bytes under that nonce; the ciphertext is not sent. */
function downlinkTag(frame: Uint8Array, key: Uint8Array): Uint8Array {
  return ccmEncrypt(key, downlinkNonce(frame), frame.subarray(PARAM.offset, PARAM.offset + PARAM.size)).tag;
}

/** Encodes and authenticates a downlink. Throws on programmer error (out-of-range input). */
export function encodeDownlink(msg: DownlinkMessage, key: Uint8Array): Uint8Array {
  if (!Number.isInteger(msg.param) || msg.param < 0 || msg.param > 0xffff) throw new Error(`param out of range: ${msg.param}`);
  if (!Number.isInteger(msg.counter) || msg.counter < 0 || msg.counter > 0xffffffff) throw new Error(`counter out of range: ${msg.counter}`);
  if (!Number.isInteger(msg.deviceId) || msg.deviceId < 0 || msg.deviceId > 0xffffffff) throw new Error(`deviceId out of range: ${msg.deviceId}`);
  if ((msg.command === 'setting') !== (msg.setting !== undefined)) throw new Error(`a setting is named by, and only by, a setting command (${msg.command}, ${msg.setting})`);
  const s = msg.setting === undefined ? undefined : settingByName(msg.setting);
  if (msg.setting !== undefined && !s) throw new Error(`Unknown setting '${msg.setting}'`);
  // SPEC §4.2.1: the centre sends only values inside the pendant's clamp.
  if (s && (msg.param < s.min || msg.param > s.max)) throw new Error(`${s.name} out of range: ${msg.param} (${s.min}–${s.max})`);
  return sealDownlink(msg.deviceId, msg.counter, downlinkCommandCode(msg.command, s?.id), msg.param, key);
}

/** Builds a downlink from a raw command code (test vectors use it for reserved codes). */
export function sealDownlink(deviceId: number, counter: number, commandCode: number, param: number, key: Uint8Array): Uint8Array {
  const frame = new Uint8Array(DOWNLINK_LENGTH);
  frame[0] = headerByte(FRAME_KIND.downlink);
  writeUint(frame, FIELD['deviceId']!.offset, 4, deviceId);
  writeUint(frame, FIELD['counter']!.offset, 4, counter);
  frame[FIELD['command']!.offset] = commandCode & 0xff;
  writeUint(frame, PARAM.offset, PARAM.size, param);
  frame.set(downlinkTag(frame, key), TAG.offset);
  return frame;
}

/** Decodes and verifies a downlink (SPEC §4.5 order: length, version, kind, device, command, tag). */
export function decodeDownlink(bytes: Uint8Array, lookup: KeyLookup): DecodeResult<DownlinkMessage, DownlinkError> {
  if (bytes.length !== DOWNLINK_LENGTH) return { ok: false, code: 'bad_length', detail: `expected ${DOWNLINK_LENGTH} bytes, got ${bytes.length}` };
  const version = bytes[0]! >> 4;
  if (version !== PROTOCOL_VERSION) return { ok: false, code: 'bad_version', detail: `version ${version}` };
  const kind = bytes[0]! & 0x0f;
  if (kind !== FRAME_KIND.downlink) return { ok: false, code: 'bad_kind', detail: `kind ${kind}` };
  const deviceId = readUint(bytes, FIELD['deviceId']!.offset, 4);
  const info = lookup(deviceId);
  if (!info) return { ok: false, code: 'unknown_device', detail: `device ${deviceId.toString(16).padStart(8, '0')}` };
  const code = bytes[FIELD['command']!.offset]!;
  const command = downlinkCommandByCode(code);
  if (!command) return { ok: false, code: 'bad_command', detail: `command code ${code}` };
  if (!equalBytes(downlinkTag(bytes, info.key), bytes.subarray(TAG.offset, TAG.offset + TAG_LENGTH))) return { ok: false, code: 'bad_tag', detail: 'tag does not verify' };
  const frame: DownlinkMessage = { deviceId, counter: readUint(bytes, FIELD['counter']!.offset, 4), command, param: readUint(bytes, PARAM.offset, PARAM.size) };
  if (command === 'setting') frame.setting = settingById(code - SETTING_COMMAND_BASE)!.name as SettingName;
  return { ok: true, frame };
}
