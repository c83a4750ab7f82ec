/**
 * The store on PostgreSQL: the scale-out engine, shared by every centre worker (docs/scale.md).
 * Layered by concern exactly like the SQLite store — registry (postgres-registry.ts) → alarms
 * (postgres-alarms.ts) → lone work (postgres-work.ts) → worker app (postgres-app.ts) → console
 * (postgres-console.ts) → escalations, outbox and tokens (here) — so a method added to the Store seam
 * is added in the file of the same concern, here as there.
 *
 * Where workers meet: notifications are claimed with `FOR UPDATE SKIP LOCKED` (two workers never claim
 * the same row, neither waits for the other), escalation steps are conditional on the escalation's
 * version, and completions on the claimer's name.
 */
import { randomBytes } from 'node:crypto';
import type { NewPushSubscription, PushSubscriptionRecord } from '../notify/push/subscription';
import { type Db, pgTable, type Row, without } from './postgres-base';
import { pushSubscriptionOf } from './push-ddl';
import { PgConsoleStore } from './postgres-console';
import type {
  AttemptRecord, AuditEntry, Escalation, NewOutboxMessage, OutboxCompletion, OutboxMessage, Patch, ResponderToken, Store,
} from './types';

export type { PostgresStoreOptions } from './postgres-base';

const ESCALATIONS = pgTable<Escalation>({
  table: 'escalations',
  columns: {
    id: 'id', alarmId: 'alarm_id', siteId: 'site_id', state: 'state', phase: 'phase', steps: 'steps', broadcast: 'broadcast', step: 'step',
    round: 'round', repeat: 'repeat', nextAt: 'next_at', version: 'version', startedAt: 'started_at', updatedAt: 'updated_at',
    endedAt: 'ended_at', endReason: 'end_reason', partition: 'partition_key',
  },
  json: ['steps', 'broadcast'],
});

const OUTBOX = pgTable<OutboxMessage>({
  table: 'outbox',
  columns: {
    id: 'id', alarmId: 'alarm_id', alarmNumber: 'alarm_number', escalationId: 'escalation_id', step: 'step', targetKey: 'target_key', channel: 'channel', to: 'recipient',
    contactId: 'contact_id', contactName: 'contact_name', subject: 'subject', text: 'body', link: 'link', data: 'data', priority: 'priority', state: 'state',
    attempts: 'attempts', maxAttempts: 'max_attempts', nextAttemptAt: 'next_attempt_at', claimedBy: 'claimed_by', claimedUntil: 'claimed_until',
    createdAt: 'created_at', sentAt: 'sent_at', detail: 'detail',
  },
  json: ['data'],
});

const ATTEMPTS = pgTable<AttemptRecord>({
  table: 'attempts',
  columns: { at: 'at', notificationId: 'notification_id', alarmId: 'alarm_id', channel: 'channel', to: 'recipient', contactName: 'contact_name', status: 'status', detail: 'detail' },
});

const TOKENS = pgTable<ResponderToken>({
  table: 'responder_tokens',
  columns: {
    tokenHash: 'token_hash', alarmId: 'alarm_id', targetKey: 'target_key', contactName: 'contact_name', channel: 'channel', address: 'address',
    createdAt: 'created_at', expiresAt: 'expires_at', revokedAt: 'revoked_at',
  },
});

/** Claimed rows in the order they go out: priority first (duress), then due time. */
const byPriority = (a: OutboxMessage, b: OutboxMessage): number => a.priority - b.priority || a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt;

export class PostgresStore extends PgConsoleStore implements Store {
  async createEscalation(e: Escalation, outbox: NewOutboxMessage[], audit: AuditEntry[]): Promise<{ created: boolean; escalation: Escalation }> {
    return this.tx(async (db) => {
      if (!(await this.insertRow(db, ESCALATIONS, { partition: null, ...e }, 'ON CONFLICT DO NOTHING')).rowCount) {
        const [r] = (await db.query('SELECT * FROM escalations WHERE alarm_id = $1', [e.alarmId])).rows;
        return { created: false, escalation: this.fromRow(ESCALATIONS, r!) };
      }
      await this.insertOutbox(db, outbox);
      for (const a of audit) await this.insertAudit(db, a);
      return { created: true, escalation: e };
    });
  }

  async getEscalation(id: string): Promise<Escalation | undefined> {
    const r = await this.row('SELECT * FROM escalations WHERE id = $1', [id]);
    return r ? this.fromRow(ESCALATIONS, r) : undefined;
  }

  async getEscalationByAlarm(alarmId: string): Promise<Escalation | undefined> {
    const r = await this.row('SELECT * FROM escalations WHERE alarm_id = $1', [alarmId]);
    return r ? this.fromRow(ESCALATIONS, r) : undefined;
  }

  async listEscalations(filter: { states?: Escalation['state'][] } = {}): Promise<Escalation[]> {
    const rows = filter.states?.length
      ? await this.rows('SELECT * FROM escalations WHERE state = ANY($1) ORDER BY started_at, id', [filter.states])
      : await this.rows('SELECT * FROM escalations ORDER BY started_at, id');
    return rows.map((r) => this.fromRow(ESCALATIONS, r));
  }

