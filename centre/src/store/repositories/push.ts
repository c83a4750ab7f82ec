/**
 * Push subscriptions (Web Push): one row per browser profile of a console user, found by the user (the
 * user's devices), by id (the notifier), or all (the fan-out keeps those whose user may see the alarm —
 * the scope is the user's, so a tenant boundary added to users scopes this too). An endpoint subscribed
 * again by another user moves to them under a new id: pushes queued for the former user stop there.
 */
import { changed, type Engine } from '../engine';
import type { NewPushSubscription, PushSubscriptionRecord } from '../../notify/push/subscription';

export function pushRepository(e: Engine) {
  const { db } = e;
  const get = async (id: string): Promise<PushSubscriptionRecord | undefined> => db.selectFrom('push_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    /**
     * Adds this browser's subscription for `userId`, or refreshes it (keys, language, label) when the
     * user had it already; taken over under `newId` when another user had the endpoint.
     */
    putPushSubscription: async (userId: string, s: NewPushSubscription, newId: string, at: number): Promise<PushSubscriptionRecord> =>
      e.tx(async (q) => {
        const old = await q.selectFrom('push_subscriptions').selectAll().where('endpoint', '=', s.endpoint).executeTakeFirst();
        if (old && old.userId === userId) {
          await q.updateTable('push_subscriptions').set({ p256dh: s.p256dh, auth: s.auth, language: s.language, label: s.label }).where('id', '=', old.id).execute();
          return { ...old, ...s };
        }
        if (old) await q.deleteFrom('push_subscriptions').where('id', '=', old.id).execute();
        const row: PushSubscriptionRecord = { id: newId, userId, ...s, createdAt: at, lastSuccessAt: null, failures: 0 };
        await q.insertInto('push_subscriptions').values(row).execute();
        return row;
      }),
    getPushSubscription: get,
    listPushSubscriptions: async (filter: { userId?: string } = {}): Promise<PushSubscriptionRecord[]> =>
      db.selectFrom('push_subscriptions').selectAll().$if(filter.userId !== undefined, (w) => w.where('userId', '=', filter.userId!)).orderBy('createdAt').orderBy('id').execute(),
    deletePushSubscription: async (id: string): Promise<boolean> =>
      changed(await e.write((q) => q.deleteFrom('push_subscriptions').where('id', '=', id).executeTakeFirst())) > 0,
    /** Every subscription of the user (deleted, or their password reset): returns how many. */
    deleteUserPushSubscriptions: async (userId: string): Promise<number> =>
      changed(await e.write((q) => q.deleteFrom('push_subscriptions').where('userId', '=', userId).executeTakeFirst())),
    recordPushResult: async (id: string, ok: boolean, at: number): Promise<void> => {
      await e.write((q) => q.updateTable('push_subscriptions')
        .set(ok ? { lastSuccessAt: at, failures: 0 } : (eb) => ({ failures: eb('failures', '+', 1) })).where('id', '=', id).execute());
    },
  };
}
