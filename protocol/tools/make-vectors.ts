/**
 * Writes protocol/vectors/*.json (SPEC §10). The files are the reference: once committed, a vector's
 * bytes never change (a changed byte is a protocol break, caught by review of the diff). Run this
 * only to add cases: `npx tsx protocol/tools/make-vectors.ts`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeDownlink,
  decodeUplink,
  type DownlinkMessage,
  downlinkToJson,
  encodeDownlink,
  encodeUplink,
  formatDeviceId,
  fromHex,
  messageTypeByName,
  parseDeviceId,
  reconstructCounter,
  reconstructRef,
  sealDownlink,
  sealUplink,
  toHex,
  type UplinkInput,
  uplinkToJson,
  UPLINK_BODY_LENGTH,
  advanceWindow,
  classifyCounter,
  type ReplayState,
  defaultSettings,
  defaultSettingsHash,
  settingByName,
  type SettingName,
  SETTINGS,
  settingsHash,
} from '../src';

const OUT = join(__dirname, '..', 'vectors');

/** The receiver's keyring for every vector; `attacker` is a key no receiver holds. */
const KEYS = {
  k1: '000102030405060708090a0b0c0d0e0f',
  k2: '2b7e151628aed2a6abf7158809cf4f3c',
  k4: 'c0ffee00deadbeef0123456789abcdef',
  attacker: 'ffeeddccbbaa99887766554433221100',
} as const;
type KeyId = keyof typeof KEYS;
const DEVICES: Record<string, KeyId> = { '00c0ffee': 'k1', '1234abcd': 'k2', fedcba98: 'k4' };
const STRANGER = '0badf00d'; // in no keyring

const key = (k: KeyId): Uint8Array => fromHex(KEYS[k])!;
const keyOf = (dev: string): Uint8Array => key(DEVICES[dev] ?? 'attacker');
const lookupWith = (lastCounter: number | null) => (id: number) => {
  const k = DEVICES[formatDeviceId(id)];
  return k ? { key: key(k), lastCounter: lastCounter ?? undefined } : undefined;
};

type InputJson = Omit<UplinkInput, 'deviceId'> & { deviceId: string };
const toInput = (i: InputJson): UplinkInput => ({ ...i, deviceId: parseDeviceId(i.deviceId)! });
const code = (name: string): number => messageTypeByName(name)!.code;

// ---- uplinks -----------------------------------------------------------------------------------

const A = '00c0ffee';
const beacon = (beaconId: number, rssiDbm: number, ageS: number) => ({ kind: 'beacon' as const, beaconId, rssiDbm, ageS });
const gps = (lat: number, lon: number) => ({ kind: 'gps' as const, lat, lon });