  async updateEscalation(id: string, version: number, patch: Patch<Escalation>, outbox: NewOutboxMessage[], audit: AuditEntry[], opts: { cancelPending?: boolean } = {}): Promise<Escalation | undefined> {
    const rest = without(patch, 'id', 'alarmId', 'version');
    return this.tx(async (db) => {
      const [r] = await this.updateRow(db, ESCALATIONS, rest, 'id = $1 AND version = $2', [id, version], 'version = version + 1');
      if (!r) return undefined;
      if (opts.cancelPending) await db.query("UPDATE outbox SET state = 'cancelled', detail = 'escalation ended' WHERE escalation_id = $1 AND state = 'pending'", [id]);
      await this.insertOutbox(db, outbox);
      for (const a of audit) await this.insertAudit(db, a);
      return this.fromRow(ESCALATIONS, r);
    });
  }

  async enqueue(messages: NewOutboxMessage[]): Promise<void> {
    await this.tx((db) => this.insertOutbox(db, messages));
  }

  async claimOutbox(opts: { now: number; limit: number; leaseMs: number; by: string; channels?: readonly OutboxMessage['channel'][] }): Promise<OutboxMessage[]> {
    if (opts.channels?.length === 0) return [];
    const args: unknown[] = [opts.by, opts.now + opts.leaseMs, opts.now, opts.limit];
    const channels = opts.channels ? `AND channel = ANY($${args.push(opts.channels)})` : '';
    const rows = await this.tx(async (db) => (await db.query(
      `UPDATE outbox SET state = 'sending', claimed_by = $1, claimed_until = $2, attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $3 ${channels} ORDER BY priority, next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`, args)).rows);
    return rows.map((r) => this.fromRow(OUTBOX, r)).sort(byPriority);
  }

