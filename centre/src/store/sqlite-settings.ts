/**
 * SQLite store, pendant settings (centre/src/settings/types.ts): per device and setting the desired
 * and acknowledged values with the send they were matched to, per device the firmware and hash it
 * reported. An acknowledgement is matched in one statement (the send it answers is in the row).
 */
import type { DeviceInfo, SettingName } from '../../../protocol/src';
import type { AckVerdict, DeviceFirmwareRecord, DeviceSettingRecord, PendantSettingsStore } from '../settings/types';
import { defineTable, type Row } from './sqlite-base';
import { SqliteConsoleStore } from './sqlite-console';

const SETTINGS = defineTable<DeviceSettingRecord>({
  table: 'device_settings',
  columns: {
    deviceId: 'device_id', name: 'name', desired: 'desired', desiredAt: 'desired_at', desiredBy: 'desired_by', sentFrom: 'sent_from',
    sentCounter: 'sent_counter', sentAt: 'sent_at', reported: 'reported', reportedAt: 'reported_at',
  },
});

const FIRMWARE = defineTable<DeviceFirmwareRecord>({
  table: 'device_firmware',
  columns: { deviceId: 'device_id', firmware: 'firmware', settingsHash: 'settings_hash', at: 'at', counter: 'counter', ackHash: 'ack_hash', ackCounter: 'ack_counter' },
});

/** Many ids in one IN list, in chunks SQLite takes (its default limit is 32766 parameters). */
function chunks<T>(a: readonly T[], n = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < a.length; i += n) out.push(a.slice(i, i + n));
  return out;
}

export class SqliteSettingsStore extends SqliteConsoleStore implements PendantSettingsStore {
  async deviceSettings(deviceId: string): Promise<{ settings: DeviceSettingRecord[]; firmware: DeviceFirmwareRecord | null }> {
    const rows = this.stmt('SELECT * FROM device_settings WHERE device_id = ?').all(deviceId) as Row[];
    const f = this.stmt('SELECT * FROM device_firmware WHERE device_id = ?').get(deviceId) as Row | undefined;
    return { settings: rows.map((r) => this.fromRow(SETTINGS, r)), firmware: f ? this.fromRow(FIRMWARE, f) : null };
  }

  async firmwareOf(deviceIds: readonly string[]): Promise<Map<string, DeviceFirmwareRecord>> {
    const out = new Map<string, DeviceFirmwareRecord>();
    for (const ids of chunks(deviceIds)) {
      for (const r of this.db.prepare(`SELECT * FROM device_firmware WHERE device_id IN (${ids.map(() => '?').join(',')})`).all(...ids) as Row[]) {
        const f = this.fromRow(FIRMWARE, r);
        out.set(f.deviceId, f);
      }
    }
    return out;
  }

  async settingsOf(deviceIds: readonly string[]): Promise<DeviceSettingRecord[]> {
    const out: DeviceSettingRecord[] = [];
    for (const ids of chunks(deviceIds)) {
      for (const r of this.db.prepare(`SELECT * FROM device_settings WHERE device_id IN (${ids.map(() => '?').join(',')})`).all(...ids) as Row[]) out.push(this.fromRow(SETTINGS, r));
    }
    return out;
  }

  async setDesired(deviceId: string, values: ReadonlyArray<{ name: SettingName; desired: number | null }>, by: string, at: number): Promise<void> {
    // A changed value is to be sent anew: its sends are forgotten (an acknowledgement of an older send is then not of it).
    const upsert = this.stmt(`INSERT INTO device_settings (device_id, name, desired, desired_at, desired_by) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (device_id, name) DO UPDATE SET
        sent_from = CASE WHEN desired IS excluded.desired THEN sent_from END,
        sent_counter = CASE WHEN desired IS excluded.desired THEN sent_counter END,
        sent_at = CASE WHEN desired IS excluded.desired THEN sent_at END,
        desired = excluded.desired, desired_at = excluded.desired_at, desired_by = excluded.desired_by`);
    this.tx(() => {
      for (const v of values) upsert.run(deviceId, v.name, v.desired, at, by);
    });
  }

  async markSent(deviceId: string, name: SettingName, counter: number, at: number): Promise<void> {
    this.stmt('UPDATE device_settings SET sent_from = COALESCE(sent_from, ?), sent_counter = ?, sent_at = ? WHERE device_id = ? AND name = ?').run(counter, counter, at, deviceId, name);
  }

  async acknowledge(deviceId: string, name: SettingName, answered: number, info: DeviceInfo, counter: number, at: number): Promise<AckVerdict> {
    return this.tx(() => {
      this.upsertFirmware(deviceId, info, counter, at, true);
      const r = this.stmt('SELECT sent_from FROM device_settings WHERE device_id = ? AND name = ?').get(deviceId, name) as { sent_from: number | null } | undefined;
      const verdict: AckVerdict = r?.sent_from == null ? 'unknown' : answered < r.sent_from ? 'older' : 'applied';
      if (verdict === 'applied') this.stmt('UPDATE device_settings SET reported = desired, reported_at = ? WHERE device_id = ? AND name = ?').run(at, deviceId, name);
      else if (r) this.stmt('UPDATE device_settings SET reported = NULL, reported_at = ? WHERE device_id = ? AND name = ?').run(at, deviceId, name);
      return verdict;
    });
  }

  async reportFirmware(deviceId: string, info: DeviceInfo, counter: number, at: number): Promise<void> {
    this.upsertFirmware(deviceId, info, counter, at, false);
  }

  /** The newest frame's version and hash; with `ack`, the newest acknowledgement's hash too. */
  private upsertFirmware(deviceId: string, info: DeviceInfo, counter: number, at: number, ack: boolean): void {
    this.stmt(`INSERT INTO device_firmware (device_id, firmware, settings_hash, at, counter, ack_hash, ack_counter) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (device_id) DO UPDATE SET
        firmware = CASE WHEN excluded.counter > counter THEN excluded.firmware ELSE firmware END,
        settings_hash = CASE WHEN excluded.counter > counter THEN excluded.settings_hash ELSE settings_hash END,
        at = CASE WHEN excluded.counter > counter THEN excluded.at ELSE at END,
        ack_hash = CASE WHEN excluded.ack_counter > COALESCE(ack_counter, -1) THEN excluded.ack_hash ELSE ack_hash END,
        ack_counter = CASE WHEN excluded.ack_counter > COALESCE(ack_counter, -1) THEN excluded.ack_counter ELSE ack_counter END,
        counter = MAX(excluded.counter, counter)`)
      .run(deviceId, info.firmware, info.settingsHash, at, counter, ack ? info.settingsHash : null, ack ? counter : null);
  }

  async forgetReported(deviceId: string): Promise<void> {
    this.tx(() => {
      this.stmt('UPDATE device_settings SET reported = NULL, reported_at = NULL, sent_from = NULL, sent_counter = NULL, sent_at = NULL WHERE device_id = ?').run(deviceId);
      this.stmt('UPDATE device_firmware SET ack_hash = NULL, ack_counter = NULL WHERE device_id = ?').run(deviceId);
    });
  }

  async devicesWithPending(): Promise<string[]> {
    return (this.stmt('SELECT DISTINCT device_id FROM device_settings WHERE desired IS NOT NULL AND (reported IS NULL OR reported <> desired)').all() as { device_id: string }[]).map((r) => r.device_id);
  }
}