const uplinkCases: { name: string; lastCounter: number | null; input: InputJson }[] = [
  { name: 'heartbeat, protected, no position', lastCounter: null, input: { deviceId: A, counter: 1, type: 'heartbeat', batteryPct: 87, flags: { protection: true } } },
  { name: 'heartbeat, battery unknown, charging', lastCounter: 1, input: { deviceId: A, counter: 2, type: 'heartbeat', batteryPct: null, flags: { charging: true } } },
  { name: 'heartbeat with a beacon position and low battery', lastCounter: 2, input: { deviceId: A, counter: 3, type: 'heartbeat', batteryPct: 14, flags: { protection: true, lowBattery: true }, position: beacon(0x00010002, -71, 4) } },
  { name: 'sos, first frame of the incident', lastCounter: 3, input: { deviceId: A, counter: 100, type: 'sos', batteryPct: 80, flags: { protection: true }, detail: 0, position: beacon(0x00010002, -65, 0) } },
  { name: 'sos, fourth repeat, ref = first frame', lastCounter: 102, input: { deviceId: A, counter: 103, type: 'sos', batteryPct: 80, flags: { protection: true }, detail: 3, ref: 100, position: beacon(0x00010002, -66, 1) } },
  { name: 'fall with a GPS fix (Paris)', lastCounter: 103, input: { deviceId: A, counter: 120, type: 'fall', batteryPct: 79, flags: { protection: true }, ref: 118, position: gps(48.85837, 2.294481) } },
  { name: 'man_down, southern and western GPS (Buenos Aires)', lastCounter: 120, input: { deviceId: A, counter: 130, type: 'man_down', batteryPct: 79, position: gps(-34.6037, -58.3816) } },
  { name: 'no_motion, weak and old beacon', lastCounter: 130, input: { deviceId: A, counter: 140, type: 'no_motion', batteryPct: 78, flags: { protection: true }, detail: 255, ref: 139, position: beacon(0xffffffff, -100, 255) } },
  { name: 'duress (same clear bytes as a heartbeat)', lastCounter: 140, input: { deviceId: A, counter: 141, type: 'duress', batteryPct: 87, flags: { protection: true } } },
  { name: 'pre_alarm for a fall, cancel window running', lastCounter: 141, input: { deviceId: A, counter: 150, type: 'pre_alarm', batteryPct: 77, flags: { protection: true, pending: true }, detail: code('fall') } },
  { name: 'cancel of that fall', lastCounter: 150, input: { deviceId: A, counter: 151, type: 'cancel', batteryPct: 77, flags: { protection: true }, detail: code('fall'), ref: 150 } },
  { name: 'pre_alarm for man_down', lastCounter: 151, input: { deviceId: A, counter: 160, type: 'pre_alarm', batteryPct: 77, flags: { protection: true, pending: true }, detail: code('man_down') } },
  { name: 'pre_alarm for no_motion', lastCounter: 160, input: { deviceId: A, counter: 161, type: 'pre_alarm', batteryPct: 77, flags: { protection: true, pending: true }, detail: code('no_motion') } },
  { name: 'check_in', lastCounter: 161, input: { deviceId: A, counter: 170, type: 'check_in', batteryPct: 76, flags: { protection: true } } },
  { name: 'protection_on', lastCounter: 170, input: { deviceId: A, counter: 171, type: 'protection_on', batteryPct: 76, flags: { protection: true } } },
  { name: 'protection_off', lastCounter: 171, input: { deviceId: A, counter: 172, type: 'protection_off', batteryPct: 76 } },
  { name: 'low_battery', lastCounter: 172, input: { deviceId: A, counter: 173, type: 'low_battery', batteryPct: 9, flags: { protection: true, lowBattery: true } } },
  { name: 'position, GPS', lastCounter: 173, input: { deviceId: A, counter: 174, type: 'position', batteryPct: 76, flags: { protection: true }, position: gps(52.520008, 13.404954) } },
  { name: 'position, beacon', lastCounter: 174, input: { deviceId: A, counter: 175, type: 'position', batteryPct: 76, flags: { protection: true }, position: beacon(0x01f40007, -58, 2) } },
  { name: 'another device and key', lastCounter: 4000, input: { deviceId: '1234abcd', counter: 4001, type: 'sos', batteryPct: 100, flags: { protection: true } } },
  { name: 'device id with the top bit set', lastCounter: 9, input: { deviceId: 'fedcba98', counter: 10, type: 'heartbeat', batteryPct: 50 } },
  { name: 'counter 0, first frame ever', lastCounter: null, input: { deviceId: A, counter: 0, type: 'protection_on', batteryPct: 100, flags: { protection: true } } },
  { name: 'counter 0xFFFFFF, last before the on-air wrap', lastCounter: 0xfffff0, input: { deviceId: A, counter: 0xffffff, type: 'heartbeat', batteryPct: 60 } },
  { name: 'counter 0x1000000, on-air 000000 after the wrap', lastCounter: 0xffffff, input: { deviceId: A, counter: 0x1000000, type: 'heartbeat', batteryPct: 60 } },
  { name: 'counter 0x1000005 after a reboot skipped across the wrap', lastCounter: 0xfffffa, input: { deviceId: A, counter: 0x1000005, type: 'heartbeat', batteryPct: 60 } },
  { name: 'late frame from before the wrap', lastCounter: 0x1000003, input: { deviceId: A, counter: 0xfffffe, type: 'sos', batteryPct: 60, detail: 2, ref: 0xfffff0 } },
  { name: 'high counter', lastCounter: 0x05123450, input: { deviceId: A, counter: 0x05123456, type: 'heartbeat', batteryPct: 60 } },
  { name: 'last counter a pendant uses (2^32 − 3)', lastCounter: 0xffffff00, input: { deviceId: A, counter: 0xfffffffd, type: 'heartbeat', batteryPct: 60 } },
  { name: 'incident ref across a 16-bit boundary', lastCounter: 0x10004, input: { deviceId: A, counter: 0x10005, type: 'sos', batteryPct: 60, detail: 21, ref: 0xfff0 } },
  { name: 'GPS at the poles and the antimeridian (clamped to ±(2^23 − 1))', lastCounter: 175, input: { deviceId: A, counter: 176, type: 'position', batteryPct: 70, position: gps(90, 180) } },
  { name: 'GPS at the other extremes', lastCounter: 176, input: { deviceId: A, counter: 177, type: 'position', batteryPct: 70, position: gps(-90, -180) } },
  { name: 'beacon RSSI clamped to −128 dBm, age to 255 s', lastCounter: 177, input: { deviceId: A, counter: 178, type: 'position', batteryPct: 70, position: beacon(7, -130, 300) } },
  { name: 'beacon RSSI +127 dBm, fractional values rounded', lastCounter: 178, input: { deviceId: A, counter: 179, type: 'position', batteryPct: 70, position: beacon(8, 126.6, 3.4) } },
  // v1.1 (SPEC §2.4.4, §4.2): position kind `device`, the `setting` acknowledgement
  { name: 'heartbeat with the firmware version and settings hash (kind device)', lastCounter: 179, input: { deviceId: A, counter: 180, type: 'heartbeat', batteryPct: 70, flags: { protection: true }, device: { firmware: '1.1', settingsHash: defaultSettingsHash } } },
  { name: 'heartbeat, kind device, highest version and hash', lastCounter: 180, input: { deviceId: A, counter: 181, type: 'heartbeat', batteryPct: 70, flags: { protection: true }, device: { firmware: '255.255', settingsHash: 'ffffffff' } } },
  { name: 'setting acknowledged: sens, answering counter 181', lastCounter: 181, input: { deviceId: A, counter: 182, type: 'setting', batteryPct: 70, flags: { protection: true }, detail: settingByName('sens')!.id, ref: 181, device: { firmware: '1.1', settingsHash: '0badcafe' } } },
  { name: 'setting acknowledged: scanMs (the last id), the answered counter across a 16-bit boundary', lastCounter: 0x10003, input: { deviceId: A, counter: 0x10004, type: 'setting', batteryPct: 70, flags: { protection: true }, detail: settingByName('scanMs')!.id, ref: 0xfffe, device: { firmware: '1.1', settingsHash: '00000001' } } },
];

