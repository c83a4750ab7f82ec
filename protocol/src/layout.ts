/**
 * Frame layouts and message types as tables (SPEC §2–§5). These tables drive encode, decode and the
 * field lists printed into SPEC.md (`npx vigil frame spec`); a test keeps SPEC.md in step with them.
 */

import { SETTING_COMMAND_BASE, SETTINGS, settingById } from './settings';

export const PROTOCOL_VERSION = 1;

/** Frame kinds, low nibble of the header byte (SPEC §2.1). */
export const FRAME_KIND = { uplink: 0, downlink: 1 } as const;

/** SPEC §2.1 — every value of the header's low nibble; receivers drop the reserved ones (`bad_kind`). */
export const FRAME_KINDS = [
  { code: 0, name: 'uplink', length: 24, description: 'pendant → gateway: event, state and position, sealed (§2.2)' },
  { code: 1, name: 'downlink', length: 16, description: 'gateway → pendant: a command answering one uplink counter, authenticated (§4)' },
  { code: 2, name: 'config', length: null, description: 'reserved: longer configuration frames over GATT (v1.x); receivers drop them today' },
  { code: 3, name: 'reserved', length: null, description: 'reserved, up to 15' },
] as const;

export const UPLINK_LENGTH = 24; // SPEC §2.2: one legacy BLE advert with flags (24 bytes of manufacturer data)
export const DOWNLINK_LENGTH = 16; // SPEC §4.1
export const TAG_LENGTH = 4; // SPEC §3.1: AES-CCM with M = 4 (32-bit tag)
export const NONCE_LENGTH = 13; // SPEC §3.2: L = 2
export const KEY_LENGTH = 16;
export const COUNTER_MAX = 0xffffffff; // SPEC §3.4: a device must be re-keyed before it wraps

export type FieldKind = 'u8' | 'u16' | 'u24' | 'u32' | 'flags' | 'position' | 'tag';

export interface FieldSpec {
  name: string;
  offset: number;
  size: number;
  kind: FieldKind;
  encrypted: boolean;
  description: string;
}

/** SPEC §2.2 — uplink frame, pendant → gateway, 24 bytes. */
export const UPLINK_FIELDS: readonly FieldSpec[] = [
  { name: 'header', offset: 0, size: 1, kind: 'u8', encrypted: false, description: 'high nibble: protocol version (1); low nibble: frame kind (0 = uplink)' },
  { name: 'deviceId', offset: 1, size: 4, kind: 'u32', encrypted: false, description: 'device id, unsigned, big-endian' },
  { name: 'counter', offset: 5, size: 3, kind: 'u24', encrypted: false, description: 'low 24 bits of the 32-bit message counter, big-endian (§3.4)' },
  { name: 'type', offset: 8, size: 1, kind: 'u8', encrypted: true, description: 'message type code (§5)' },
  { name: 'batteryPct', offset: 9, size: 1, kind: 'u8', encrypted: true, description: 'battery 0–100 %, 255 = unknown' },
  { name: 'flags', offset: 10, size: 1, kind: 'flags', encrypted: true, description: 'state flags (§2.3)' },
  { name: 'detail', offset: 11, size: 1, kind: 'u8', encrypted: true, description: 'per type (§5): repeat number, or the alarm type a pre-alarm/cancel is about' },
  { name: 'ref', offset: 12, size: 2, kind: 'u16', encrypted: true, description: 'low 16 bits of the counter of the first frame of this incident (own counter when none)' },
  { name: 'position', offset: 14, size: 6, kind: 'position', encrypted: true, description: 'position, layout chosen by flags.positionKind (§2.4)' },
  { name: 'tag', offset: 20, size: 4, kind: 'tag', encrypted: false, description: 'AES-CCM authentication tag, 32 bits (§3.1)' },
];

/** SPEC §4.1 — downlink frame, gateway → pendant, 16 bytes. */
export const DOWNLINK_FIELDS: readonly FieldSpec[] = [
  { name: 'header', offset: 0, size: 1, kind: 'u8', encrypted: false, description: 'high nibble: protocol version (1); low nibble: frame kind (1 = downlink)' },
  { name: 'deviceId', offset: 1, size: 4, kind: 'u32', encrypted: false, description: 'device id the frame is for' },
  { name: 'counter', offset: 5, size: 4, kind: 'u32', encrypted: false, description: 'full 32-bit counter of the uplink frame this answers' },
  { name: 'command', offset: 9, size: 1, kind: 'u8', encrypted: false, description: 'downlink command code (§4.2)' },
  { name: 'param', offset: 10, size: 2, kind: 'u16', encrypted: false, description: 'command parameter, big-endian (§4.2); in the clear and in the nonce (§3.3)' },
  { name: 'tag', offset: 12, size: 4, kind: 'tag', encrypted: false, description: 'AES-CCM tag over the param with the nonce of §3.3, 32 bits' },
];

