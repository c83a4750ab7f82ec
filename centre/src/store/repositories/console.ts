/** Console repository: users and their logins, live-stream tickets, and site floor plans (console-records.ts). */
import { sql } from 'kysely';
import { changed, type Engine } from '../engine';
import { codec, decode, encode, omit } from '../schema';
import type { AuthSession, FloorPlan, StreamTicket, User } from '../types';

const USERS = codec('users', { json: ['scope'] });
const PLAN_COLUMNS = ['siteId', 'floor', 'contentType', 'widthM', 'heightM', 'updatedAt', 'updatedBy'] as const;

export function consoleRepository(e: Engine) {
  const { db } = e;
  const toUser = (r: object): User => decode<User>(USERS, r);
  const getUser = async (id: string): Promise<User | undefined> => {
    const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  };
  const bytes = sql<number>`octet_length(image)`.as('bytes');
  const toPlan = (r: FloorPlan): FloorPlan => ({ ...r, bytes: Number(r.bytes) });

  return {
    createUser: async (u: User): Promise<void> => {
      await e.write((q) => q.insertInto('users').values(encode(USERS, { scope: null, organisationId: null, ...u })).execute());
    },
    getUserByName: async (username: string): Promise<User | undefined> => {
      const r = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return r && toUser(r);
    },
    getUser,
    listUsers: async (): Promise<User[]> => (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser),
    /** Changes a user's name, role, scope or password hash; returns the user (undefined if unknown). */
    updateUser: async (id: string, patch: Partial<Pick<User, 'name' | 'role' | 'scope' | 'passwordHash' | 'organisationId'>>): Promise<User | undefined> => {
      const set = encode(USERS, patch);
      if (Object.keys(set).length) await e.write((q) => q.updateTable('users').set(set).where('id', '=', id).execute());
      return getUser(id);
    },
    /** Deletes the user and every login and live-stream ticket of theirs. */
    deleteUser: async (id: string): Promise<boolean> =>
      e.tx(async (q) => {
        await q.deleteFrom('auth_sessions').where('userId', '=', id).execute();
        await q.deleteFrom('stream_tickets').where('userId', '=', id).execute();
        return changed(await q.deleteFrom('users').where('id', '=', id).executeTakeFirst()) > 0;
      }),

    createSession: async (s: AuthSession): Promise<void> => {
      await e.write((q) => q.insertInto('auth_sessions').values(s).execute());
    },
    getSession: async (tokenHash: string): Promise<AuthSession | undefined> =>
      db.selectFrom('auth_sessions').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst(),
    deleteSession: async (tokenHash: string): Promise<void> => {
      await e.write((q) => q.deleteFrom('auth_sessions').where('tokenHash', '=', tokenHash).execute());
    },
    /** Ends the user's logins (all, or all but one): after a password change or reset. */
    deleteUserSessions: async (userId: string, exceptTokenHash?: string): Promise<number> =>
      changed(await e.write((q) => q.deleteFrom('auth_sessions').where('userId', '=', userId)
        .$if(exceptTokenHash !== undefined, (d) => d.where('tokenHash', '<>', exceptTokenHash!)).executeTakeFirst())),
    putStreamTicket: async (t: StreamTicket): Promise<void> => {
      await e.tx(async (q) => {
        await q.deleteFrom('stream_tickets').where('expiresAt', '<', t.expiresAt - 3600_000).execute();
        await q.insertInto('stream_tickets').values(t).execute();
      });
    },
    /** Redeems a ticket once: deleted whatever its expiry, its user only if it had not expired. */
    takeStreamTicket: async (ticketHash: string, now: number): Promise<string | undefined> => {
      const r = await e.write((q) => q.deleteFrom('stream_tickets').where('ticketHash', '=', ticketHash).returning(['userId', 'expiresAt']).executeTakeFirst());
      return r && r.expiresAt >= now ? r.userId : undefined;
    },

    putFloorPlan: async (plan: Omit<FloorPlan, 'bytes'>, image: Buffer): Promise<void> => {
      const row = { ...plan, image };
      await e.write((q) => q.insertInto('floor_plans').values(row).onConflict((oc) => oc.columns(['siteId', 'floor']).doUpdateSet(omit(row, 'siteId', 'floor'))).execute());
    },
    listFloorPlans: async (siteId?: string): Promise<FloorPlan[]> => {
      const query = db.selectFrom('floor_plans').select([...PLAN_COLUMNS, bytes]);
      const rows = siteId === undefined ? await query.orderBy('siteId').orderBy('floor').execute() : await query.where('siteId', '=', siteId).orderBy('floor').execute();
      return rows.map(toPlan);
    },
    getFloorPlanImage: async (siteId: string, floor: string): Promise<{ plan: FloorPlan; image: Buffer } | undefined> => {
      const r = await db.selectFrom('floor_plans').select([...PLAN_COLUMNS, 'image', bytes]).where('siteId', '=', siteId).where('floor', '=', floor).executeTakeFirst();
      if (!r) return undefined;
      const { image, ...plan } = r;
      return { plan: toPlan(plan), image };
    },
    deleteFloorPlan: async (siteId: string, floor: string): Promise<boolean> =>
      changed(await e.write((q) => q.deleteFrom('floor_plans').where('siteId', '=', siteId).where('floor', '=', floor).executeTakeFirst())) > 0,
  };
}