function uplinks() {
  const positive = uplinkCases.map((c) => {
    const frame = encodeUplink(toInput(c.input), keyOf(c.input.deviceId));
    const r = decodeUplink(frame, lookupWith(c.lastCounter));
    if (!r.ok) throw new Error(`${c.name}: ${r.code}`);
    return { name: c.name, lastCounter: c.lastCounter, input: c.input, frame: toHex(frame), decoded: uplinkToJson(r.frame) };
  });

  const good = encodeUplink({ deviceId: 0xc0ffee, counter: 200, type: 'sos', batteryPct: 80, flags: { protection: true }, position: beacon(0x00010002, -70, 1) }, key('k1'));
  const flip = (f: Uint8Array, i: number, mask = 1): Uint8Array => Object.assign(f.slice(), { [i]: f[i]! ^ mask });
  const setByte = (f: Uint8Array, i: number, v: number): Uint8Array => Object.assign(f.slice(), { [i]: v });
  // Bodies sealed as they are: authentic frames whose content breaks a rule.
  const body = (over: Record<number, number>): Uint8Array => {
    const b = new Uint8Array(UPLINK_BODY_LENGTH);
    b[0] = code('heartbeat');
    b[1] = 50;
    b[4] = 0;
    b[5] = 201;
    for (const [i, v] of Object.entries(over)) b[Number(i)] = v;
    return b;
  };
  const raw = (over: Record<number, number>, counter = 201) => sealUplink(0xc0ffee, counter, body(over), key('k1'));
  const neg: { name: string; lastCounter: number | null; frame: Uint8Array; error: string }[] = [
    { name: 'empty', lastCounter: 199, frame: new Uint8Array(0), error: 'bad_length' },
    { name: 'one byte short', lastCounter: 199, frame: good.subarray(0, 23), error: 'bad_length' },
    { name: 'one byte long', lastCounter: 199, frame: Uint8Array.from([...good, 0]), error: 'bad_length' },
    { name: 'a downlink-sized frame', lastCounter: 199, frame: good.subarray(0, 16), error: 'bad_length' },
    { name: 'version 0', lastCounter: 199, frame: setByte(good, 0, 0x00), error: 'bad_version' },
    { name: 'version 2', lastCounter: 199, frame: setByte(good, 0, 0x20), error: 'bad_version' },
    { name: 'version 15', lastCounter: 199, frame: setByte(good, 0, 0xf0), error: 'bad_version' },
    { name: 'kind 1 (downlink) at uplink length', lastCounter: 199, frame: setByte(good, 0, 0x11), error: 'bad_kind' },
    { name: 'kind 2 (reserved config)', lastCounter: 199, frame: setByte(good, 0, 0x12), error: 'bad_kind' },
    { name: 'device in no keyring', lastCounter: 199, frame: encodeUplink({ deviceId: parseDeviceId(STRANGER)!, counter: 5, type: 'sos' }, key('attacker')), error: 'unknown_device' },
    { name: 'tag bit flipped', lastCounter: 199, frame: flip(good, 23), error: 'bad_tag' },
    { name: 'first tag byte changed', lastCounter: 199, frame: flip(good, 20, 0x80), error: 'bad_tag' },
    { name: 'type byte flipped (ciphertext)', lastCounter: 199, frame: flip(good, 8), error: 'bad_tag' },
    { name: 'position byte flipped', lastCounter: 199, frame: flip(good, 19, 0x40), error: 'bad_tag' },
    { name: 'counter changed in the clear', lastCounter: 199, frame: flip(good, 7), error: 'bad_tag' },
    { name: 'counter high byte changed', lastCounter: 199, frame: flip(good, 5), error: 'bad_tag' },
    { name: 'device id changed to another known device', lastCounter: 199, frame: Object.assign(good.slice(), { 1: 0x12, 2: 0x34, 3: 0xab, 4: 0xcd }), error: 'bad_tag' },
    { name: 'sealed with a key the receiver does not hold', lastCounter: 199, frame: encodeUplink({ deviceId: 0xc0ffee, counter: 200, type: 'sos' }, key('attacker')), error: 'bad_tag' },
    { name: 'recorded 2^24 counters ago (rebuilt into the current epoch)', lastCounter: 0x1000010, frame: encodeUplink({ deviceId: 0xc0ffee, counter: 0x10, type: 'sos' }, key('k1')), error: 'bad_tag' },
    { name: 'high counter heard by a receiver with no state (rebuilt as the low 24 bits)', lastCounter: null, frame: encodeUplink({ deviceId: 0xc0ffee, counter: 0x1000005, type: 'heartbeat' }, key('k1')), error: 'bad_tag' },
    { name: 'type code 0', lastCounter: 199, frame: raw({ 0: 0 }), error: 'bad_type' },
    { name: 'type code 14 (first unassigned in v1.0; a `setting` about id 0 and without the device kind since v1.1)', lastCounter: 199, frame: raw({ 0: 14 }), error: 'bad_field' },
    { name: 'type code 255', lastCounter: 199, frame: raw({ 0: 255 }), error: 'bad_type' },
    { name: 'battery 101 %', lastCounter: 199, frame: raw({ 1: 101 }), error: 'bad_field' },
    { name: 'battery 254 %', lastCounter: 199, frame: raw({ 1: 254 }), error: 'bad_field' },
    { name: 'reserved flag bit 6', lastCounter: 199, frame: raw({ 2: 0x40 }), error: 'bad_field' },
    { name: 'reserved flag bit 7', lastCounter: 199, frame: raw({ 2: 0x80 }), error: 'bad_field' },
    { name: 'position kind 3 (device) with firmware version 0.0', lastCounter: 199, frame: raw({ 2: 0x30 }), error: 'bad_field' },
    { name: 'position bytes without a position kind', lastCounter: 199, frame: raw({ 11: 1 }), error: 'bad_field' },
    { name: 'detail on a heartbeat', lastCounter: 199, frame: raw({ 3: 1 }), error: 'bad_field' },
    { name: 'pre_alarm about a heartbeat', lastCounter: 199, frame: raw({ 0: code('pre_alarm'), 3: code('heartbeat') }), error: 'bad_field' },
    { name: 'cancel about type 0', lastCounter: 199, frame: raw({ 0: code('cancel'), 3: 0 }), error: 'bad_field' },
    { name: 'pre_alarm about a pre_alarm', lastCounter: 199, frame: raw({ 0: code('pre_alarm'), 3: code('pre_alarm') }), error: 'bad_field' },
    { name: 'kind device with firmware 0.0 and a hash', lastCounter: 199, frame: raw({ 2: 0x31, 8: 0xde, 9: 0xad }), error: 'bad_field' },
    { name: 'kind device on an sos (alarms carry positions)', lastCounter: 199, frame: raw({ 0: code('sos'), 2: 0x31, 6: 1, 7: 1 }), error: 'bad_field' },
    { name: 'kind device on a position frame', lastCounter: 199, frame: raw({ 0: code('position'), 2: 0x31, 6: 1, 7: 1 }), error: 'bad_field' },
    { name: 'setting without the device kind', lastCounter: 199, frame: raw({ 0: code('setting'), 3: 11 }), error: 'bad_field' },
    { name: 'setting about setting id 0', lastCounter: 199, frame: raw({ 0: code('setting'), 2: 0x31, 3: 0, 6: 1, 7: 1 }), error: 'bad_field' },
    { name: 'setting about an undefined setting id (21)', lastCounter: 199, frame: raw({ 0: code('setting'), 2: 0x31, 3: 21, 6: 1, 7: 1 }), error: 'bad_field' },
    { name: 'type code 15 (first unassigned since v1.1)', lastCounter: 199, frame: raw({ 0: 15 }), error: 'bad_type' },
  ];
  const negative = neg.map((n) => {
    const r = decodeUplink(n.frame, lookupWith(n.lastCounter));
    if (r.ok || r.code !== n.error) throw new Error(`${n.name}: expected ${n.error}, got ${r.ok ? 'ok' : r.code}`);
    return { name: n.name, lastCounter: n.lastCounter, frame: toHex(n.frame), error: n.error };
  });
  return { positive, negative };
}