/** SPEC §2.3 — bits of the flags byte. */
export const FLAG_BITS = [
  { bit: 0, name: 'protection', description: 'protection mode is on' },
  { bit: 1, name: 'charging', description: 'the battery is charging' },
  { bit: 2, name: 'lowBattery', description: 'battery below the low-battery threshold' },
  { bit: 3, name: 'pending', description: 'an automatic alarm is pending (cancel window running)' },
] as const;
export type FlagName = (typeof FLAG_BITS)[number]['name'];
export type Flags = Record<FlagName, boolean>;
export const POSITION_KIND_SHIFT = 4; // bits 4–5
export const FLAGS_RESERVED_MASK = 0xc0; // bits 6–7 must be zero

/** SPEC §2.4 — position kinds (flags bits 4–5) and their 6-byte layouts. */
export const POSITION_KINDS = [
  { code: 0, name: 'none', layout: 'six zero bytes' },
  { code: 1, name: 'beacon', layout: 'beaconId u32 (iBeacon major<<16|minor), rssiDbm i8, ageS u8 (seconds since heard, 255 = older)' },
  { code: 2, name: 'gps', layout: 'lat i24 = round(lat/90·2^23), lon i24 = round(lon/180·2^23) (≈1.2 m / 2.4 m resolution)' },
  { code: 3, name: 'device', layout: 'not a position: firmware version u16 (major·256 + minor, 0.0 never assigned), settings hash u32 (§4.2.2); only on the types §5 allows' },
] as const;
export type PositionKindName = (typeof POSITION_KINDS)[number]['name'];

/** What the `detail` byte means for a message type (SPEC §5). */
export type DetailKind = 'none' | 'repeat' | 'alarmType' | 'setting';

/** Whether a message type carries position kind `device` (firmware and settings hash) instead of a position (SPEC §2.4). */
export type DeviceInfoRule = 'never' | 'may' | 'always';

export type MessageClass = 'status' | 'alarm' | 'pending';

export interface MessageTypeSpec {
  code: number;
  name: string;
  cls: MessageClass;
  detail: DetailKind;
  device: DeviceInfoRule;
  description: string;
}

/** SPEC §5 — message types. A new type is a new row. */
export const MESSAGE_TYPES = [
  { code: 1, name: 'heartbeat', cls: 'status', detail: 'none', device: 'may', description: 'periodic sign of life while protected, with battery and position — or, when there is no position to send and every tenth time, the firmware version and settings hash (§2.4)' },
  { code: 2, name: 'sos', cls: 'alarm', detail: 'repeat', device: 'never', description: 'manual alarm from the button' },
  { code: 3, name: 'fall', cls: 'alarm', detail: 'repeat', device: 'never', description: 'fall detected and not cancelled' },
  { code: 4, name: 'man_down', cls: 'alarm', detail: 'repeat', device: 'never', description: 'loss of verticality for the set time, not cancelled' },
  { code: 5, name: 'no_motion', cls: 'alarm', detail: 'repeat', device: 'never', description: 'no movement for the set time, not cancelled' },
  { code: 6, name: 'duress', cls: 'alarm', detail: 'repeat', device: 'never', description: 'covert alarm (two taps); the pendant stays silent' },
  { code: 7, name: 'pre_alarm', cls: 'pending', detail: 'alarmType', device: 'never', description: 'automatic alarm pending; cancel window running; detail = pending alarm type' },
  { code: 8, name: 'cancel', cls: 'pending', detail: 'alarmType', device: 'never', description: 'the worker cancelled a pending alarm; detail = cancelled alarm type' },
  { code: 9, name: 'check_in', cls: 'status', detail: 'none', device: 'never', description: 'the worker confirmed a check-in prompt' },
  { code: 10, name: 'protection_on', cls: 'status', detail: 'none', device: 'never', description: 'protection mode switched on at the pendant' },
  { code: 11, name: 'protection_off', cls: 'status', detail: 'none', device: 'never', description: 'protection mode switched off at the pendant' },
  { code: 12, name: 'low_battery', cls: 'status', detail: 'none', device: 'never', description: 'battery fell below the threshold' },
  { code: 13, name: 'position', cls: 'status', detail: 'none', device: 'never', description: 'position update (new beacon zone or GPS fix)' },
  { code: 14, name: 'setting', cls: 'status', detail: 'setting', device: 'always', description: 'the pendant applied and saved a `setting` command; detail = setting id (§4.2.1), ref = the counter the command answered' },
] as const satisfies readonly MessageTypeSpec[];

