/**
 * Worker-app repository (app-records.ts): worker logins, pairing codes, idempotent phone actions.
 * Between workers: a phone event locks its device's row first (PostgreSQL; SQLite has one writer), so
 * two events of one phone get two counters and one key retried on two workers at once becomes one
 * event; a pairing code is redeemed by a conditional update (once, whoever asks).
 */
import { sql } from 'kysely';
import { changed, type Engine, greatest } from '../engine';
import { codec, decode, encode, omit } from '../schema';
import type { AppAction, AppEventInput, AppEventResult, PairingCode, WorkerCredential, WorkerLogin } from '../types';

const ACTIONS = codec('app_actions', { json: ['response'] });

export function appRepository(e: Engine) {
  const { db } = e;
  const toAction = (r: object): AppAction => decode<AppAction>(ACTIONS, r);

  return {
    putWorkerCredential: async (c: WorkerCredential): Promise<boolean> =>
      e.tx(async (q) => {
        const owner = await q.selectFrom('worker_credentials').select('workerId').where('username', '=', c.username).executeTakeFirst();
        if (owner && owner.workerId !== c.workerId) return false;
        // Two admins giving one new name to two workers at once: the unique index refuses the second.
        await q.insertInto('worker_credentials').values(c).onConflict((oc) => oc.column('workerId').doUpdateSet(omit(c, 'workerId'))).execute();
        return true;
      }),
    getWorkerCredential: async (by: { workerId: string } | { username: string }): Promise<WorkerCredential | undefined> => {
      const query = db.selectFrom('worker_credentials').selectAll();
      return 'workerId' in by ? query.where('workerId', '=', by.workerId).executeTakeFirst() : query.where('username', '=', by.username).executeTakeFirst();
    },
    deleteWorkerCredential: async (workerId: string): Promise<boolean> =>
      e.tx(async (q) => {
        const gone = changed(await q.deleteFrom('worker_credentials').where('workerId', '=', workerId).executeTakeFirst()) > 0;
        await q.deleteFrom('worker_logins').where('workerId', '=', workerId).execute();
        await q.deleteFrom('pairing_codes').where('workerId', '=', workerId).where('usedAt', 'is', null).execute();
        return gone;
      }),
    revokeWorkerLogins: async (workerId: string): Promise<number> => changed(await e.write((q) => q.deleteFrom('worker_logins').where('workerId', '=', workerId).executeTakeFirst())),
    createWorkerLogin: async (l: WorkerLogin): Promise<void> => {
      await e.write((q) => q.insertInto('worker_logins').values(l).execute());
    },
    getWorkerLogin: async (tokenHash: string): Promise<WorkerLogin | undefined> =>
      (await db.selectFrom('worker_logins').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst()) as WorkerLogin | undefined,
    touchWorkerLogin: async (tokenHash: string, expiresAt: number): Promise<void> => {
      await e.write((q) => q.updateTable('worker_logins').set({ expiresAt: greatest(e.dialect, sql.ref('expires_at'), sql.val(expiresAt)) }).where('tokenHash', '=', tokenHash).execute());
    },
    deleteWorkerLogin: async (tokenHash: string): Promise<void> => {
      await e.write((q) => q.deleteFrom('worker_logins').where('tokenHash', '=', tokenHash).execute());
    },
    createPairingCode: async (p: PairingCode): Promise<void> => {
      await e.write((q) => q.insertInto('pairing_codes').values(p).execute());
    },
    redeemPairingCode: async (codeHash: string, at: number): Promise<PairingCode | undefined> =>
      e.write((q) => q.updateTable('pairing_codes').set({ usedAt: at }).where('codeHash', '=', codeHash).where('usedAt', 'is', null).where('expiresAt', '>', at)
        .returningAll().executeTakeFirst()),
    getAppAction: async (key: string): Promise<AppAction | undefined> => {
      const r = await db.selectFrom('app_actions').selectAll().where('key', '=', key).executeTakeFirst();
      return r && toAction(r);
    },
    putAppAction: async (a: AppAction): Promise<boolean> =>
      changed(await e.write((q) => q.insertInto('app_actions').values(encode(ACTIONS, a)).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst())) > 0,

    recordAppEvent: async (ev: AppEventInput): Promise<AppEventResult> =>
      e.tx(async (q): Promise<AppEventResult> => {
        // The device's row first: events of one phone are numbered one at a time, and a key sent twice
        // at once is seen as known by the second (READ COMMITTED: its next statement sees the first's commit).
        const dev = await q.selectFrom('devices').select(['lastCounter', 'purgedCounter']).where('id', '=', ev.deviceId)
          .$if(e.dialect === 'postgres', (s) => s.forUpdate()).executeTakeFirst();
        const known = await q.selectFrom('app_actions').selectAll().where('key', '=', ev.key).executeTakeFirst();
        if (known) {
          const a = toAction(known);
          if (a.workerId !== ev.workerId || a.deviceId !== ev.deviceId || a.counter === null) return { verdict: 'foreign' };
          const stored = await q.selectFrom('events').select(['handled', 'ref']).where('deviceId', '=', a.deviceId).where('counter', '=', a.counter).executeTakeFirst();
          // An event purged by the retention was handled long ago.
          const open = stored !== undefined && (stored.handled === false || stored.handled === 0);
          return { verdict: open ? 'retry' : 'duplicate', counter: a.counter, ref: stored?.ref ?? a.counter };
        }
        if (!dev) return { verdict: 'unknown_device' };
        const counter = Math.max(dev.lastCounter, dev.purgedCounter) + 1;
        const opener = ev.incidentKey
          ? await q.selectFrom('app_actions').select('counter').where('key', '=', ev.incidentKey).where('workerId', '=', ev.workerId).where('deviceId', '=', ev.deviceId).executeTakeFirst()
          : undefined;
        const ref = opener?.counter ?? counter;
        await q.insertInto('app_actions').values({ key: ev.key, workerId: ev.workerId, action: `event:${ev.type}`, at: ev.at, deviceId: ev.deviceId, counter, status: null, response: null }).execute();
        await q.insertInto('events').values({
          deviceId: ev.deviceId, counter, type: ev.type, receivedAt: ev.at, gatewayId: 'app', siteId: ev.siteId, rssiDbm: null, batteryPct: ev.batteryPct,
          position: ev.position ? JSON.stringify(ev.position) : null, detail: ev.detail, ref, handled: !ev.mustHandle,
        }).execute();
        await q.updateTable('devices').set({
          lastCounter: counter, lastSeenAt: greatest(e.dialect, sql`COALESCE(last_seen_at, 0)`, sql.val(ev.at)), batteryPct: sql`COALESCE(${ev.batteryPct}, battery_pct)`,
        }).where('id', '=', ev.deviceId).execute();
        return { verdict: 'new', counter, ref };
      }),
    /** Retention of the app's own records: keys older than `before`, expired logins and pairing codes. */
    purgeApp: async (before: number, now: number): Promise<number> =>
      e.tx(async (q) =>
        changed(await q.deleteFrom('app_actions').where('at', '<', before).executeTakeFirst())
        + changed(await q.deleteFrom('worker_logins').where('expiresAt', '<=', now).executeTakeFirst())
        + changed(await q.deleteFrom('pairing_codes').where((w) => w.or([w('expiresAt', '<=', now), w.and([w('usedAt', 'is not', null), w('usedAt', '<', before)])])).executeTakeFirst())),
  };
}
