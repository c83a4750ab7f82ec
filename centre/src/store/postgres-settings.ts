/**
 * PostgreSQL store, pendant settings (centre/src/settings/types.ts): the same rows and rules as
 * sqlite-settings.ts; an acknowledgement is matched under the row's lock.
 */
import type { DeviceInfo, SettingName } from '../../../protocol/src';
import type { AckVerdict, DeviceFirmwareRecord, DeviceSettingRecord, PendantSettingsStore } from '../settings/types';
import { type Db, pgTable, type Row } from './postgres-base';
import { PgConsoleStore } from './postgres-console';

const SETTINGS = pgTable<DeviceSettingRecord>({
  table: 'device_settings',
  columns: {
    deviceId: 'device_id', name: 'name', desired: 'desired', desiredAt: 'desired_at', desiredBy: 'desired_by', sentFrom: 'sent_from',
    sentCounter: 'sent_counter', sentAt: 'sent_at', reported: 'reported', reportedAt: 'reported_at',
  },
});

const FIRMWARE = pgTable<DeviceFirmwareRecord>({
  table: 'device_firmware',
  columns: { deviceId: 'device_id', firmware: 'firmware', settingsHash: 'settings_hash', at: 'at', counter: 'counter', ackHash: 'ack_hash', ackCounter: 'ack_counter' },
});

export class PgSettingsStore extends PgConsoleStore implements PendantSettingsStore {
  async deviceSettings(deviceId: string): Promise<{ settings: DeviceSettingRecord[]; firmware: DeviceFirmwareRecord | null }> {
    const rows = await this.rows('SELECT * FROM device_settings WHERE device_id = $1', [deviceId]);
    const f = await this.row('SELECT * FROM device_firmware WHERE device_id = $1', [deviceId]);
    return { settings: rows.map((r) => this.fromRow(SETTINGS, r)), firmware: f ? this.fromRow(FIRMWARE, f) : null };
  }

  async firmwareOf(deviceIds: readonly string[]): Promise<Map<string, DeviceFirmwareRecord>> {
    const rows = await this.rows('SELECT * FROM device_firmware WHERE device_id = ANY($1)', [[...deviceIds]]);
    return new Map(rows.map((r) => [String(r['device_id']), this.fromRow(FIRMWARE, r)]));
  }

  async settingsOf(deviceIds: readonly string[]): Promise<DeviceSettingRecord[]> {
    return (await this.rows('SELECT * FROM device_settings WHERE device_id = ANY($1)', [[...deviceIds]])).map((r) => this.fromRow(SETTINGS, r));
  }

  async setDesired(deviceId: string, values: ReadonlyArray<{ name: SettingName; desired: number | null }>, by: string, at: number): Promise<void> {
    // A changed value is to be sent anew: its sends are forgotten (an acknowledgement of an older send is then not of it).
    await this.tx(async (db) => {
      for (const v of values) {
        await db.query(`INSERT INTO device_settings AS s (device_id, name, desired, desired_at, desired_by) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (device_id, name) DO UPDATE SET
            sent_from = CASE WHEN s.desired IS NOT DISTINCT FROM excluded.desired THEN s.sent_from END,
            sent_counter = CASE WHEN s.desired IS NOT DISTINCT FROM excluded.desired THEN s.sent_counter END,
            sent_at = CASE WHEN s.desired IS NOT DISTINCT FROM excluded.desired THEN s.sent_at END,
            desired = excluded.desired, desired_at = excluded.desired_at, desired_by = excluded.desired_by`, [deviceId, v.name, v.desired, at, by]);
      }
    });
  }

  async markSent(deviceId: string, name: SettingName, counter: number, at: number): Promise<void> {
    await this.tx((db) => db.query('UPDATE device_settings SET sent_from = COALESCE(sent_from, $1), sent_counter = $1, sent_at = $2 WHERE device_id = $3 AND name = $4', [counter, at, deviceId, name]));
  }

  async acknowledge(deviceId: string, name: SettingName, answered: number, info: DeviceInfo, counter: number, at: number): Promise<AckVerdict> {
    return this.tx(async (db) => {
      await this.upsertFirmware(db, deviceId, info, counter, at, true);
      const r = (await db.query<Row>('SELECT sent_from FROM device_settings WHERE device_id = $1 AND name = $2 FOR UPDATE', [deviceId, name])).rows[0];
      const sentFrom = r?.['sent_from'] as number | null | undefined;
      const verdict: AckVerdict = sentFrom === null || sentFrom === undefined ? 'unknown' : answered < sentFrom ? 'older' : 'applied';
      if (verdict === 'applied') await db.query('UPDATE device_settings SET reported = desired, reported_at = $1 WHERE device_id = $2 AND name = $3', [at, deviceId, name]);
      else if (r) await db.query('UPDATE device_settings SET reported = NULL, reported_at = $1 WHERE device_id = $2 AND name = $3', [at, deviceId, name]);
      return verdict;
    });
  }

  async reportFirmware(deviceId: string, info: DeviceInfo, counter: number, at: number): Promise<void> {
    await this.tx((db) => this.upsertFirmware(db, deviceId, info, counter, at, false));
  }

  /** The newest frame's version and hash; with `ack`, the newest acknowledgement's hash too. */
  private async upsertFirmware(db: Db, deviceId: string, info: DeviceInfo, counter: number, at: number, ack: boolean): Promise<void> {
    await db.query(`INSERT INTO device_firmware AS f (device_id, firmware, settings_hash, at, counter, ack_hash, ack_counter) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (device_id) DO UPDATE SET
        firmware = CASE WHEN excluded.counter > f.counter THEN excluded.firmware ELSE f.firmware END,
        settings_hash = CASE WHEN excluded.counter > f.counter THEN excluded.settings_hash ELSE f.settings_hash END,
        at = CASE WHEN excluded.counter > f.counter THEN excluded.at ELSE f.at END,
        ack_hash = CASE WHEN excluded.ack_counter > COALESCE(f.ack_counter, -1) THEN excluded.ack_hash ELSE f.ack_hash END,
        ack_counter = CASE WHEN excluded.ack_counter > COALESCE(f.ack_counter, -1) THEN excluded.ack_counter ELSE f.ack_counter END,
        counter = GREATEST(excluded.counter, f.counter)`,
    [deviceId, info.firmware, info.settingsHash, at, counter, ack ? info.settingsHash : null, ack ? counter : null]);
  }

  async forgetReported(deviceId: string): Promise<void> {
    await this.tx(async (db) => {
      await db.query('UPDATE device_settings SET reported = NULL, reported_at = NULL, sent_from = NULL, sent_counter = NULL, sent_at = NULL WHERE device_id = $1', [deviceId]);
      await db.query('UPDATE device_firmware SET ack_hash = NULL, ack_counter = NULL WHERE device_id = $1', [deviceId]);
    });
  }

  async devicesWithPending(): Promise<string[]> {
    return (await this.rows<{ device_id: string }>('SELECT DISTINCT device_id FROM device_settings WHERE desired IS NOT NULL AND (reported IS NULL OR reported <> desired)')).map((r) => r.device_id);
  }
}