export type MessageType = (typeof MESSAGE_TYPES)[number]['name'];
export type AlarmMessageType = Extract<(typeof MESSAGE_TYPES)[number], { cls: 'alarm' }>['name'];

const BY_CODE = new Map<number, MessageTypeSpec>(MESSAGE_TYPES.map((t) => [t.code, t]));
const BY_NAME = new Map<string, MessageTypeSpec>(MESSAGE_TYPES.map((t) => [t.name, t]));

export function messageTypeByCode(code: number): MessageTypeSpec | undefined {
  return BY_CODE.get(code);
}

export function messageTypeByName(name: string): MessageTypeSpec | undefined {
  return BY_NAME.get(name);
}

export function isAlarmType(name: string): name is AlarmMessageType {
  return BY_NAME.get(name)?.cls === 'alarm';
}

/** SPEC §4.2 — downlink commands. */
export const DOWNLINK_COMMANDS = [
  { code: 1, name: 'received', param: 'none (0)', description: 'the centre holds the alarm: stop repeating it' },
  { code: 2, name: 'help_coming', param: 'none (0)', description: 'a person accepted the alarm: "help is coming" haptic' },
  { code: 3, name: 'closed', param: 'none (0)', description: 'the alarm was resolved or the cancel confirmed' },
  { code: 4, name: 'check_in_request', param: 'seconds the worker has to confirm', description: 'prompt the worker to check in now' },
  { code: 5, name: 'session_reminder', param: 'minutes until the session expires', description: 'the lone-work session is about to expire' },
  { code: 6, name: 'protection', param: '1 = on, 0 = off', description: 'protection mode set from the console or the app' },
  { code: 0x80, name: 'setting', param: 'the new value in the setting\'s unit (§4.2.1)', description: 'change one pendant setting: the code is 0x80 + the setting id; the pendant saves it, applies it and answers with a `setting` frame' },
] as const;
export type DownlinkCommand = (typeof DOWNLINK_COMMANDS)[number]['name'];

/** SPEC §4.2 — command codes that are not commands today. A receiver drops them (`bad_command`). */
export const DOWNLINK_RESERVED = [
  { from: 0x00, to: 0x00, use: 'never valid (an all-zero frame must not mean anything)' },
  { from: 0x07, to: 0x7f, use: 'future commands of this frame kind' },
  { from: 0x80, to: 0x80, use: 'setting id 0: never valid' },
  { from: SETTING_COMMAND_BASE + SETTINGS.length + 1, to: 0xff, use: 'settings not defined yet (0x80 + the next setting ids, §4.2.1)' },
] as const;

const CMD_BY_CODE = new Map<number, DownlinkCommand>(DOWNLINK_COMMANDS.filter((c) => c.name !== 'setting').map((c) => [c.code, c.name]));
const CMD_BY_NAME = new Map<string, number>(DOWNLINK_COMMANDS.filter((c) => c.name !== 'setting').map((c) => [c.name, c.code]));

/** The command of a code: a command of the table, or `setting` for 0x80 + a setting id of §4.2.1. */
export function downlinkCommandByCode(code: number): DownlinkCommand | undefined {
  if (code > SETTING_COMMAND_BASE && code <= 0xff) return settingById(code - SETTING_COMMAND_BASE) ? 'setting' : undefined;
  return CMD_BY_CODE.get(code);
}

/** The code of a command; a `setting` needs the setting's id (code 0x80 + id). */
export function downlinkCommandCode(name: DownlinkCommand, settingId?: number): number {
  if (name === 'setting') {
    if (settingId === undefined || !settingById(settingId)) throw new Error(`a setting command needs a setting id of the table (got ${settingId})`);
    return SETTING_COMMAND_BASE + settingId;
  }
  return CMD_BY_NAME.get(name)!;
}

/** Every command code a receiver accepts (SPEC §4.2): the table's, and 0x80 + each setting id. */
export function downlinkCommandCodes(): number[] {
  return [...CMD_BY_CODE.keys(), ...SETTINGS.map((s) => SETTING_COMMAND_BASE + s.id)];
}

export function headerByte(kind: number): number {
  return (PROTOCOL_VERSION << 4) | kind;
}

/** SPEC §4.3 — BLE carriage: company id of Vigil adverts, GATT service and characteristic for downlinks. */
export const BLE_COMPANY_ID = 0xffff;
export const GATT_SERVICE_UUID = '7a1e0001-5e6c-4c1b-9d0e-0a11c0ffee00';
export const GATT_DOWNLINK_UUID = '7a1e0002-5e6c-4c1b-9d0e-0a11c0ffee00';
