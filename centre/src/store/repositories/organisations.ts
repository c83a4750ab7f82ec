/** Organisations repository: the customers of the monitoring company (migrations/organisations.ts). */
import { changed, type Engine, insertAudit, type Q } from '../engine';
import { DEFAULT_ORGANISATION } from '../records';
import { omit } from '../schema';
import type { AuditEntry, Organisation } from '../types';

/** Tables whose rows belong to an organisation: while one has a row of it, the organisation stays. */
const OWNED = ['sites', 'workers', 'devices', 'registry', 'alarms', 'work_sessions', 'users'] as const;

export function organisationRepository(e: Engine) {
  const { db } = e;
  return {
    listOrganisations: async (): Promise<Organisation[]> =>
      (await db.selectFrom('organisations').selectAll().orderBy('id').execute()).map((o) => ({ ...o, createdAt: Number(o.createdAt) })),
    getOrganisation: async (id: string): Promise<Organisation | undefined> => {
      const o = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
      return o && { ...o, createdAt: Number(o.createdAt) };
    },
    /** Creates or renames (the creation time of an existing one is kept). */
    putOrganisation: async (o: Organisation, audit?: AuditEntry): Promise<void> => {
      await e.tx(async (q) => {
        await q.insertInto('organisations').values(o).onConflict((oc) => oc.column('id').doUpdateSet(omit(o, 'id', 'createdAt'))).execute();
        if (audit) await insertAudit(q, audit);
      });
    },
    deleteOrganisation: async (id: string, audit?: AuditEntry): Promise<boolean> =>
      e.tx(async (q) => {
        for (const t of OWNED) {
          if (await q.selectFrom(t).select('organisationId').where('organisationId', '=', id).limit(1).executeTakeFirst()) return false;
        }
        const gone = changed(await q.deleteFrom('organisations').where('id', '=', id).executeTakeFirst()) > 0;
        if (gone && audit) await insertAudit(q, audit);
        return gone;
      }),
  };
}

/**
 * The organisation of a record made from a worker, a device or a site (an alarm, a session): the
 * worker's, else the device's, else the site's, else the default organisation.
 */
export async function ownerOrganisation(q: Q, of: { workerId?: string | null; deviceId?: string | null; siteId?: string | null }): Promise<string> {
  const lookups = [
    of.workerId ? () => q.selectFrom('workers').select('organisationId').where('id', '=', of.workerId!).executeTakeFirst() : undefined,
    of.deviceId ? () => q.selectFrom('devices').select('organisationId').where('id', '=', of.deviceId!).executeTakeFirst() : undefined,
    of.siteId ? () => q.selectFrom('sites').select('organisationId').where('id', '=', of.siteId!).executeTakeFirst() : undefined,
  ];
  for (const look of lookups) {
    const r = look && (await look());
    if (r) return r.organisationId;
  }
  return DEFAULT_ORGANISATION;
}