// ---- downlinks ---------------------------------------------------------------------------------

function downlinks() {
  const d = (deviceId: string, counter: number, command: DownlinkMessage['command'], param: number): { deviceId: string; counter: number; command: DownlinkMessage['command']; param: number; setting?: SettingName } => ({ deviceId, counter, command, param });
  const set = (deviceId: string, counter: number, setting: SettingName, param: number) => ({ deviceId, counter, command: 'setting' as const, param, setting });
  const cases = [
    { name: 'received, answering an sos repeat', msg: d(A, 103, 'received', 0) },
    { name: 'help_coming', msg: d(A, 104, 'help_coming', 0) },
    { name: 'closed', msg: d(A, 151, 'closed', 0) },
    { name: 'check_in_request, 120 s to confirm', msg: d(A, 170, 'check_in_request', 120) },
    { name: 'session_reminder, 15 min left', msg: d(A, 170, 'session_reminder', 15) },
    { name: 'protection on', msg: d(A, 172, 'protection', 1) },
    { name: 'protection off answering the same counter (a different nonce: §3.3)', msg: d(A, 172, 'protection', 0) },
    { name: 'param 65535', msg: d(A, 173, 'check_in_request', 0xffff) },
    { name: 'another device and key', msg: d('1234abcd', 4001, 'received', 0) },
    { name: 'device id with the top bit set, high counter', msg: d('fedcba98', 0xfffffffd, 'help_coming', 0) },
    { name: 'counter above 2^24 (downlinks carry all 32 bits)', msg: d(A, 0x1000005, 'received', 0) },
    // v1.1 (SPEC §4.2.1): one setting per frame, code 0x80 + id, param = the value on the wire
    { name: 'setting sens = 4 (code 0x8b)', msg: set(A, 181, 'sens', 4) },
    { name: 'setting hb = 3600 s (code 0x81, the first id)', msg: set(A, 181, 'hb', 3600) },
    { name: 'setting stillG = 0.08 g (travels as 8)', msg: set(A, 182, 'stillG', 8) },
    { name: 'setting scanMs = 500 (code 0x94, the last id)', msg: set(A, 183, 'scanMs', 500) },
    { name: 'setting fall off', msg: set(A, 184, 'fall', 0) },
    { name: 'setting keep = 65535 s, another device', msg: set('1234abcd', 4002, 'keep', 65535) },
  ];
  const positive = cases.map((c) => {
    const frame = encodeDownlink({ ...c.msg, deviceId: parseDeviceId(c.msg.deviceId)! }, keyOf(c.msg.deviceId));
    const r = decodeDownlink(frame, lookupWith(null));
    if (!r.ok) throw new Error(`${c.name}: ${r.code}`);
    return { name: c.name, receiver: c.msg.deviceId, frame: toHex(frame), decoded: downlinkToJson(r.frame) };
  });
  const good = encodeDownlink({ deviceId: 0xc0ffee, counter: 103, command: 'received', param: 0 }, key('k1'));
  const sens4 = encodeDownlink({ deviceId: 0xc0ffee, counter: 181, command: 'setting', setting: 'sens', param: 4 }, key('k1'));
  const flip = (f: Uint8Array, i: number, mask = 1): Uint8Array => Object.assign(f.slice(), { [i]: f[i]! ^ mask });
  const neg = [
    { name: 'one byte short', receiver: A, frame: good.subarray(0, 15), error: 'bad_length' },
    { name: 'one byte long', receiver: A, frame: Uint8Array.from([...good, 0]), error: 'bad_length' },
    { name: 'an uplink frame', receiver: A, frame: encodeUplink({ deviceId: 0xc0ffee, counter: 103, type: 'sos' }, key('k1')), error: 'bad_length' },
    { name: 'version 2', receiver: A, frame: Object.assign(good.slice(), { 0: 0x21 }), error: 'bad_version' },
    { name: 'kind 0 (uplink) at downlink length', receiver: A, frame: Object.assign(good.slice(), { 0: 0x10 }), error: 'bad_kind' },
    { name: 'kind 2 (reserved config)', receiver: A, frame: Object.assign(good.slice(), { 0: 0x12 }), error: 'bad_kind' },
    { name: 'for a device in no keyring (a pendant: not its own id)', receiver: A, frame: sealDownlink(parseDeviceId(STRANGER)!, 103, 1, 0, key('attacker')), error: 'unknown_device' },
    { name: 'command 0 with a valid tag', receiver: A, frame: sealDownlink(0xc0ffee, 103, 0, 0, key('k1')), error: 'bad_command' },
    { name: 'command 7 (first unassigned) with a valid tag', receiver: A, frame: sealDownlink(0xc0ffee, 103, 7, 0, key('k1')), error: 'bad_command' },
    { name: 'command 0x80 (reserved for config) with a valid tag', receiver: A, frame: sealDownlink(0xc0ffee, 103, 0x80, 0x0105, key('k1')), error: 'bad_command' },
    { name: 'command 0xFF with a valid tag', receiver: A, frame: sealDownlink(0xc0ffee, 103, 0xff, 0, key('k1')), error: 'bad_command' },
    { name: 'tag bit flipped', receiver: A, frame: flip(good, 15), error: 'bad_tag' },
    { name: 'param changed', receiver: A, frame: flip(good, 11), error: 'bad_tag' },
    { name: 'answered counter changed', receiver: A, frame: flip(good, 8), error: 'bad_tag' },
    { name: 'received turned into help_coming', receiver: A, frame: Object.assign(good.slice(), { 9: 2 }), error: 'bad_tag' },
    { name: 'received turned into closed (cancel forgery)', receiver: A, frame: Object.assign(good.slice(), { 9: 3 }), error: 'bad_tag' },
    { name: 'sealed with a key the pendant does not hold', receiver: A, frame: encodeDownlink({ deviceId: 0xc0ffee, counter: 103, command: 'received', param: 0 }, key('attacker')), error: 'bad_tag' },
    { name: 'readdressed to another known device', receiver: '1234abcd', frame: Object.assign(good.slice(), { 1: 0x12, 2: 0x34, 3: 0xab, 4: 0xcd }), error: 'bad_tag' },
    { name: 'setting 0x95 (first undefined setting id) with a valid tag', receiver: A, frame: sealDownlink(0xc0ffee, 103, 0x95, 1, key('k1')), error: 'bad_command' },
    { name: 'setting value changed (sens 4 → 5)', receiver: A, frame: Object.assign(sens4.slice(), { 11: 5 }), error: 'bad_tag' },
    { name: 'setting id changed (sens → tiltDeg)', receiver: A, frame: Object.assign(sens4.slice(), { 9: 0x8c }), error: 'bad_tag' },
    { name: 'setting turned into check_in_request', receiver: A, frame: Object.assign(sens4.slice(), { 9: 4 }), error: 'bad_tag' },
  ];
  const negative = neg.map((n) => {
    const r = decodeDownlink(n.frame, lookupWith(null));
    if (r.ok || r.code !== n.error) throw new Error(`${n.name}: expected ${n.error}, got ${r.ok ? 'ok' : r.code}`);
    return { name: n.name, receiver: n.receiver, frame: toHex(n.frame), error: n.error };
  });
  return { positive, negative };
}

