/**
 * Pendant settings at the centre (protocol SPEC §4.2): per device and setting what the centre wants
 * (`desired`) and what the pendant acknowledged (`reported`), and per device what it last said it runs
 * (firmware version, settings hash). Values are the wire values of the settings table
 * (protocol/src/settings.ts: `stillG` 0.05 g is 5). Every store method is one atomic operation.
 */
import type { DeviceInfo, SettingName } from '../../../protocol/src';

export interface DeviceSettingRecord {
  deviceId: string;
  name: SettingName;
  /** The value the centre wants; null = the centre does not manage this setting (vigil.json's holds). */
  desired: number | null;
  desiredAt: number | null;
  desiredBy: string | null;
  /**
   * The first pendant counter the desired value was sent answering (null: not sent since it was set).
   * An acknowledgement answering this counter or a later one is of this value.
   */
  sentFrom: number | null;
  /** The counter the last send answered, and when. */
  sentCounter: number | null;
  sentAt: number | null;
  /** The value the pendant acknowledged last; null = not known (never acknowledged, or changed on the pendant since). */
  reported: number | null;
  reportedAt: number | null;
}

/** What a pendant said it runs (SPEC §2.4.4), from heartbeats and acknowledgements. */
export interface DeviceFirmwareRecord {
  deviceId: string;
  firmware: string;
  settingsHash: string;
  /** When it said so, and in which frame. */
  at: number;
  counter: number;
  /**
   * The hash the last acknowledgement carried, and its counter: a later frame with another hash means
   * the settings changed on the pendant (reflashed, re-provisioned, reset) and no longer are what it
   * acknowledged. Null before the first acknowledgement.
   */
  ackHash: string | null;
  ackCounter: number | null;
}

export type AckVerdict = 'applied' | 'older' | 'unknown';

export interface PendantSettingsStore {
  /** The device's settings rows (only those ever desired or reported) and firmware record. */
  deviceSettings(deviceId: string): Promise<{ settings: DeviceSettingRecord[]; firmware: DeviceFirmwareRecord | null }>;
  /** Firmware records of many devices (the fleet view), by device id. */
  firmwareOf(deviceIds: readonly string[]): Promise<Map<string, DeviceFirmwareRecord>>;
  /** Settings rows of many devices (the fleet view). */
  settingsOf(deviceIds: readonly string[]): Promise<DeviceSettingRecord[]>;
  /** Sets (or with null, stops managing) desired values; a changed value is to be sent anew. */
  setDesired(deviceId: string, values: ReadonlyArray<{ name: SettingName; desired: number | null }>, by: string, at: number): Promise<void>;
  /** The desired value of `name` went out answering `counter`. */
  markSent(deviceId: string, name: SettingName, counter: number, at: number): Promise<void>;
  /**
   * The pendant acknowledged `name`, answering `answered` (SPEC §4.2.3): `applied` when that is at or
   * after the first send of the desired value (reported := desired), `older` when it answers an
   * earlier send (the value is then not known), `unknown` when the centre sent nothing for it.
   * The firmware record takes the acknowledgement's version and hash (ackHash).
   */
  acknowledge(deviceId: string, name: SettingName, answered: number, info: DeviceInfo, counter: number, at: number): Promise<AckVerdict>;
  /** A heartbeat's version and hash. */
  reportFirmware(deviceId: string, info: DeviceInfo, counter: number, at: number): Promise<void>;
  /** The pendant's settings changed outside the centre's acknowledgements: nothing reported is known any more. */
  forgetReported(deviceId: string): Promise<void>;
  /** Devices with a desired value the pendant has not acknowledged. */
  devicesWithPending(): Promise<string[]>;
}
