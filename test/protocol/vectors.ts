/** Typed access to protocol/vectors/*.json for the TypeScript and the Espruino codec tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DownlinkJson, UplinkJson, ReplayVerdict } from '../../protocol/src';
import type { DeviceInfo, Position, SettingName } from '../../protocol/src';

export const VECTOR_DIR = join(__dirname, '..', '..', 'protocol', 'vectors');

export interface KeyringEntry {
  deviceId: string;
  keyId: string;
  key: string;
}

export interface UplinkInputJson {
  deviceId: string;
  counter: number;
  type: UplinkJson['type'];
  batteryPct?: number | null;
  flags?: Partial<UplinkJson['flags']>;
  detail?: number;
  ref?: number;
  position?: Position | null;
  device?: DeviceInfo | null;
}

export interface UplinkVectors {
  keys: Record<string, string>;
  keyring: KeyringEntry[];
  positive: { name: string; lastCounter: number | null; input: UplinkInputJson; frame: string; decoded: UplinkJson }[];
  negative: { name: string; lastCounter: number | null; frame: string; error: string }[];
}

export interface DownlinkVectors {
  keys: Record<string, string>;
  keyring: KeyringEntry[];
  positive: { name: string; receiver: string; frame: string; decoded: DownlinkJson }[];
  negative: { name: string; receiver: string; frame: string; error: string }[];
}

export interface CounterVectors {
  windowSize: number;
  reconstruct: { low24: number; last: number | null; full: number }[];
  ref: { ref16: number; counter: number; full: number }[];
  window: { name: string; steps: { counter: number; verdict: ReplayVerdict }[] }[];
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(VECTOR_DIR, name), 'utf8')) as T;
}

export const uplinkVectors = (): UplinkVectors => load('uplink.json');
export const downlinkVectors = (): DownlinkVectors => load('downlink.json');
export const counterVectors = (): CounterVectors => load('counter.json');

export interface SettingsVectors {
  settings: { id: number; name: SettingName; min: number; max: number; divisor: number }[];
  hashes: { name: string; values: Record<SettingName, number>; hash: string }[];
  clamps: { setting: SettingName; value: number; applied: number }[];
}

export const settingsVectors = (): SettingsVectors => load('settings.json');
