/**
 * Decoded frames as JSON (the CLI's output and the test vectors' `decoded` values): device ids as
 * 8 hex digits (SPEC §2.2), everything else as the codec returns it.
 */
import { formatDeviceId } from './bytes';
import type { DownlinkMessage } from './downlink';
import type { Flags } from './layout';
import type { SettingName } from './settings';
import type { DeviceInfo, Position, UplinkMessage } from './uplink';

export interface UplinkJson {
  deviceId: string;
  counter: number;
  type: UplinkMessage['type'];
  batteryPct: number | null;
  flags: Flags;
  detail: number;
  ref: number;
  position: Position | null;
  /** Only when the frame carries position kind `device` (SPEC §2.4). */
  device?: DeviceInfo;
}

export interface DownlinkJson {
  deviceId: string;
  counter: number;
  command: DownlinkMessage['command'];
  param: number;
  /** Only on `setting` commands. */
  setting?: SettingName;
}

export function uplinkToJson(m: UplinkMessage): UplinkJson {
  const out: UplinkJson = { deviceId: formatDeviceId(m.deviceId), counter: m.counter, type: m.type, batteryPct: m.batteryPct, flags: { ...m.flags }, detail: m.detail, ref: m.ref, position: m.position === null ? null : { ...m.position } };
  if (m.device) out.device = { ...m.device };
  return out;
}

export function downlinkToJson(m: DownlinkMessage): DownlinkJson {
  const out: DownlinkJson = { deviceId: formatDeviceId(m.deviceId), counter: m.counter, command: m.command, param: m.param };
  if (m.setting) out.setting = m.setting;
  return out;
}
