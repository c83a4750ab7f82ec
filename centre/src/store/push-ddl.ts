/**
 * The push subscriptions' table (Web Push: notify/push/subscription.ts), the same statement on SQLite
 * and PostgreSQL. Idempotent and outside the numbered migrations, run by both engines' migrate():
 * while the store moves to one migration history (Kysely), a table added here needs no schema
 * version of the old engines — the new history creates it with this same statement.
 */
import type { PushSubscriptionRecord } from '../notify/push/subscription';

export const PUSH_SUBSCRIPTIONS_DDL = `
CREATE TABLE IF NOT EXISTS push_subscriptions (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, endpoint TEXT NOT NULL UNIQUE, p256dh TEXT NOT NULL, auth TEXT NOT NULL,
  language TEXT NOT NULL, label TEXT, created_at BIGINT NOT NULL, last_success_at BIGINT, failures INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS push_subscriptions_user ON push_subscriptions (user_id);`;

/** A row as both engines return it (PostgreSQL gives BIGINT as text). */
export function pushSubscriptionOf(r: Record<string, unknown>): PushSubscriptionRecord {
  const text = (k: string): string => r[k] as string;
  return {
    id: text('id'), userId: text('user_id'), endpoint: text('endpoint'), p256dh: text('p256dh'), auth: text('auth'),
    language: text('language'), label: r['label'] === null ? null : text('label'), createdAt: Number(r['created_at']),
    lastSuccessAt: r['last_success_at'] === null ? null : Number(r['last_success_at']), failures: Number(r['failures']),
  };
}