// ---- counters ----------------------------------------------------------------------------------

function counters() {
  const rc: [number, number | null][] = [
    [5, null], [0xffffff, null], [0x10, 0x0f], [0x10, 0x10], [0x0f, 0x10], [0x000002, 0x00fffffe], [0xfffffe, 0x01000003],
    [0x123456, 0x05123450], [0x800000, 0], [0x800001, 0], [0x7fffff, 0x1000000], [0x000000, 0xffffffff], [0xffffff, 0xfffffff0], [0x000003, 0xfffffff0],
  ];
  const reconstruct = rc.map(([low24, last]) => ({ low24, last, full: reconstructCounter(low24, last ?? undefined) }));
  const rf: [number, number][] = [[0xfff0, 0x10005], [5, 0x10008], [8, 8], [0, 0], [0xffff, 0x1fffe], [9, 0x5_0000]];
  const ref = rf.map(([ref16, counter]) => ({ ref16, counter, full: reconstructRef(ref16, counter) }));
  const run = (counters: number[]) => {
    let s: ReplayState | undefined;
    return counters.map((counter) => {
      const verdict = classifyCounter(s, counter);
      if (verdict === 'new') s = advanceWindow(s, counter);
      return { counter, verdict };
    });
  };
  const window = [
    { name: 'in order, then copies', steps: run([10, 11, 12, 12, 11, 13]) },
    { name: 'out of order inside the window', steps: run([20, 25, 22, 21, 22, 24, 23, 25]) },
    { name: 'edge of the 32-counter window', steps: run([100, 131, 100, 99, 132, 100, 101]) },
    { name: 'a jump wider than the window clears it', steps: run([5, 6, 1000, 6, 999, 968, 969, 1000]) },
    { name: 'at the top of the counter range', steps: run([0xfffffff0, 0xfffffffd, 0xfffffff0, 0xfffffff1, 0xfffffffd]) },
  ];
  return { reconstruct, ref, window };
}

