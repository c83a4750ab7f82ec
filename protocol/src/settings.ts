/**
 * Pendant settings the centre may change over the air (SPEC §4.2.1): one table drives the `setting`
 * downlink (command code 0x80 + id, param = the value in the setting's unit), the `setting`
 * acknowledgement (detail = id), the settings hash a pendant reports (§2.4 kind `device`), the
 * centre's validation and SPEC.md. The pendant has the same ids, ranges and divisors
 * (firmware/src/lib/settings.js); test/firmware/settings.test.ts holds the two together.
 *
 * Not in the table, so never changed over the air: identity and key, the radio (a wrong LoRa
 * frequency or BLE company id would cut the pendant off for good), the beacon filter, the repeat
 * schedule and the sensor rate — those are changed by reflashing `vigil.json`.
 */

/** When a changed value starts to count on the pendant; none needs a reboot. */
export type SettingApplies = 'at once' | 'next use';

export interface SettingSpec {
  /** 1–127; the downlink command code is 0x80 + id. */
  id: number;
  /** The key in the pendant's `vigil.json` (docs/firmware.md "Configure"). */
  name: string;
  /** Range in the unit on the wire, inclusive; the pendant clamps to it, the centre refuses outside it. */
  min: number;
  max: number;
  /** The pendant's value is the wire value divided by this (0.01 g, 0.1 s steps). */
  divisor: number;
  /** The firmware's default, in the pendant's unit. */
  default: number;
  /** Unit of the pendant's value ('' for a level, 'on/off' for 0/1). */
  unit: string;
  applies: SettingApplies;
  description: string;
}

/** SPEC §4.2.1 — ids are never reused; a new setting is a new row with the next id. */
export const SETTINGS = [
  { id: 1, name: 'hb', min: 10, max: 3600, divisor: 1, default: 60, unit: 's', applies: 'at once', description: 'heartbeat period while protected; the heartbeat timer is restarted' },
  { id: 2, name: 'low', min: 5, max: 50, divisor: 1, default: 15, unit: '%', applies: 'at once', description: 'low-battery threshold' },
  { id: 3, name: 'slow', min: 10, max: 300, divisor: 1, default: 30, unit: 's', applies: 'next use', description: 'repeat period once the centre has the alarm (from the next repeat)' },
  { id: 4, name: 'keep', min: 0, max: 65535, divisor: 1, default: 3600, unit: 's', applies: 'at once', description: 'stop the slow repeat this long after "received" (0 = never)' },
  { id: 5, name: 'pre', min: 15, max: 45, divisor: 1, default: 20, unit: 's', applies: 'next use', description: 'pre-alarm cancel window (DGUV 112-139: at most 45 s); a running pre-alarm keeps its own' },
  { id: 6, name: 'sosC', min: 0, max: 10, divisor: 1, default: 0, unit: 's', applies: 'next use', description: 'cancel window of a manual SOS (0 = sent at once)' },
  { id: 7, name: 'sosH', min: 5, max: 50, divisor: 10, default: 2, unit: 's', applies: 'next use', description: 'button hold that raises SOS (0.1 s steps)' },
  { id: 8, name: 'fall', min: 0, max: 1, divisor: 1, default: 1, unit: 'on/off', applies: 'at once', description: 'fall detection runs' },
  { id: 9, name: 'tilt', min: 0, max: 1, divisor: 1, default: 1, unit: 'on/off', applies: 'at once', description: 'man-down (loss of verticality) detection runs' },
  { id: 10, name: 'still', min: 0, max: 1, divisor: 1, default: 1, unit: 'on/off', applies: 'at once', description: 'no-motion detection runs' },
  { id: 11, name: 'sens', min: 1, max: 5, divisor: 1, default: 3, unit: '', applies: 'at once', description: 'fall sensitivity (5 = most sensitive)' },
  { id: 12, name: 'tiltDeg', min: 20, max: 90, divisor: 1, default: 45, unit: '°', applies: 'at once', description: 'man-down: angle from upright' },
  { id: 13, name: 'tiltS', min: 5, max: 300, divisor: 1, default: 30, unit: 's', applies: 'at once', description: 'man-down: time beyond the angle' },
  { id: 14, name: 'recoverS', min: 1, max: 30, divisor: 1, default: 3, unit: 's', applies: 'at once', description: 'man-down: time upright again that ends it' },
  { id: 15, name: 'stillS', min: 10, max: 3600, divisor: 1, default: 60, unit: 's', applies: 'at once', description: 'no-motion: time without motion' },
  { id: 16, name: 'stillG', min: 1, max: 50, divisor: 100, default: 0.05, unit: 'g', applies: 'at once', description: 'no-motion: motion below this counts as none (0.01 g steps)' },
  { id: 17, name: 'duress', min: 0, max: 1, divisor: 1, default: 1, unit: 'on/off', applies: 'at once', description: 'a double tap raises a silent duress alarm' },
  { id: 18, name: 'ciS', min: 10, max: 3600, divisor: 1, default: 60, unit: 's', applies: 'next use', description: 'time to answer a check-in prompt when the centre\'s request does not say' },
  { id: 19, name: 'scan', min: 0, max: 3600, divisor: 1, default: 60, unit: 's', applies: 'at once', description: 'beacon scan period while protected (0 = no scanning); scanning restarts' },
  { id: 20, name: 'scanMs', min: 500, max: 10000, divisor: 1, default: 1500, unit: 'ms', applies: 'next use', description: 'length of one beacon scan' },
] as const satisfies readonly SettingSpec[];

