/** Registry repository: sites, workers, devices, the events they send, and the other registry records (records.ts). */
import { sql } from 'kysely';
import { changed, type Engine, insertAudit, prepared } from '../engine';
import { DEFAULT_ORGANISATION } from '../records';
import { ownerOrganisation } from './organisations';
import { type EntityKind, type EntityMap, entitySite } from '../records';
import { codec, decode, encode, omit } from '../schema';
import type { AuditEntry, DeviceRecord, EventRecord, Site, Store, Worker } from '../types';

const DEVICES = codec('devices', { hidden: ['purgedCounter'] });
const EVENTS = codec('events', { json: ['position'], hidden: ['handled'] });

/** The engine's group commit: many events in one transaction, a verdict each (sqlite-events.ts, postgres-events.ts). */
export type RecordEvents = Store['recordEvents'];

/** A delete refused by a foreign key is a `false`, not an error: the record is still in use. */
function inUse(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

export function registryRepository(e: Engine, recordEvents: RecordEvents) {
  const { db } = e;
  const deleteReferenced = async (fn: () => Promise<number>): Promise<boolean> => {
    try {
      return (await fn()) > 0;
    } catch (err) {
      if (inUse(err)) return false;
      throw err;
    }
  };
  const deviceById = prepared((q, id: string) => q.selectFrom('devices').selectAll().where('id', '=', id), 1);
  const workerById = prepared((q, id: string) => q.selectFrom('workers').selectAll().where('id', '=', id), 1);
  const getDevice = async (id: string): Promise<DeviceRecord | undefined> => {
    const [r] = (await deviceById(db, id)).rows;
    return r && decode<DeviceRecord>(DEVICES, r);
  };
  /** Only the events a partial index keeps: `handled = 0` on SQLite, `NOT handled` on PostgreSQL (the index's own predicate). */
  const unhandled = e.dialect === 'postgres' ? sql<boolean>`NOT handled` : sql<boolean>`handled = 0`;

  return {
    upsertSite: async (site: Site): Promise<void> => {
      // A record written without its organisation keeps the one it has (a registry file without organisations).
      const row = { id: site.id, name: site.name, ladderId: site.ladderId ?? null, timeZone: site.timeZone ?? null, organisationId: site.organisationId ?? DEFAULT_ORGANISATION };
      const set = site.organisationId === undefined ? omit(row, 'id', 'organisationId') : omit(row, 'id');
      await e.write((q) => q.insertInto('sites').values(row).onConflict((oc) => oc.column('id').doUpdateSet(set)).execute());
    },
    listSites: async (): Promise<Site[]> => db.selectFrom('sites').selectAll().orderBy('id').execute(),
    getSite: async (id: string): Promise<Site | undefined> => db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst(),
    deleteSite: (id: string): Promise<boolean> => deleteReferenced(async () => changed(await e.write((q) => q.deleteFrom('sites').where('id', '=', id).executeTakeFirst()))),

    upsertWorker: async (w: Worker): Promise<void> => {
      const row = {
        id: w.id, name: w.name, phone: w.phone, siteId: w.siteId, ladderId: w.ladderId ?? null, teamId: w.teamId ?? null, language: w.language ?? null,
      };
      await e.tx(async (q) => {
        // A new worker without an organisation is its site's; a known one keeps its own.
        const organisationId = w.organisationId ?? (await ownerOrganisation(q, { siteId: w.siteId }));
        const set = w.organisationId === undefined ? omit(row, 'id') : { ...omit(row, 'id'), organisationId };
        await q.insertInto('workers').values({ ...row, organisationId }).onConflict((oc) => oc.column('id').doUpdateSet(set)).execute();
      });
    },
    getWorker: async (id: string): Promise<Worker | undefined> => (await workerById(db, id)).rows[0],
    listWorkers: async (): Promise<Worker[]> => db.selectFrom('workers').selectAll().orderBy('name').orderBy('id').execute(),
    deleteWorker: (id: string): Promise<boolean> => deleteReferenced(async () => changed(await e.write((q) => q.deleteFrom('workers').where('id', '=', id).executeTakeFirst()))),

    addDevice: async (d: DeviceRecord): Promise<void> => {
      await e.tx(async (q) => {
        const organisationId = d.organisationId ?? (await ownerOrganisation(q, { workerId: d.workerId, siteId: d.siteId }));
        await q.insertInto('devices').values({ ...encode(DEVICES, d), organisationId }).execute();
      });
    },
    getDevice,
    listDevices: async (filter: { siteId?: string; workerId?: string } = {}): Promise<DeviceRecord[]> => {
      let query = db.selectFrom('devices').selectAll();
      if (filter.workerId !== undefined) query = query.where('workerId', '=', filter.workerId).orderBy('createdAt', 'desc');
      else if (filter.siteId !== undefined) query = query.where('siteId', '=', filter.siteId);
      const rows = await query.orderBy('id').execute();
      return rows.map((r) => decode<DeviceRecord>(DEVICES, r));
    },
    updateDevice: async (id: string, patch: Partial<Pick<DeviceRecord, 'workerId' | 'siteId' | 'board'>>): Promise<DeviceRecord | undefined> => {
      const set = encode(DEVICES, patch);
      if (Object.keys(set).length === 0) return getDevice(id);
      const r = await e.write((q) => q.updateTable('devices').set(set).where('id', '=', id).returningAll().executeTakeFirst());
      return r && decode<DeviceRecord>(DEVICES, r);
    },
    deleteDevice: async (id: string): Promise<boolean> => changed(await e.write((q) => q.deleteFrom('devices').where('id', '=', id).executeTakeFirst())) > 0,

    recordEvent: async (ev: EventRecord): Promise<'new' | 'duplicate' | 'retry' | 'stale'> => (await recordEvents([ev]))[0]!,
    recordEvents,
    markEventHandled: async (deviceId: string, counter: number): Promise<void> => {
      await e.write((q) => q.updateTable('events').set({ handled: true }).where('deviceId', '=', deviceId).where('counter', '=', counter).where(unhandled).execute());
    },
    listUnhandledEvents: async (limit: number): Promise<EventRecord[]> => {
      const rows = await db.selectFrom('events').selectAll().where(unhandled).orderBy('receivedAt').limit(limit).execute();
      return rows.map((r) => ({ ...decode<EventRecord>(EVENTS, r), mustHandle: true }));
    },

    getEntity: async <K extends EntityKind>(kind: K, id: string): Promise<EntityMap[K] | undefined> => {
      const r = await db.selectFrom('registry').select(['data', 'organisationId']).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
      return r && { ...json<EntityMap[K]>(r.data), organisationId: r.organisationId };
    },
    listEntities: async <K extends EntityKind>(kind: K, filter: { siteId?: string } = {}): Promise<EntityMap[K][]> => {
      let query = db.selectFrom('registry').select(['data', 'organisationId']).where('kind', '=', kind);
      if (filter.siteId !== undefined) query = query.where((w) => w.or([w('siteId', '=', filter.siteId!), w('siteId', 'is', null)]));
      return (await query.orderBy('id').execute()).map((r) => ({ ...json<EntityMap[K]>(r.data), organisationId: r.organisationId }));
    },
    putEntity: async <K extends EntityKind>(kind: K, rec: EntityMap[K], audit?: AuditEntry): Promise<void> => {
      await e.tx(async (q) => {
        // Without an organisation: the one it has, else its site's.
        const known = rec.organisationId === undefined ? await q.selectFrom('registry').select('organisationId').where('kind', '=', kind).where('id', '=', rec.id).executeTakeFirst() : undefined;
        const organisationId = rec.organisationId ?? known?.organisationId ?? (await ownerOrganisation(q, { siteId: entitySite(kind, rec) }));
        const row = { kind, id: rec.id, siteId: entitySite(kind, rec), data: JSON.stringify({ ...rec, organisationId }), updatedAt: audit?.at ?? 0, organisationId };
        await q.insertInto('registry').values(row).onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet({ siteId: row.siteId, data: row.data, updatedAt: row.updatedAt, organisationId })).execute();
        if (audit) await insertAudit(q, audit);
      });
    },
    deleteEntity: async (kind: EntityKind, id: string, audit?: AuditEntry): Promise<boolean> =>
      e.tx(async (q) => {
        const gone = changed(await q.deleteFrom('registry').where('kind', '=', kind).where('id', '=', id).executeTakeFirst()) > 0;
        if (gone && audit) await insertAudit(q, audit);
        return gone;
      }),
    registryVersion: async (): Promise<number> =>
      Number((await db.selectFrom('meta').select('value').where('key', '=', 'registry_version').executeTakeFirstOrThrow()).value),
  };
}
