/**
 * Escalation and outbox repository: escalations, the notification outbox and its attempts, responder
 * tokens and the installation's secrets. Where workers meet: an escalation moves only from the version
 * read, a completion counts only from the claimer, and claims skip rows another worker has locked
 * (`FOR UPDATE SKIP LOCKED`, PostgreSQL only: SQLite has one writer and no row locks).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { changed, type Engine, greatest, insertAudit, outboxInsertionOrder, type Q } from '../engine';
import { codec, decode, encode, omit } from '../schema';
import type { AttemptRecord, AuditEntry, Escalation, NewOutboxMessage, OutboxCompletion, OutboxMessage, Patch, ResponderToken } from '../types';

const ESCALATIONS = codec('escalations', { json: ['steps', 'broadcast'], flags: ['repeat'], rename: { partitionKey: 'partition' } });
const OUTBOX = codec('outbox', { json: ['data'], rename: { recipient: 'to', body: 'text' }, hidden: ['seq'] });
const ATTEMPTS = codec('attempts', { rename: { recipient: 'to' }, hidden: ['redactedAt'] });

type Channel = OutboxMessage['channel'];
type ClaimOptions = { now: number; limit: number; leaseMs: number; by: string; channels?: readonly Channel[] };
type ReclaimOptions = { now: number; by: string; leaseMs: number; all?: boolean; deadClaimers?: readonly string[]; channels?: readonly Channel[] };

const toEscalation = (r: object): Escalation => decode<Escalation>(ESCALATIONS, r);
const toMessage = (r: object): OutboxMessage => decode<OutboxMessage>(OUTBOX, r);

export function outboxRepository(e: Engine) {
  const { db } = e;
  const skipLocked = e.dialect === 'postgres';

  const insertOutbox = async (q: Q, messages: NewOutboxMessage[]): Promise<void> => {
    if (messages.length === 0) return;
    const rows = messages.map((m) => encode(OUTBOX, { ...m, state: 'pending', attempts: 0, claimedBy: null, claimedUntil: null, sentAt: null, detail: null }));
    await q.insertInto('outbox').values(rows).execute();
  };
  const byId = (q: Q, id: string) => q.selectFrom('escalations').selectAll().where('id', '=', id);

  return {
    createEscalation: async (esc: Escalation, outbox: NewOutboxMessage[], audit: AuditEntry[]): Promise<{ created: boolean; escalation: Escalation }> =>
      e.tx(async (q) => {
        const ins = await q.insertInto('escalations').values(encode(ESCALATIONS, { partition: null, ...esc })).onConflict((oc) => oc.doNothing()).executeTakeFirst();
        if (changed(ins) === 0) {
          return { created: false, escalation: toEscalation(await q.selectFrom('escalations').selectAll().where('alarmId', '=', esc.alarmId).executeTakeFirstOrThrow()) };
        }
        await insertOutbox(q, outbox);
        for (const a of audit) await insertAudit(q, a);
        return { created: true, escalation: esc };
      }),
    getEscalation: async (id: string): Promise<Escalation | undefined> => {
      const r = await byId(db, id).executeTakeFirst();
      return r && toEscalation(r);
    },
    getEscalationByAlarm: async (alarmId: string): Promise<Escalation | undefined> => {
      const r = await db.selectFrom('escalations').selectAll().where('alarmId', '=', alarmId).executeTakeFirst();
      return r && toEscalation(r);
    },
    listEscalations: async (filter: { states?: Escalation['state'][] } = {}): Promise<Escalation[]> => {
      let query = db.selectFrom('escalations').selectAll();
      if (filter.states?.length) query = query.where('state', 'in', filter.states);
      return (await query.orderBy('startedAt').orderBy('id').execute()).map(toEscalation);
    },
    updateEscalation: async (id: string, version: number, patch: Patch<Escalation>, outbox: NewOutboxMessage[], audit: AuditEntry[], opts: { cancelPending?: boolean } = {}): Promise<Escalation | undefined> => {
      return e.tx(async (q) => {
        const r = await q.updateTable('escalations').set({ ...encode(ESCALATIONS, omit(patch, 'id', 'alarmId', 'version')), version: sql<number>`version + 1` })
          .where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst();
        if (!r) return undefined;
        if (opts.cancelPending) {
          await q.updateTable('outbox').set({ state: 'cancelled', detail: 'escalation ended' }).where('escalationId', '=', id).where('state', '=', 'pending').execute();
        }
        await insertOutbox(q, outbox);
        for (const a of audit) await insertAudit(q, a);
        return toEscalation(r);
      });
    },

    enqueue: async (messages: NewOutboxMessage[]): Promise<void> => {
      await e.tx((q) => insertOutbox(q, messages));
    },
    /** Due rows by priority (duress first), claimed in one statement; on PostgreSQL rows locked by another claimer are skipped. */
    claimOutbox: async (o: ClaimOptions): Promise<OutboxMessage[]> => {
      if (o.channels?.length === 0) return [];
      const rows = await e.tx((q) => q.updateTable('outbox').set({ state: 'sending', claimedBy: o.by, claimedUntil: o.now + o.leaseMs, attempts: sql<number>`attempts + 1` })
        .where('id', 'in', q.selectFrom('outbox').select('id').where('state', '=', 'pending').where('nextAttemptAt', '<=', o.now)
          .$if(o.channels !== undefined, (s) => s.where('channel', 'in', o.channels!))
          .orderBy('priority').orderBy('nextAttemptAt').limit(o.limit)
          .$if(skipLocked, (s) => s.forUpdate().skipLocked()))
        .returningAll().execute());
      return rows.map(toMessage).sort((a, b) => a.priority - b.priority || a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
    },
    reclaimAbandoned: async (o: ReclaimOptions): Promise<OutboxMessage[]> => {
      if (o.channels?.length === 0) return [];
      const rows = await e.tx((q) => q.updateTable('outbox').set({ claimedBy: o.by, claimedUntil: o.now + o.leaseMs, attempts: sql<number>`attempts + 1` })
        .where('id', 'in', q.selectFrom('outbox').select('id').where('state', '=', 'sending')
          .where((w) => w.or([
            w('claimedUntil', '<', o.now),
            ...(o.all ? [w('claimedBy', 'is distinct from', o.by)] : o.deadClaimers?.length ? [w('claimedBy', 'in', o.deadClaimers)] : []),
          ]))
          .$if(o.channels !== undefined, (s) => s.where('channel', 'in', o.channels!))
          .$if(skipLocked, (s) => s.forUpdate().skipLocked()))
        .returningAll().execute());
      return rows.map(toMessage).sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt);
    },
    completeOutbox: async (id: string, by: string, done: OutboxCompletion, attempt: AttemptRecord | undefined): Promise<boolean> =>
      e.tx(async (q) => {
        const sent = done.state === 'sent' || done.state === 'delivered';
        const r = await q.updateTable('outbox').set({
          state: done.state, detail: done.detail ?? null, claimedBy: null, claimedUntil: null,
          ...(sent ? { sentAt: done.at } : {}), ...(done.nextAttemptAt !== undefined ? { nextAttemptAt: done.nextAttemptAt } : {}),
        }).where('id', '=', id).where('state', '=', 'sending').where('claimedBy', '=', by).executeTakeFirst();
        if (changed(r) > 0 && attempt) await q.insertInto('attempts').values(encode(ATTEMPTS, attempt)).execute();
        return changed(r) > 0;
      }),
    getOutbox: async (id: string): Promise<OutboxMessage | undefined> => {
      const r = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toMessage(r);
    },
    listOutbox: async (filter: { alarmId?: string; escalationId?: string; states?: OutboxMessage['state'][] }): Promise<OutboxMessage[]> => {
      let query = db.selectFrom('outbox').selectAll();
      if (filter.alarmId) query = query.where('alarmId', '=', filter.alarmId);
      if (filter.escalationId) query = query.where('escalationId', '=', filter.escalationId);
      if (filter.states?.length) query = query.where('state', 'in', filter.states);
      return (await query.orderBy('createdAt').orderBy(outboxInsertionOrder(e.dialect)).execute()).map(toMessage);
    },
    /** The latest notification sent to `address` on `channel` whose alarm is still open (reply matching). */
    findReplyTarget: async (channel: Channel, address: string, alarmNumber?: string): Promise<OutboxMessage | undefined> => {
      const r = await db.selectFrom('outbox as o').innerJoin('alarms as a', 'a.id', 'o.alarmId').selectAll('o')
        .where('o.channel', '=', channel).where('o.recipient', '=', address)
        .where(sql<boolean>`o.state IN ('sending', 'sent', 'delivered') AND a.state IN ('pending', 'raised', 'acknowledged')`)
        // a number that cannot be one (the reply's text was not "<number> …") matches on the address alone
        .$if(alarmNumber !== undefined && /^\d{1,12}$/.test(alarmNumber), (s) => s.where('a.number', '=', Number(alarmNumber)))
        .orderBy('o.createdAt', 'desc').orderBy(sql`o.${outboxInsertionOrder(e.dialect)}`, 'desc').limit(1).executeTakeFirst();
      return r && toMessage(r);
    },
    recordAttempt: async (a: AttemptRecord): Promise<void> => {
      await e.write((q) => q.insertInto('attempts').values(encode(ATTEMPTS, a)).execute());
    },
    listAttempts: async (alarmId: string): Promise<(AttemptRecord & { seq: number })[]> =>
      (await db.selectFrom('attempts').selectAll().where('alarmId', '=', alarmId).orderBy('seq').execute()).map((r) => decode<AttemptRecord & { seq: number }>(ATTEMPTS, r)),

    putResponderToken: async (t: ResponderToken): Promise<void> => {
      await e.write((q) => q.insertInto('responder_tokens').values(t)
        .onConflict((oc) => oc.column('tokenHash').doUpdateSet({ expiresAt: greatest(e.dialect, sql.ref('responder_tokens.expires_at'), sql.ref('excluded.expires_at')) })).execute());
    },
    getResponderToken: async (tokenHash: string): Promise<ResponderToken | undefined> =>
      (await db.selectFrom('responder_tokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst()) as ResponderToken | undefined,
    revokeResponderTokens: async (alarmId: string, at: number): Promise<void> => {
      await e.write((q) => q.updateTable('responder_tokens').set({ revokedAt: at }).where('alarmId', '=', alarmId).where('revokedAt', 'is', null).execute());
    },
    secret: async (name: string): Promise<Buffer> =>
      e.tx(async (q) => {
        await q.insertInto('secrets').values({ name, value: randomBytes(32) }).onConflict((oc) => oc.column('name').doNothing()).execute();
        return (await q.selectFrom('secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;
      }),
  };
}
