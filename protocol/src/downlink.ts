/**
 * Downlink frame v1 (SPEC §4): the gateway answers an uplink counter with a command. The command
 * code is in the clear and in the nonce, so each (device, counter, command) has exactly one valid
 * frame: two gateways sending the same answer send the same bytes, and no nonce is ever reused for
 * different content.
 */
import { readUint, writeUint } from './bytes';
import { ccmDecrypt, ccmEncrypt } from './ccm';
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
import type { DecodeResult, KeyLookup } from './uplink';

export interface DownlinkMessage {
  deviceId: number;
  /** The uplink counter this answers. */
  counter: number;
  command: DownlinkCommand;
  param: number;
}

export type DownlinkError = 'bad_length' | 'bad_version' | 'bad_kind' | 'unknown_device' | 'bad_command' | 'bad_tag';

const FIELD = Object.fromEntries(DOWNLINK_FIELDS.map((f) => [f.name, f])) as Record<string, FieldSpec>;
const PARAM = FIELD['param']!;
const TAG = FIELD['tag']!;

/** SPEC §3.2: nonce = the 10 clear bytes (header, deviceId, counter, command) ‖ 0x00 ×3. */
function downlinkNonce(clear: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(NONCE_LENGTH);
  nonce.set(clear.subarray(0, PARAM.offset), 0);
  return nonce;
}

export function encodeDownlink(msg: DownlinkMessage, key: Uint8Array): Uint8Array {
  if (!Number.isInteger(msg.param) || msg.param < 0 || msg.param > 0xffff) throw new Error(`param out of range: ${msg.param}`);
  const frame = new Uint8Array(DOWNLINK_LENGTH);
  frame[0] = headerByte(FRAME_KIND.downlink);
  writeUint(frame, FIELD['deviceId']!.offset, 4, msg.deviceId);
  writeUint(frame, FIELD['counter']!.offset, 4, msg.counter);
  frame[FIELD['command']!.offset] = downlinkCommandCode(msg.command);
  const plain = new Uint8Array(PARAM.size);
  writeUint(plain, 0, PARAM.size, msg.param);
  const sealed = ccmEncrypt(key, downlinkNonce(frame), plain);
  frame.set(sealed.ciphertext, PARAM.offset);
  frame.set(sealed.tag, TAG.offset);
  return frame;
}

export function decodeDownlink(bytes: Uint8Array, lookup: KeyLookup): DecodeResult<DownlinkMessage, DownlinkError> {
  if (bytes.length !== DOWNLINK_LENGTH) return { ok: false, code: 'bad_length', detail: `expected ${DOWNLINK_LENGTH} bytes, got ${bytes.length}` };
  const version = bytes[0]! >> 4;
  if (version !== PROTOCOL_VERSION) return { ok: false, code: 'bad_version', detail: `version ${version}` };
  const kind = bytes[0]! & 0x0f;
  if (kind !== FRAME_KIND.downlink) return { ok: false, code: 'bad_kind', detail: `kind ${kind}` };
  const deviceId = readUint(bytes, FIELD['deviceId']!.offset, 4);
  const info = lookup(deviceId);
  if (!info) return { ok: false, code: 'unknown_device', detail: `device ${deviceId.toString(16).padStart(8, '0')}` };
  const command = downlinkCommandByCode(bytes[FIELD['command']!.offset]!);
  if (!command) return { ok: false, code: 'bad_command', detail: `command code ${bytes[FIELD['command']!.offset]}` };
  const plain = ccmDecrypt(info.key, downlinkNonce(bytes), bytes.subarray(PARAM.offset, PARAM.offset + PARAM.size), bytes.subarray(TAG.offset, TAG.offset + TAG_LENGTH));
  if (!plain) return { ok: false, code: 'bad_tag', detail: 'tag does not verify' };
  return { ok: true, frame: { deviceId, counter: readUint(bytes, FIELD['counter']!.offset, 4), command, param: readUint(plain, 0, PARAM.size) } };
}
