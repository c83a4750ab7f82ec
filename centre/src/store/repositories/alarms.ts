/** Alarms repository: alarms with their numbers and the append-only audit log. */
import type { AlarmState, AlarmType } from '../../../../protocol/src';
import { sql } from 'kysely';
import { type Engine, insertAudit, nextAlarmNumber, OPEN_ALARM, prepared, type Q } from '../engine';
import { codec, decode, encode, omit } from '../schema';
import { toAuditEntry } from './audit';
import { ownerOrganisation } from './organisations';
import type { Alarm, AlarmFilter, AuditEntry, NewAlarm, Patch, StoredAuditEntry } from '../types';

const ALARMS = codec('alarms', { json: ['position'] });

/** A row of `alarms` to the record: numbers are strings for people (they may grow a prefix). */
export function toAlarm(r: object): Alarm {
  const a = decode<Alarm & { number: number | string }>(ALARMS, r);
  return { ...a, number: String(a.number) };
}

export function alarmRepository(e: Engine) {
  const { db } = e;
  const openBySubject = (q: Q, subject: string, type: string) =>
    q.selectFrom('alarms').selectAll().where('subject', '=', subject).where('type', '=', type).where(OPEN_ALARM);
  const latestOpen = prepared((q, subject: string, type: string) => openBySubject(q, subject, type).orderBy('createdAt', 'desc').limit(1), 2);

  return {
    /**
     * One open alarm per subject and type is the partial unique index `alarms_one_open`: whichever
     * worker inserts second inserts nothing and gets the open alarm back. If that alarm was closed
     * between the two statements, try again.
     */
    createAlarm: async (alarm: NewAlarm, audit: AuditEntry): Promise<Alarm> => {
      const subject = alarm.subject === undefined ? (alarm.deviceId ? `device:${alarm.deviceId}` : null) : alarm.subject;
      const full = { text: null, sessionId: null, ...alarm, subject };
      for (;;) {
        const out = await e.tx(async (q) => {
          const organisationId = full.organisationId ?? (await ownerOrganisation(q, full));
          const created = await q.insertInto('alarms').values({ ...encode(ALARMS, full), organisationId, number: nextAlarmNumber(e.dialect) })
            .onConflict((oc) => oc.columns(['subject', 'type']).where(OPEN_ALARM).doNothing())
            .returningAll().executeTakeFirst();
          if (created) {
            await insertAudit(q, audit);
            return toAlarm(created);
          }
          if (subject === null) throw new Error(`alarm '${alarm.id}' was not stored`);
          const open = await openBySubject(q, subject, full.type).executeTakeFirst();
          return open && toAlarm(open);
        });
        if (out) return out;
      }
    },
    getAlarm: async (id: string): Promise<Alarm | undefined> => {
      const r = await db.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toAlarm(r);
    },
    getAlarmByNumber: async (number: string): Promise<Alarm | undefined> => {
      if (!/^\d{1,12}$/.test(number)) return undefined;
      const r = await db.selectFrom('alarms').selectAll().where('number', '=', Number(number)).executeTakeFirst();
      return r && toAlarm(r);
    },
    findOpenAlarm: async (deviceId: string, type: AlarmType): Promise<Alarm | undefined> => {
      const [r] = (await latestOpen(db, `device:${deviceId}`, type)).rows;
      return r && toAlarm(r);
    },
    findOpenAlarmBySubject: async (subject: string, type: AlarmType): Promise<Alarm | undefined> => {
      const [r] = (await latestOpen(db, subject, type)).rows;
      return r && toAlarm(r);
    },
    /** The console's order: most urgent first, then oldest first, then by number (same-millisecond alarms). */
    listAlarms: async (filter: AlarmFilter = {}): Promise<Alarm[]> => {
      let query = db.selectFrom('alarms').selectAll();
      if (filter.states?.length) query = query.where('state', 'in', filter.states);
      if (filter.deviceId) query = query.where('deviceId', '=', filter.deviceId);
      if (filter.siteId) query = query.where('siteId', '=', filter.siteId);
      const rows = await query.orderBy('priority').orderBy('createdAt').orderBy('number').limit(filter.limit ?? 500).execute();
      return rows.map(toAlarm);
    },
    siteAlarmSummary: async (siteId: string): Promise<{ openAlarms: number; types: AlarmType[] }> => {
      const rows = await db.selectFrom('alarms').select(['type', (x) => x.fn.countAll<number>().as('n')])
        .where('siteId', '=', siteId).where(sql<boolean>`state IN ('raised', 'acknowledged')`).groupBy('type').orderBy('type').execute();
      return { openAlarms: rows.reduce((s, r) => s + Number(r.n), 0), types: rows.map((r) => r.type as AlarmType) };
    },
    updateAlarm: async (id: string, from: readonly AlarmState[], patch: Patch<Alarm>, audit: AuditEntry | undefined): Promise<Alarm | undefined> => {
      const set = encode(ALARMS, omit(patch, 'id', 'number'));
      return e.tx(async (q) => {
        const r = await q.updateTable('alarms').set(Object.keys(set).length ? set : { id }).where('id', '=', id).where('state', 'in', from)
          .returningAll().executeTakeFirst();
        if (!r) return undefined;
        if (audit) await insertAudit(q, audit);
        return toAlarm(r);
      });
    },

    appendAudit: async (entry: AuditEntry): Promise<void> => {
      await e.write((q) => insertAudit(q, entry));
    },
    listAudit: async (entity: string, entityId: string): Promise<StoredAuditEntry[]> => {
      const rows = await db.selectFrom('audit').selectAll().where('entity', '=', entity).where('entityId', '=', entityId).orderBy('seq').execute();
      return rows.map(toAuditEntry);
    },
  };
}
