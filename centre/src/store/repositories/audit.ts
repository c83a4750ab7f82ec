/**
 * Audit repository: the audit view's searches over the whole log (who did what when), newest first,
 * filtered by time, actor, action and entity. The log itself is written by every other repository
 * in the transaction of the change it records (engine.ts `insertAudit`).
 */
import { sql } from 'kysely';
import type { Engine, Q } from '../engine';
import type { AuditPage, AuditQuery } from '../ops-records';
import type { StoredAuditEntry } from '../types';

/** A row of `audit` to the entry: JSON as text (SQLite) or parsed (PostgreSQL); `redactedAt` only when set. */
export function toAuditEntry(r: { seq: number; at: number; actor: string; action: string; entity: string; entityId: string; data: unknown; redactedAt?: number | null }): StoredAuditEntry {
  const { data, redactedAt, ...rest } = r;
  return {
    ...rest,
    ...(data === null || data === undefined ? {} : { data: (typeof data === 'string' ? JSON.parse(data) : data) as Record<string, unknown> }),
    ...(redactedAt === null || redactedAt === undefined ? {} : { redactedAt: Number(redactedAt) }),
  };
}

/** The kinds of actor the log names (`user:olga`, `worker:w17`, …): a bare name is looked up under each. */
export const ACTOR_KINDS = ['user', 'worker', 'contact', 'device', 'gateway', 'cli'] as const;

function searched(q: Q, s: AuditQuery) {
  const actor = s.actor;
  return q.selectFrom('audit')
    .$if(s.from !== undefined, (x) => x.where('at', '>=', s.from!))
    .$if(s.to !== undefined, (x) => x.where('at', '<', s.to!))
    .$if(!!actor, (x) => (actor!.includes(':')
      ? x.where('actor', '=', actor!)
      : x.where('actor', 'in', [actor!, ...ACTOR_KINDS.map((k) => `${k}:${actor!}`)])))
    .$if(!!s.actions?.length, (x) => x.where('action', 'in', s.actions!))
    .$if(!!s.entity, (x) => x.where('entity', '=', s.entity!))
    .$if(!!s.entityId, (x) => x.where('entityId', '=', s.entityId!))
    .$if(s.organisationId !== undefined, (x) => x.where((w) => {
      const org = s.organisationId!;
      const of = (entities: string[], ids: ReturnType<typeof idsOf>) => w.and([w('entity', 'in', entities), w('entityId', 'in', ids)]);
      const idsOf = (t: 'alarms' | 'work_sessions' | 'workers' | 'devices' | 'sites' | 'users') => q.selectFrom(t).select('id').where('organisationId', '=', org);
      return w.or([
        of(['alarm', 'escalation'], idsOf('alarms')), of(['session'], idsOf('work_sessions')), of(['worker'], idsOf('workers')),
        of(['device'], idsOf('devices')), of(['site'], idsOf('sites')), of(['user'], idsOf('users')),
        w.exists(w.selectFrom('registry').select('registry.id').whereRef('registry.kind', '=', 'audit.entity').whereRef('registry.id', '=', 'audit.entityId')
          .where('registry.organisationId', '=', org)),
        w('actor', 'in', q.selectFrom('users').select(sql<string>`'user:' || username`.as('actor')).where('organisationId', '=', org)),
      ]);
    }));
}

export function auditRepository(e: Engine) {
  const { db } = e;
  return {
    /** Audit entries by time, actor, action and entity; newest first, with the total. */
    searchAudit: async (s: AuditQuery): Promise<AuditPage> => {
      const { n } = await searched(db, s).select((x) => x.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const limit = Math.min(1000, Math.max(1, s.limit ?? 100));
      const rows = await searched(db, s).selectAll().orderBy('at', 'desc').orderBy('seq', 'desc').limit(limit).offset(Math.max(0, s.offset ?? 0)).execute();
      return { entries: rows.map(toAuditEntry), total: Number(n) };
    },
  };
}
