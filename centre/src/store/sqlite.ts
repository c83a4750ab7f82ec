/**
 * The store on SQLite (better-sqlite3, WAL): the embedded default, one file in the data directory.
 * Layered by concern — registry (sqlite-registry.ts) → alarms (sqlite-alarms.ts) → lone work
 * (sqlite-work.ts) → worker app (sqlite-app.ts) → console (sqlite-console.ts) → escalations, outbox and tokens (here) — into the one
 * class implementing Store.
 */
import { randomBytes } from 'node:crypto';
import type { NewPushSubscription, PushSubscriptionRecord } from '../notify/push/subscription';
import { pushSubscriptionOf } from './push-ddl';
import { defineTable, omit, type Row } from './sqlite-base';
import { SqliteConsoleStore } from './sqlite-console';
import type {
  AttemptRecord, AuditEntry, Escalation, NewOutboxMessage, OutboxCompletion, OutboxMessage, Patch, ResponderToken, Store,
} from './types';

const ESCALATIONS = defineTable<Escalation>({
  table: 'escalations',
  columns: {
    id: 'id', alarmId: 'alarm_id', siteId: 'site_id', state: 'state', phase: 'phase', steps: 'steps', broadcast: 'broadcast', step: 'step',
    round: 'round', repeat: 'repeat', nextAt: 'next_at', version: 'version', startedAt: 'started_at', updatedAt: 'updated_at',
    endedAt: 'ended_at', endReason: 'end_reason', partition: 'partition_key',
  },
  json: ['steps', 'broadcast'],
  bool: ['repeat'],
});

const OUTBOX = defineTable<OutboxMessage>({
  table: 'outbox',
  columns: {
    id: 'id', alarmId: 'alarm_id', alarmNumber: 'alarm_number', escalationId: 'escalation_id', step: 'step', targetKey: 'target_key', channel: 'channel', to: 'recipient',
    contactId: 'contact_id', contactName: 'contact_name', subject: 'subject', text: 'body', link: 'link', data: 'data', priority: 'priority', state: 'state',
    attempts: 'attempts', maxAttempts: 'max_attempts', nextAttemptAt: 'next_attempt_at', claimedBy: 'claimed_by', claimedUntil: 'claimed_until',
    createdAt: 'created_at', sentAt: 'sent_at', detail: 'detail',
  },
  json: ['data'],
});

const ATTEMPTS = defineTable<AttemptRecord>({
  table: 'attempts',
  columns: { at: 'at', notificationId: 'notification_id', alarmId: 'alarm_id', channel: 'channel', to: 'recipient', contactName: 'contact_name', status: 'status', detail: 'detail' },
});

const TOKENS = defineTable<ResponderToken>({
  table: 'responder_tokens',
  columns: {
    tokenHash: 'token_hash', alarmId: 'alarm_id', targetKey: 'target_key', contactName: 'contact_name', channel: 'channel', address: 'address',
    createdAt: 'created_at', expiresAt: 'expires_at', revokedAt: 'revoked_at',
  },
});

export class SqliteStore extends SqliteConsoleStore implements Store {
  async createEscalation(e: Escalation, outbox: NewOutboxMessage[], audit: AuditEntry[]): Promise<{ created: boolean; escalation: Escalation }> {
    return this.tx(() => {
      if (this.insertRow(ESCALATIONS, e, 'ON CONFLICT DO NOTHING').changes === 0) {
        return { created: false, escalation: this.fromRow(ESCALATIONS, this.stmt('SELECT * FROM escalations WHERE alarm_id = ?').get(e.alarmId) as Row) };
      }
      this.insertOutbox(outbox);
      audit.forEach((a) => this.insertAudit(a));
      return { created: true, escalation: e };
    });
  }

