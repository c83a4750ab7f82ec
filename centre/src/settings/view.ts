/**
 * What the console and the API show of a pendant's settings: per setting the desired and the
 * acknowledged value (in the pendant's units), and per device one state — `pending` (a desired value
 * not yet acknowledged), `applied` (every desired value acknowledged), `unmanaged` (the centre sets
 * nothing: vigil.json's values hold) or `unknown` (the pendant never reported a firmware version).
 * When the reported hash is the hash of the defaults with the acknowledged values over them, every
 * value in force is known (`inForce`); otherwise only the acknowledged ones are.
 */
import { defaultSettings, defaultSettingsHash, fromWire, SETTINGS, type SettingName, settingsHash } from '../../../protocol/src';
import type { DeviceFirmwareRecord, DeviceSettingRecord } from './types';

/** A desired value the pendant has not acknowledged. */
export function isPending(s: DeviceSettingRecord): boolean {
  return s.desired !== null && s.reported !== s.desired;
}

export type SettingsState = 'pending' | 'applied' | 'unmanaged' | 'unknown';

export interface SettingView {
  name: SettingName;
  unit: string;
  min: number;
  max: number;
  step: number;
  default: number;
  applies: string;
  description: string;
  /** What the centre wants (null: not managed). */
  desired: number | null;
  /** What the pendant acknowledged (null: not known). */
  reported: number | null;
  reportedAt: number | null;
  /** The value in force, when the reported hash proves it. */
  inForce: number | null;
  state: 'pending' | 'applied' | 'unmanaged';
}

export interface DeviceSettingsView {
  deviceId: string;
  firmware: string | null;
  settingsHash: string | null;
  reportedAt: number | null;
  /** The pendant's hash is the defaults' hash. */
  defaults: boolean;
  state: SettingsState;
  pending: number;
  settings: SettingView[];
}

/** The summary the fleet list shows (no per-setting detail). */
export type DeviceSettingsSummary = Omit<DeviceSettingsView, 'settings'>;

export function settingsView(deviceId: string, rows: readonly DeviceSettingRecord[], firmware: DeviceFirmwareRecord | null): DeviceSettingsView {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const known = defaultSettings();
  for (const r of rows) if (r.reported !== null) known[r.name] = r.reported;
  const proven = firmware !== null && settingsHash(known) === firmware.settingsHash;
  const settings = SETTINGS.map((spec): SettingView => {
    const r = byName.get(spec.name);
    const desired = r?.desired ?? null;
    const reported = r?.reported ?? null;
    return {
      name: spec.name, unit: spec.unit, min: fromWire(spec, spec.min), max: fromWire(spec, spec.max), step: 1 / spec.divisor, default: spec.default,
      applies: spec.applies, description: spec.description,
      desired: desired === null ? null : fromWire(spec, desired),
      reported: reported === null ? null : fromWire(spec, reported),
      reportedAt: r?.reportedAt ?? null,
      inForce: proven ? fromWire(spec, known[spec.name]) : reported === null ? null : fromWire(spec, reported),
      state: desired === null ? 'unmanaged' : r && isPending(r) ? 'pending' : 'applied',
    };
  });
  return { ...summary(deviceId, rows, firmware), settings };
}

export function settingsSummary(deviceId: string, rows: readonly DeviceSettingRecord[], firmware: DeviceFirmwareRecord | null): DeviceSettingsSummary {
  return summary(deviceId, rows, firmware);
}

function summary(deviceId: string, rows: readonly DeviceSettingRecord[], firmware: DeviceFirmwareRecord | null): DeviceSettingsSummary {
  const pending = rows.filter(isPending).length;
  const managed = rows.some((r) => r.desired !== null);
  const state: SettingsState = pending ? 'pending' : managed ? 'applied' : firmware ? 'unmanaged' : 'unknown';
  return {
    deviceId, firmware: firmware?.firmware ?? null, settingsHash: firmware?.settingsHash ?? null, reportedAt: firmware?.at ?? null,
    defaults: firmware?.settingsHash === defaultSettingsHash, state, pending,
  };
}