export type SettingName = (typeof SETTINGS)[number]['name'];

/** SPEC §4.2.1: command code of setting id n. */
export const SETTING_COMMAND_BASE = 0x80;

const BY_ID = new Map<number, SettingSpec>(SETTINGS.map((s) => [s.id, s]));
const BY_NAME = new Map<string, SettingSpec>(SETTINGS.map((s) => [s.name, s]));

export function settingById(id: number): SettingSpec | undefined {
  return BY_ID.get(id);
}

export function settingByName(name: string): SettingSpec | undefined {
  return BY_NAME.get(name);
}

export function isSettingName(name: string): name is SettingName {
  return BY_NAME.has(name);
}

/** The wire value of a pendant value (the setting's unit times its divisor, rounded). */
export function toWire(s: SettingSpec, value: number | boolean): number {
  return Math.round(Number(value) * s.divisor);
}

/** The pendant value of a wire value. */
export function fromWire(s: SettingSpec, wire: number): number {
  return wire / s.divisor;
}

/**
 * Checks a value a person asked for (in the pendant's unit: `stillG` 0.08, `sosH` 2.5, `fall` true):
 * the wire value, or what is wrong with it. The range is the pendant's clamp, so a value accepted
 * here is applied unchanged.
 */
export function checkSetting(name: string, value: unknown): { ok: true; wire: number } | { ok: false; message: string } {
  const s = settingByName(name);
  if (!s) return { ok: false, message: `Unknown setting '${name}'` };
  const v = typeof value === 'boolean' && s.max === 1 && s.min === 0 ? Number(value) : value;
  if (typeof v !== 'number' || !Number.isFinite(v)) return { ok: false, message: `${name} must be a number` };
  const wire = v * s.divisor;
  if (Math.abs(wire - Math.round(wire)) > 1e-6) return { ok: false, message: `${name} goes in steps of ${1 / s.divisor} ${s.unit}` };
  const w = Math.round(wire);
  if (w < s.min || w > s.max) return { ok: false, message: `${name} must be between ${fromWire(s, s.min)} and ${fromWire(s, s.max)}${s.unit === 'on/off' || s.unit === '' ? '' : ' ' + s.unit}` };
  return { ok: true, wire: w };
}

/** Every setting at the firmware's default, as wire values. */
export function defaultSettings(): Record<SettingName, number> {
  const out = {} as Record<SettingName, number>;
  for (const s of SETTINGS) out[s.name] = toWire(s, s.default);
  return out;
}

/**
 * SPEC §4.2.2 — the settings hash a pendant reports: FNV-1a (32 bits, offset basis 0x811c9dc5,
 * prime 0x01000193) over three bytes per setting in id order — the id, then the wire value in force
 * as u16 big-endian. Written as 8 hex digits.
 */
export function settingsHash(wire: Readonly<Record<SettingName, number>>): string {
  let h = 0x811c9dc5;
  const byte = (b: number): void => {
    h ^= b & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const s of SETTINGS) {
    const v = Math.max(0, Math.min(0xffff, Math.round(wire[s.name])));
    byte(s.id);
    byte(v >> 8);
    byte(v);
  }
  return h.toString(16).padStart(8, '0');
}

/** SPEC §2.4 kind `device`: the firmware version as two bytes, major.minor; 0.0 is never assigned. */
export function parseFirmwareVersion(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > 255 || minor > 255 || (major === 0 && minor === 0)) return undefined;
  return (major << 8) | minor;
}

export function formatFirmwareVersion(v: number): string {
  return `${v >> 8}.${v & 0xff}`;
}

/** The hash of a pendant whose every setting is at its default (SPEC §4.2.2). */
export const defaultSettingsHash: string = settingsHash(defaultSettings());