  async getEscalation(id: string): Promise<Escalation | undefined> {
    const r = this.stmt('SELECT * FROM escalations WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(ESCALATIONS, r) : undefined;
  }

  async getEscalationByAlarm(alarmId: string): Promise<Escalation | undefined> {
    const r = this.stmt('SELECT * FROM escalations WHERE alarm_id = ?').get(alarmId) as Row | undefined;
    return r ? this.fromRow(ESCALATIONS, r) : undefined;
  }

  async listEscalations(filter: { states?: Escalation['state'][] } = {}): Promise<Escalation[]> {
    const rows = filter.states?.length
      ? this.stmt(`SELECT * FROM escalations WHERE state IN (${SqliteStore.placeholders(filter.states.length)}) ORDER BY started_at`).all(...filter.states)
      : this.stmt('SELECT * FROM escalations ORDER BY started_at').all();
    return (rows as Row[]).map((r) => this.fromRow(ESCALATIONS, r));
  }

  async updateEscalation(id: string, version: number, patch: Patch<Escalation>, outbox: NewOutboxMessage[], audit: AuditEntry[], opts: { cancelPending?: boolean } = {}): Promise<Escalation | undefined> {
    return this.tx(() => {
      if (this.updateRow(ESCALATIONS, omit(patch, 'id', 'alarmId', 'version'), 'id = ? AND version = ?', [id, version], 'version = version + 1') === 0) return undefined;
      if (opts.cancelPending) this.stmt("UPDATE outbox SET state = 'cancelled', detail = 'escalation ended' WHERE escalation_id = ? AND state = 'pending'").run(id);
      this.insertOutbox(outbox);
      audit.forEach((a) => this.insertAudit(a));
      return this.fromRow(ESCALATIONS, this.stmt('SELECT * FROM escalations WHERE id = ?').get(id) as Row);
    });
  }

  async enqueue(messages: NewOutboxMessage[]): Promise<void> {
    this.tx(() => this.insertOutbox(messages));
  }

  async claimOutbox(opts: { now: number; limit: number; leaseMs: number; by: string; channels?: readonly OutboxMessage['channel'][] }): Promise<OutboxMessage[]> {
    return this.tx(() => {
      if (opts.channels?.length === 0) return [];
      const channels = opts.channels ? `AND channel IN (${SqliteStore.placeholders(opts.channels.length)})` : '';
      const rows = this.stmt(`SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ${channels} ORDER BY priority, next_attempt_at LIMIT ?`).all(opts.now, ...(opts.channels ?? []), opts.limit) as Row[];
      return rows.map((r) => this.claim(r, opts));
    });
  }

  async reclaimAbandoned(opts: { now: number; by: string; leaseMs: number; all?: boolean; deadClaimers?: readonly string[]; channels?: readonly OutboxMessage['channel'][] }): Promise<OutboxMessage[]> {
    return this.tx(() => {
      const rows = (opts.all
        ? this.stmt("SELECT * FROM outbox WHERE state = 'sending' AND (claimed_until < ? OR claimed_by IS NOT ?) ORDER BY priority, created_at").all(opts.now, opts.by)
        : this.stmt("SELECT * FROM outbox WHERE state = 'sending' AND claimed_until < ? ORDER BY priority, created_at").all(opts.now)) as Row[];
      const gone = opts.deadClaimers?.length ? new Set(opts.deadClaimers) : undefined;
      const dead = gone && !opts.all
        ? (this.stmt("SELECT * FROM outbox WHERE state = 'sending' AND claimed_until >= ? ORDER BY priority, created_at").all(opts.now) as Row[]).filter((r) => gone.has(r['claimed_by'] as string))
        : [];
      const channels = opts.channels ? new Set<string>(opts.channels) : undefined;
      return [...rows, ...dead].filter((r) => !channels || channels.has(r['channel'] as string)).map((r) => this.claim(r, opts));
    });
  }

  async completeOutbox(id: string, by: string, done: OutboxCompletion, attempt: AttemptRecord | undefined): Promise<boolean> {
    return this.tx(() => {
      const changed = this.stmt(
        "UPDATE outbox SET state = ?, detail = ?, sent_at = CASE WHEN ? IN ('sent', 'delivered') THEN ? ELSE sent_at END, next_attempt_at = COALESCE(?, next_attempt_at), claimed_by = NULL, claimed_until = NULL WHERE id = ? AND state = 'sending' AND claimed_by = ?",
      ).run(done.state, done.detail ?? null, done.state, done.at, done.nextAttemptAt ?? null, id, by).changes;
      if (changed > 0 && attempt) this.insertRow(ATTEMPTS, attempt);
      return changed > 0;
    });
  }

  async getOutbox(id: string): Promise<OutboxMessage | undefined> {
    const r = this.stmt('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(OUTBOX, r) : undefined;
  }

  async listOutbox(filter: { alarmId?: string; escalationId?: string; states?: OutboxMessage['state'][] }): Promise<OutboxMessage[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.alarmId) {
      where.push('alarm_id = ?');
      args.push(filter.alarmId);
    }
    if (filter.escalationId) {
      where.push('escalation_id = ?');
      args.push(filter.escalationId);
    }
    if (filter.states?.length) {
      where.push(`state IN (${SqliteStore.placeholders(filter.states.length)})`);
      args.push(...filter.states);
    }
    const sql = `SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at, rowid`;
    return (this.stmt(sql).all(...args) as Row[]).map((r) => this.fromRow(OUTBOX, r));
  }

  async findReplyTarget(channel: OutboxMessage['channel'], address: string, alarmNumber?: string): Promise<OutboxMessage | undefined> {
    const base = "SELECT o.* FROM outbox o JOIN alarms a ON a.id = o.alarm_id WHERE o.channel = ? AND o.recipient = ? AND o.state IN ('sending', 'sent', 'delivered') AND a.state IN ('pending', 'raised', 'acknowledged')";
    const r = (alarmNumber !== undefined && /^\d{1,12}$/.test(alarmNumber)
      ? this.stmt(`${base} AND a.number = ? ORDER BY o.created_at DESC LIMIT 1`).get(channel, address, Number(alarmNumber))
      : this.stmt(`${base} ORDER BY o.created_at DESC LIMIT 1`).get(channel, address)) as Row | undefined;
    return r ? this.fromRow(OUTBOX, r) : undefined;
  }

  async recordAttempt(a: AttemptRecord): Promise<void> {
    this.insertRow(ATTEMPTS, a);
  }

  async listAttempts(alarmId: string): Promise<(AttemptRecord & { seq: number })[]> {
    return (this.stmt('SELECT * FROM attempts WHERE alarm_id = ? ORDER BY seq').all(alarmId) as Row[]).map((r) => ({ seq: r['seq'] as number, ...this.fromRow(ATTEMPTS, r) }));
  }

  async putResponderToken(t: ResponderToken): Promise<void> {
    this.insertRow(TOKENS, t, 'ON CONFLICT(token_hash) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)');
  }

  async getResponderToken(tokenHash: string): Promise<ResponderToken | undefined> {
    const r = this.stmt('SELECT * FROM responder_tokens WHERE token_hash = ?').get(tokenHash) as Row | undefined;
    return r ? this.fromRow(TOKENS, r) : undefined;
  }

  async revokeResponderTokens(alarmId: string, at: number): Promise<void> {
    this.stmt('UPDATE responder_tokens SET revoked_at = ? WHERE alarm_id = ? AND revoked_at IS NULL').run(at, alarmId);
  }

  async secret(name: string): Promise<Buffer> {
    this.stmt('INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT(name) DO NOTHING').run(name, randomBytes(32));
    return (this.stmt('SELECT value FROM secrets WHERE name = ?').get(name) as { value: Buffer }).value;
  }

  private insertOutbox(messages: NewOutboxMessage[]): void {
    for (const m of messages) {
      this.insertRow(OUTBOX, { ...m, state: 'pending', attempts: 0, claimedBy: null, claimedUntil: null, sentAt: null, detail: null });
    }
  }

  private claim(r: Row, opts: { now: number; leaseMs: number; by: string }): OutboxMessage {
    const m = this.fromRow(OUTBOX, r);
    const claimed = { ...m, state: 'sending' as const, claimedBy: opts.by, claimedUntil: opts.now + opts.leaseMs, attempts: m.attempts + 1 };
    this.stmt("UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_until = ?, attempts = attempts + 1 WHERE id = ?").run(opts.by, claimed.claimedUntil, m.id);
    return claimed;
  }

  // ---- push subscriptions (Web Push)
  async putPushSubscription(userId: string, sub: NewPushSubscription, newId: string, at: number): Promise<PushSubscriptionRecord> {
    return this.tx(() => {
      const old = this.stmt('SELECT * FROM push_subscriptions WHERE endpoint = ?').get(sub.endpoint) as Row | undefined;
      if (old && old['user_id'] === userId) {
        this.stmt('UPDATE push_subscriptions SET p256dh = ?, auth = ?, language = ?, label = ? WHERE id = ?').run(sub.p256dh, sub.auth, sub.language, sub.label, old['id']);
        return { ...pushSubscriptionOf(old), ...sub };
      }
      if (old) this.stmt('DELETE FROM push_subscriptions WHERE id = ?').run(old['id']);
      this.stmt('INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, language, label, created_at, last_success_at, failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0)')
        .run(newId, userId, sub.endpoint, sub.p256dh, sub.auth, sub.language, sub.label, at);
      return { id: newId, userId, ...sub, createdAt: at, lastSuccessAt: null, failures: 0 };
    });
  }

  async getPushSubscription(id: string): Promise<PushSubscriptionRecord | undefined> {
    const r = this.stmt('SELECT * FROM push_subscriptions WHERE id = ?').get(id) as Row | undefined;
    return r ? pushSubscriptionOf(r) : undefined;
  }

  async listPushSubscriptions(filter: { userId?: string } = {}): Promise<PushSubscriptionRecord[]> {
    const rows = filter.userId === undefined
      ? this.stmt('SELECT * FROM push_subscriptions ORDER BY created_at, id').all()
      : this.stmt('SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id').all(filter.userId);
    return (rows as Row[]).map(pushSubscriptionOf);
  }

  async deletePushSubscription(id: string): Promise<boolean> {
    return this.stmt('DELETE FROM push_subscriptions WHERE id = ?').run(id).changes > 0;
  }

  async deleteUserPushSubscriptions(userId: string): Promise<number> {
    return this.stmt('DELETE FROM push_subscriptions WHERE user_id = ?').run(userId).changes;
  }

  async recordPushResult(id: string, ok: boolean, at: number): Promise<void> {
    if (ok) this.stmt('UPDATE push_subscriptions SET last_success_at = ?, failures = 0 WHERE id = ?').run(at, id);
    else this.stmt('UPDATE push_subscriptions SET failures = failures + 1 WHERE id = ?').run(id);
  }
}