// ---- settings ---------------------------------------------------------------------------------

function settings() {
  const base = defaultSettings();
  const hashCases: { name: string; values: Record<string, number> }[] = [
    { name: 'every setting at its default', values: base },
    { name: 'sens 4', values: { ...base, sens: 4 } },
    { name: 'man-down 60° for 15 s, fall detection off', values: { ...base, tiltDeg: 60, tiltS: 15, fall: 0 } },
    { name: 'every setting at its minimum', values: Object.fromEntries(SETTINGS.map((x) => [x.name, x.min])) },
    { name: 'every setting at its maximum', values: Object.fromEntries(SETTINGS.map((x) => [x.name, x.max])) },
  ];
  const hashes = hashCases.map((c) => ({ name: c.name, values: c.values, hash: settingsHash(c.values as Record<SettingName, number>) }));
  const clampCases: [SettingName, number][] = [['pre', 10], ['pre', 60], ['pre', 30], ['hb', 5], ['hb', 4000], ['sens', 0], ['sens', 9], ['stillG', 0], ['stillG', 200], ['sosH', 1], ['tiltDeg', 95], ['scanMs', 65535], ['keep', 0], ['fall', 7]];
  const clamps = clampCases.map(([setting, value]) => {
    const s = settingByName(setting)!;
    return { setting, value, applied: Math.max(s.min, Math.min(s.max, value)) };
  });
  return { hashes, clamps };
}

function write(name: string, body: Record<string, unknown>): void {
  const doc = { protocol: 'vigil frame v1', spec: 'protocol/SPEC.md', ...body };
  writeFileSync(join(OUT, name), JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote protocol/vectors/${name}`);
}

const keyring = Object.entries(DEVICES).map(([deviceId, k]) => ({ deviceId, keyId: k, key: KEYS[k] }));
write('uplink.json', { clauses: '§2, §3.1–§3.4, §5, §6', keys: KEYS, keyring, ...uplinks() });
write('downlink.json', { clauses: '§3.3, §4, §6', keys: KEYS, keyring, ...downlinks() });
write('counter.json', { clauses: '§3.4, §3.5', windowSize: 32, ...counters() });
write('settings.json', { clauses: '§4.2.1, §4.2.2', settings: SETTINGS.map((x) => ({ id: x.id, name: x.name, min: x.min, max: x.max, divisor: x.divisor })), ...settings() });
