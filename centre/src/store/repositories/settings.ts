/**
 * Pendant-settings repository (centre/src/settings/types.ts): per device and setting the desired and
 * acknowledged values with the send they were matched to, per device the firmware and hash it
 * reported. An acknowledgement is matched in one transaction (on PostgreSQL under the row's lock: two
 * workers may see the same acknowledgement redelivered).
 */
import { sql } from 'kysely';
import type { DeviceInfo, SettingName } from '../../../../protocol/src';
import type { AckVerdict, DeviceFirmwareRecord, DeviceSettingRecord, PendantSettingsStore } from '../../settings/types';
import { type Engine, greatest, type Q } from '../engine';

/** Ids per IN list: SQLite binds at most 32,766 parameters; PostgreSQL refuses an empty list. */
const CHUNK = 500;

function chunks<T>(a: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < a.length; i += CHUNK) out.push(a.slice(i, i + CHUNK));
  return out;
}

/** The predicate of the partial index device_settings_pending, as a literal (SQLite plans before binding). */
const PENDING = sql<boolean>`desired IS NOT NULL AND (reported IS NULL OR reported <> desired)`;

export function settingsRepository(e: Engine): PendantSettingsStore {
  const { db } = e;
  const toSetting = (r: object): DeviceSettingRecord => r as DeviceSettingRecord;

  /** The newest frame's version and hash; with `ack`, the newest acknowledgement's hash too (frames may arrive out of order). */
  const upsertFirmware = async (q: Q, deviceId: string, info: DeviceInfo, counter: number, at: number, ack: boolean): Promise<void> => {
    const newer = sql<boolean>`excluded.counter > device_firmware.counter`;
    const newerAck = sql<boolean>`excluded.ack_counter > COALESCE(device_firmware.ack_counter, -1)`;
    await q.insertInto('device_firmware')
      .values({ deviceId, firmware: info.firmware, settingsHash: info.settingsHash, at, counter, ackHash: ack ? info.settingsHash : null, ackCounter: ack ? counter : null })
      .onConflict((oc) => oc.column('deviceId').doUpdateSet({
        firmware: sql`CASE WHEN ${newer} THEN excluded.firmware ELSE device_firmware.firmware END`,
        settingsHash: sql`CASE WHEN ${newer} THEN excluded.settings_hash ELSE device_firmware.settings_hash END`,
        at: sql`CASE WHEN ${newer} THEN excluded.at ELSE device_firmware.at END`,
        ackHash: sql`CASE WHEN ${newerAck} THEN excluded.ack_hash ELSE device_firmware.ack_hash END`,
        ackCounter: sql`CASE WHEN ${newerAck} THEN excluded.ack_counter ELSE device_firmware.ack_counter END`,
        counter: greatest(e.dialect, sql.raw('excluded.counter'), sql.raw('device_firmware.counter')),
      }))
      .execute();
  };

  return {
    deviceSettings: async (deviceId) => {
      const rows = await db.selectFrom('device_settings').selectAll().where('deviceId', '=', deviceId).orderBy('name').execute();
      const f = await db.selectFrom('device_firmware').selectAll().where('deviceId', '=', deviceId).executeTakeFirst();
      return { settings: rows.map(toSetting), firmware: f ?? null };
    },

    firmwareOf: async (deviceIds) => {
      const out = new Map<string, DeviceFirmwareRecord>();
      for (const ids of chunks(deviceIds)) {
        for (const f of await db.selectFrom('device_firmware').selectAll().where('deviceId', 'in', ids).execute()) out.set(f.deviceId, f);
      }
      return out;
    },

    settingsOf: async (deviceIds) => {
      const out: DeviceSettingRecord[] = [];
      for (const ids of chunks(deviceIds)) {
        for (const r of await db.selectFrom('device_settings').selectAll().where('deviceId', 'in', ids).orderBy('deviceId').orderBy('name').execute()) out.push(toSetting(r));
      }
      return out;
    },

    setDesired: async (deviceId: string, values: ReadonlyArray<{ name: SettingName; desired: number | null }>, by: string, at: number) => {
      // A changed value is to be sent anew: its sends are forgotten (an acknowledgement of an older send is then not of it).
      const same = sql<boolean>`device_settings.desired IS NOT DISTINCT FROM excluded.desired`;
      await e.tx(async (q) => {
        for (const v of values) {
          await q.insertInto('device_settings').values({ deviceId, name: v.name, desired: v.desired, desiredAt: at, desiredBy: by })
            .onConflict((oc) => oc.columns(['deviceId', 'name']).doUpdateSet({
              sentFrom: sql`CASE WHEN ${same} THEN device_settings.sent_from END`,
              sentCounter: sql`CASE WHEN ${same} THEN device_settings.sent_counter END`,
              sentAt: sql`CASE WHEN ${same} THEN device_settings.sent_at END`,
              desired: sql`excluded.desired`,
              desiredAt: sql`excluded.desired_at`,
              desiredBy: sql`excluded.desired_by`,
            }))
            .execute();
        }
      });
    },

    markSent: async (deviceId, name, counter, at) => {
      await e.write((q) => q.updateTable('device_settings').set({ sentFrom: sql`COALESCE(sent_from, ${counter})`, sentCounter: counter, sentAt: at })
        .where('deviceId', '=', deviceId).where('name', '=', name).execute());
    },

    acknowledge: async (deviceId, name, answered, info, counter, at): Promise<AckVerdict> =>
      e.tx(async (q) => {
        await upsertFirmware(q, deviceId, info, counter, at, true);
        const r = await q.selectFrom('device_settings').select('sentFrom').where('deviceId', '=', deviceId).where('name', '=', name)
          .$if(e.dialect === 'postgres', (s) => s.forUpdate()).executeTakeFirst();
        const verdict: AckVerdict = r?.sentFrom === null || r?.sentFrom === undefined ? 'unknown' : answered < r.sentFrom ? 'older' : 'applied';
        const row = q.updateTable('device_settings').where('deviceId', '=', deviceId).where('name', '=', name);
        if (verdict === 'applied') await row.set({ reported: sql`desired`, reportedAt: at }).execute();
        else if (r) await row.set({ reported: null, reportedAt: at }).execute();
        return verdict;
      }),

    reportFirmware: async (deviceId, info, counter, at) => {
      await e.write((q) => upsertFirmware(q, deviceId, info, counter, at, false));
    },

    forgetReported: async (deviceId) => {
      await e.tx(async (q) => {
        await q.updateTable('device_settings').set({ reported: null, reportedAt: null, sentFrom: null, sentCounter: null, sentAt: null }).where('deviceId', '=', deviceId).execute();
        await q.updateTable('device_firmware').set({ ackHash: null, ackCounter: null }).where('deviceId', '=', deviceId).execute();
      });
    },

    devicesWithPending: async () =>
      (await db.selectFrom('device_settings').select('deviceId').distinct().where(PENDING).orderBy('deviceId').execute()).map((r) => r.deviceId),
  };
}
