/** Sessions repository: lone-work sessions and positions (their retention: retention.ts). */
import { ACTIVE_SESSION, changed, type Engine, insertAudit, prepared } from '../engine';
import { codec, decode, encode, omit } from '../schema';
import { ownerOrganisation } from './organisations';
import type { AuditEntry, Patch, PositionRecord, Session, SessionFilter, SessionState } from '../types';

const SESSIONS = codec('work_sessions', { json: ['callList'] });

export function sessionRepository(e: Engine) {
  const { db } = e;
  const toSession = (r: object): Session => decode<Session>(SESSIONS, r);
  // `state = 'active'` as a literal: the partial index work_sessions_active serves only its own predicate (SQLite plans once, before binding)
  const active = prepared((q, owner: string) => q.selectFrom('work_sessions').selectAll().where('owner', '=', owner).where(ACTIVE_SESSION), 1);
  const byId = prepared((q, id: string) => q.selectFrom('work_sessions').selectAll().where('id', '=', id), 1);
  /** The conditional update, compiled once per shape: the fields it sets and how many states it may start from. */
  const updates = new Map<string, ReturnType<typeof prepareUpdate>>();
  const prepareUpdate = (fields: string[], states: number) =>
    prepared((q, id: string, ...rest: unknown[]) => q.updateTable('work_sessions').set(Object.fromEntries(fields.map((f, i) => [f, rest[states + i]])))
      .where('id', '=', id).where('state', 'in', rest.slice(0, states) as string[]).returningAll(), 1 + states + fields.length);

  return {
    /** One active session per owner is the partial unique index `work_sessions_active`: of two starts at once, one inserts. */
    createWorkSession: async (s: Session, audit: AuditEntry): Promise<{ created: true; session: Session } | { created: false; session: Session }> => {
      for (;;) {
        const out = await e.tx(async (q) => {
          const organisationId = s.organisationId ?? (await ownerOrganisation(q, s));
          const ins = await q.insertInto('work_sessions').values({ ...encode(SESSIONS, s), organisationId })
            .onConflict((oc) => oc.column('owner').where(ACTIVE_SESSION).doNothing()).executeTakeFirst();
          if (changed(ins) > 0) {
            await insertAudit(q, audit);
            return { created: true as const, session: { ...s, organisationId } };
          }
          const [existing] = (await active(q, s.owner)).rows;
          return existing && { created: false as const, session: toSession(existing) };
        });
        if (out) return out;
      }
    },
    getWorkSession: async (id: string): Promise<Session | undefined> => {
      const [r] = (await byId(db, id)).rows;
      return r && toSession(r);
    },
    findActiveWorkSession: async (owner: string): Promise<Session | undefined> => {
      const [r] = (await active(db, owner)).rows;
      return r && toSession(r);
    },
    listWorkSessions: async (filter: SessionFilter = {}): Promise<Session[]> => {
      let query = db.selectFrom('work_sessions').selectAll();
      if (filter.states?.length) query = query.where('state', 'in', filter.states);
      if (filter.workerId) query = query.where('workerId', '=', filter.workerId);
      if (filter.siteId) query = query.where('siteId', '=', filter.siteId);
      query = query.orderBy('startedAt', 'desc').orderBy('id');
      if (filter.limit !== undefined) query = query.limit(Math.max(0, Math.floor(filter.limit)));
      return (await query.execute()).map(toSession);
    },
    updateWorkSession: async (id: string, from: readonly SessionState[], patch: Patch<Session>, audit: AuditEntry | undefined): Promise<Session | undefined> => {
      const set: Record<string, unknown> = encode(SESSIONS, omit(patch, 'id', 'owner'));
      if (Object.keys(set).length === 0) set['id'] = id;
      const fields = Object.keys(set);
      const shape = `${fields.join()}|${from.length}`;
      let update = updates.get(shape);
      if (!update) updates.set(shape, (update = prepareUpdate(fields, from.length)));
      return e.tx(async (q) => {
        const [r] = (await update(q, id, ...from, ...fields.map((f) => set[f]))).rows;
        if (!r) return undefined;
        if (audit) await insertAudit(q, audit);
        return toSession(r);
      });
    },

    addPosition: async (p: PositionRecord): Promise<void> => {
      await e.write((q) => q.insertInto('positions').values(p).execute());
    },
    latestPosition: async (deviceId: string): Promise<PositionRecord | undefined> =>
      db.selectFrom('positions').selectAll().where('deviceId', '=', deviceId).orderBy('at', 'desc').limit(1).executeTakeFirst(),
  };
}
