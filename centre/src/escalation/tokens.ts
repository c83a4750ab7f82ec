/**
 * Responder tokens: the `/r/<token>` link each contact gets. A token is an HMAC of the alarm and the
 * contact's place in the plan under a secret kept in the store — unguessable (128 bits), the same for
 * every message to that contact (so repeated rounds carry the same link without storing it), and
 * stored only as a hash with an expiry and a revocation time. The page itself comes with the worker
 * app; `resolve` is what it and its accept/reject buttons call.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Clock } from '../../../common/clock';
import type { Alarm, EscalationTarget, ResponderToken, Store } from '../store/types';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class ResponderTokens {
  private secret: Buffer | undefined;

  constructor(private readonly ctx: { store: Store; clock: Clock; ttlH: number; publicUrl: string | null }) {}

  /** Issues (or extends) the token of `target` for `alarm`; returns the link, or null without a public address. */
  async link(alarm: Alarm, target: EscalationTarget): Promise<string | null> {
    if (!this.ctx.publicUrl || target.channel === 'console') return null;
    this.secret ??= await this.ctx.store.secret('responder-tokens');
    const token = createHmac('sha256', this.secret).update(`${alarm.id}|${target.key}`).digest('base64url').slice(0, 22);
    const now = this.ctx.clock.now();
    await this.ctx.store.putResponderToken({
      tokenHash: sha256(token), alarmId: alarm.id, targetKey: target.key, contactName: target.name, channel: target.channel,
      address: target.address, createdAt: now, expiresAt: now + this.ctx.ttlH * 3600_000, revokedAt: null,
    });
    return `${this.ctx.publicUrl.replace(/\/$/, '')}/r/${token}`;
  }

  /** The token's record if it is valid now; undefined for wrong, expired or revoked tokens alike. */
  async resolve(token: string): Promise<ResponderToken | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(token)) return undefined;
    const t = await this.ctx.store.getResponderToken(sha256(token));
    if (!t || t.revokedAt !== null || t.expiresAt <= this.ctx.clock.now()) return undefined;
    return t;
  }
}
