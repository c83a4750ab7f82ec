/**
 * Retention repository: what is old enough goes, one record kind at a time (each in its own
 * transactions, so a long purge never holds the one SQLite writer for long), never anything an open
 * alarm or an active session still needs:
 * - positions and device frames (a purged frame's counter stays refused as stale);
 * - notifications: delivery attempts, finished outbox rows and expired responder links;
 * - closed alarms with their escalation, notifications and links (in batches);
 * - ended sessions no kept alarm refers to (an alarm's session stays with the alarm);
 * - audit entries: the horizon in `meta` moves forward in the same transaction as the delete (the
 *   append-only trigger lets only entries older than it go; migrations/ops.ts).
 */
import { sql } from 'kysely';
import { changed, type Engine, greatest } from '../engine';
import type { PurgeCounts, PurgeRequest } from '../ops-records';

const BATCH = 500;
const FINISHED = ['sent', 'delivered', 'failed', 'cancelled'];

export function retentionRepository(e: Engine) {
  const { db } = e;

  const alarms = async (before: number): Promise<number> => {
    let n = 0;
    for (;;) {
      const ids = (await db.selectFrom('alarms').select('id').where('state', 'in', ['resolved', 'cancelled']).where('createdAt', '<', before)
        .where(sql<boolean>`COALESCE(resolved_at, updated_at) < ${before}`).limit(BATCH).execute()).map((r) => r.id);
      if (ids.length === 0) return n;
      n += await e.tx(async (q) => {
        for (const t of ['outbox', 'attempts', 'responder_tokens', 'escalations'] as const) await q.deleteFrom(t).where('alarmId', 'in', ids).execute();
        return changed(await q.deleteFrom('alarms').where('id', 'in', ids).executeTakeFirst());
      });
      if (ids.length < BATCH) return n;
    }
  };

  return {
    purge: async (c: PurgeRequest): Promise<PurgeCounts> => {
      const out: PurgeCounts = { positions: 0, events: 0, notifications: 0, alarms: 0, sessions: 0, audit: 0, logins: 0 };
      if (c.positions != null) {
        const before = c.positions;
        out.positions = changed(await e.write((q) => q.deleteFrom('positions').where('at', '<', before).executeTakeFirst()));
      }
      if (c.events != null) {
        const before = c.events;
        out.events = await e.tx(async (q) => {
          // Remembers, per device, the highest counter purged: those counters stay refused as stale.
          const purged = sql<number>`(SELECT MAX(counter) FROM events WHERE events.device_id = devices.id AND events.received_at < ${before})`;
          await q.updateTable('devices').set({ purgedCounter: greatest(e.dialect, sql.ref('purgedCounter'), purged) })
            .where(sql<boolean>`EXISTS (SELECT 1 FROM events WHERE events.device_id = devices.id AND events.received_at < ${before})`).execute();
          return changed(await q.deleteFrom('events').where('receivedAt', '<', before).executeTakeFirst());
        });
      }
      if (c.alarms != null) out.alarms = await alarms(c.alarms);
      if (c.notifications != null) {
        const before = c.notifications;
        out.notifications = await e.tx(async (q) =>
          changed(await q.deleteFrom('attempts').where('at', '<', before).executeTakeFirst())
          + changed(await q.deleteFrom('outbox').where('createdAt', '<', before).where('state', 'in', FINISHED)
            .where(sql<boolean>`NOT EXISTS (SELECT 1 FROM alarms WHERE alarms.id = outbox.alarm_id AND alarms.state IN ('pending', 'raised', 'acknowledged'))`).executeTakeFirst())
          + changed(await q.deleteFrom('responder_tokens').where('expiresAt', '<', before).executeTakeFirst()));
      }
      if (c.sessions != null) {
        const before = c.sessions;
        out.sessions = changed(await e.write((q) => q.deleteFrom('work_sessions').where('state', '<>', 'active').where('endedAt', '<', before)
          .where(sql<boolean>`NOT EXISTS (SELECT 1 FROM alarms WHERE alarms.session_id = work_sessions.id)`).executeTakeFirst()));
      }
      if (c.audit != null) {
        const before = c.audit;
        out.audit = await e.tx(async (q) => {
          await q.updateTable('meta').set({ value: greatest(e.dialect, sql.ref('value'), sql.val(before)) }).where('key', '=', 'audit_purged_before').execute();
          return changed(await q.deleteFrom('audit').where('at', '<', before).executeTakeFirst());
        });
      }
      if (c.now != null) {
        const now = c.now;
        out.logins = await e.tx(async (q) =>
          changed(await q.deleteFrom('auth_sessions').where('expiresAt', '<=', now).executeTakeFirst())
          + changed(await q.deleteFrom('stream_tickets').where('expiresAt', '<=', now).executeTakeFirst()));
      }
      return out;
    },
  };
}