  async reclaimAbandoned(opts: { now: number; by: string; leaseMs: number; all?: boolean; deadClaimers?: readonly string[]; channels?: readonly OutboxMessage['channel'][] }): Promise<OutboxMessage[]> {
    if (opts.channels?.length === 0) return [];
    const args: unknown[] = [opts.by, opts.now + opts.leaseMs, opts.now];
    const why = ['claimed_until < $3'];
    if (opts.all) why.push('claimed_by IS DISTINCT FROM $1');
    else if (opts.deadClaimers?.length) why.push(`claimed_by = ANY($${args.push(opts.deadClaimers)})`);
    const channels = opts.channels ? `AND channel = ANY($${args.push(opts.channels)})` : '';
    const rows = await this.tx(async (db) => (await db.query(
      `UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox WHERE state = 'sending' AND (${why.join(' OR ')}) ${channels} FOR UPDATE SKIP LOCKED)
       RETURNING *`, args)).rows);
    return rows.map((r) => this.fromRow(OUTBOX, r)).sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt);
  }

  async completeOutbox(id: string, by: string, done: OutboxCompletion, attempt: AttemptRecord | undefined): Promise<boolean> {
    return this.tx(async (db) => {
      const changed = (await db.query(
        `UPDATE outbox SET state = $1, detail = $2, sent_at = CASE WHEN $1 IN ('sent', 'delivered') THEN $3 ELSE sent_at END,
           next_attempt_at = COALESCE($4, next_attempt_at), claimed_by = NULL, claimed_until = NULL
         WHERE id = $5 AND state = 'sending' AND claimed_by = $6`,
        [done.state, done.detail ?? null, done.at, done.nextAttemptAt ?? null, id, by],
      )).rowCount ?? 0;
      if (changed > 0 && attempt) await this.insertRow(db, ATTEMPTS, attempt);
      return changed > 0;
    });
  }

  async getOutbox(id: string): Promise<OutboxMessage | undefined> {
    const r = await this.row('SELECT * FROM outbox WHERE id = $1', [id]);
    return r ? this.fromRow(OUTBOX, r) : undefined;
  }

  async listOutbox(filter: { alarmId?: string; escalationId?: string; states?: OutboxMessage['state'][] }): Promise<OutboxMessage[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.alarmId) where.push(`alarm_id = $${args.push(filter.alarmId)}`);
    if (filter.escalationId) where.push(`escalation_id = $${args.push(filter.escalationId)}`);
    if (filter.states?.length) where.push(`state = ANY($${args.push(filter.states)})`);
    const sql = `SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at, seq`;
    return (await this.rows(sql, args)).map((r) => this.fromRow(OUTBOX, r));
  }

  async findReplyTarget(channel: OutboxMessage['channel'], address: string, alarmNumber?: string): Promise<OutboxMessage | undefined> {
    const base = "SELECT o.* FROM outbox o JOIN alarms a ON a.id = o.alarm_id WHERE o.channel = $1 AND o.recipient = $2 AND o.state IN ('sending', 'sent', 'delivered') AND a.state IN ('pending', 'raised', 'acknowledged')";
    const r = alarmNumber !== undefined && /^\d{1,12}$/.test(alarmNumber)
      ? await this.row(`${base} AND a.number = $3 ORDER BY o.created_at DESC, o.seq DESC LIMIT 1`, [channel, address, Number(alarmNumber)])
      : await this.row(`${base} ORDER BY o.created_at DESC, o.seq DESC LIMIT 1`, [channel, address]);
    return r ? this.fromRow(OUTBOX, r) : undefined;
  }

  async recordAttempt(a: AttemptRecord): Promise<void> {
    await this.tx((db) => this.insertRow(db, ATTEMPTS, a));
  }

  async listAttempts(alarmId: string): Promise<(AttemptRecord & { seq: number })[]> {
    return (await this.rows('SELECT * FROM attempts WHERE alarm_id = $1 ORDER BY seq', [alarmId])).map((r) => ({ seq: r['seq'] as number, ...this.fromRow(ATTEMPTS, r) }));
  }

  async putResponderToken(t: ResponderToken): Promise<void> {
    await this.tx((db) => this.insertRow(db, TOKENS, t, 'ON CONFLICT (token_hash) DO UPDATE SET expires_at = GREATEST(responder_tokens.expires_at, excluded.expires_at)'));
  }

  async getResponderToken(tokenHash: string): Promise<ResponderToken | undefined> {
    const r = await this.row('SELECT * FROM responder_tokens WHERE token_hash = $1', [tokenHash]);
    return r ? this.fromRow(TOKENS, r) : undefined;
  }

  async revokeResponderTokens(alarmId: string, at: number): Promise<void> {
    await this.tx((db) => db.query('UPDATE responder_tokens SET revoked_at = $1 WHERE alarm_id = $2 AND revoked_at IS NULL', [at, alarmId]));
  }

  async secret(name: string): Promise<Buffer> {
    return this.tx(async (db) => {
      await db.query('INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)]);
      return ((await db.query<{ value: Buffer }>('SELECT value FROM secrets WHERE name = $1', [name])).rows[0]!).value;
    });
  }

  private async insertOutbox(db: Db, messages: NewOutboxMessage[]): Promise<void> {
    for (const m of messages) {
      await this.insertRow(db, OUTBOX, { ...m, state: 'pending', attempts: 0, claimedBy: null, claimedUntil: null, sentAt: null, detail: null });
    }
  }

  /** For the cluster's own tables (cluster/leases.ts): the pool this store already has. */
  get db(): Db {
    return this.pool;
  }

  /** A transaction for the cluster's own statements. */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.tx(fn);
  }

  // ---- push subscriptions (Web Push)
  async putPushSubscription(userId: string, sub: NewPushSubscription, newId: string, at: number): Promise<PushSubscriptionRecord> {
    return this.tx(async (db) => {
      const [old] = (await db.query('SELECT * FROM push_subscriptions WHERE endpoint = $1 FOR UPDATE', [sub.endpoint])).rows;
      if (old && old['user_id'] === userId) {
        await db.query('UPDATE push_subscriptions SET p256dh = $1, auth = $2, language = $3, label = $4 WHERE id = $5', [sub.p256dh, sub.auth, sub.language, sub.label, old['id']]);
        return { ...pushSubscriptionOf(old), ...sub };
      }
      if (old) await db.query('DELETE FROM push_subscriptions WHERE id = $1', [old['id']]);
      await db.query('INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, language, label, created_at, last_success_at, failures) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 0)',
        [newId, userId, sub.endpoint, sub.p256dh, sub.auth, sub.language, sub.label, at]);
      return { id: newId, userId, ...sub, createdAt: at, lastSuccessAt: null, failures: 0 };
    });
  }

  async getPushSubscription(id: string): Promise<PushSubscriptionRecord | undefined> {
    const r = await this.row('SELECT * FROM push_subscriptions WHERE id = $1', [id]);
    return r ? pushSubscriptionOf(r) : undefined;
  }

  async listPushSubscriptions(filter: { userId?: string } = {}): Promise<PushSubscriptionRecord[]> {
    const rows = filter.userId === undefined
      ? await this.rows('SELECT * FROM push_subscriptions ORDER BY created_at, id')
      : await this.rows('SELECT * FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at, id', [filter.userId]);
    return rows.map(pushSubscriptionOf);
  }

  async deletePushSubscription(id: string): Promise<boolean> {
    return ((await this.tx((db) => db.query('DELETE FROM push_subscriptions WHERE id = $1', [id]))).rowCount ?? 0) > 0;
  }

  async deleteUserPushSubscriptions(userId: string): Promise<number> {
    return (await this.tx((db) => db.query('DELETE FROM push_subscriptions WHERE user_id = $1', [userId]))).rowCount ?? 0;
  }

  async recordPushResult(id: string, ok: boolean, at: number): Promise<void> {
    await this.tx((db) => (ok
      ? db.query('UPDATE push_subscriptions SET last_success_at = $1, failures = 0 WHERE id = $2', [at, id])
      : db.query('UPDATE push_subscriptions SET failures = failures + 1 WHERE id = $1', [id])));
  }
}

export type { Row };
