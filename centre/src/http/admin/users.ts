/**
 * Users of the console and the API (admins only): create with a role and, for supervisors, the sites
 * and teams they see; change; reset a password (which ends every login of the user); delete. (Users
 * change their own password in account.ts.) The last admin can be neither demoted nor deleted, so the
 * centre can always be administered.
 *
 * Organisations: a user of a customer organisation (`organisationId`) sees only it, whatever their
 * role. An organisation's admin sees and manages the users of their organisation only, and every user
 * they create is of it; only the centre's own admins (no organisation) create centre-wide users or
 * users of any organisation. Another organisation's user is a plain 404. The last-admin rule is about
 * the centre's own admins (an organisation without an admin is still run by the centre's).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../../../common/passwords';
import { passwordProblem, publicUser } from '../../auth/auth';
import type { Store, User, UserRole, UserScope } from '../../store/types';
import { ADMIN, organisationOf, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { listOf, params, ref } from '../openapi';

const ROLES = ['admin', 'supervisor', 'operator', 'readonly', 'auditor'] as const;
const idList = { type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'an id: letters, digits and _.- (up to 64)' } };
const SCOPE = { type: ['object', 'null'], additionalProperties: false, required: ['siteIds', 'teamIds'], properties: { siteIds: idList, teamIds: idList } };
const NEW_USER = {
  type: 'object', additionalProperties: false, required: ['username', 'password', 'role'],
  properties: {
    username: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{2,64}$', description: '2–64 letters, digits or _.@-' }, password: { type: 'string' }, role: { enum: ROLES },
    name: { type: 'string', maxLength: 100 }, scope: SCOPE,
    organisationId: { type: ['string', 'null'], pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'The customer organisation; null or absent = the centre\'s own staff (an organisation\'s admin: always theirs)' },
  },
};
const CHANGE_USER = { type: 'object', additionalProperties: false, properties: { role: { enum: ROLES }, name: { type: 'string', minLength: 1, maxLength: 100 }, scope: SCOPE } };
const PASSWORD = { type: 'object', required: ['password'], properties: { password: { type: 'string' } } };
const ID = params({ id: 'User id' });
const tags = ['users'];

/** The scope's sites and teams exist, in the user's organisation when they have one. */
async function checkScope(store: Store, scope: UserScope | null | undefined, org: string | null): Promise<void> {
  if (!scope) return;
  const ok = (r: { organisationId?: string } | undefined): boolean => !!r && (org === null || r.organisationId === org);
  for (const s of scope.siteIds) if (!ok(await store.getSite(s))) throw new HttpError(404, 'not_found', `Unknown site '${s}'`);
  for (const t of scope.teamIds) if (!ok(await store.getEntity('team', t))) throw new HttpError(404, 'not_found', `Unknown team '${t}'`);
}

export function userRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, auth } = ctx;
  const audit = (actor: User, action: string, user: User, data?: Record<string, unknown>) =>
    store.appendAudit({ at: ctx.clock.now(), actor: `user:${actor.username}`, action, entity: 'user', entityId: user.id, data: { username: user.username, ...data } });
  /** A user the caller manages: any for the centre's admins, their organisation's for an organisation's admin. */
  const target = async (req: { user: User | undefined }, id: string): Promise<User> => {
    const user = await store.getUser(id);
    const org = organisationOf(req);
    if (!user || (org !== null && user.organisationId !== org)) throw new HttpError(404, 'not_found', `Unknown user '${id}'`);
    return user;
  };
  /** The centre's own admins other than this one (an organisation's admins do not count). */
  const otherAdmins = async (id: string): Promise<number> => (await store.listUsers()).filter((u) => u.role === 'admin' && u.id !== id && !u.organisationId).length;
  const lastAdmin = async (user: User): Promise<boolean> => !user.organisationId && (await otherAdmins(user.id)) === 0;
  type One = { Params: { id: string } };

  app.get('/api/users', {
    config: { auth: ADMIN }, schema: { summary: 'Users of the console and API', tags, response: { 200: listOf('users', ref('User')) } },
  }, async (req) => {
    const org = organisationOf(req);
    return { users: (await store.listUsers()).filter((u) => org === null || u.organisationId === org).map(publicUser) };
  });

  app.post<{ Body: { username: string; password: string; role: UserRole; name?: string; scope?: UserScope | null; organisationId?: string | null } }>('/api/users', {
    config: { auth: ADMIN },
    schema: { summary: 'Create a user: role, and for a supervisor the sites and teams they see', tags, body: NEW_USER, response: { 201: ref('User'), 409: 'User name taken' } },
  }, async (req, reply) => {
    const b = req.body;
    const weak = passwordProblem(b.password, b.username);
    if (weak) throw new HttpError(400, 'invalid', weak);
    const mine = organisationOf(req);
    if (mine !== null && b.organisationId !== undefined && b.organisationId !== mine) throw new HttpError(404, 'not_found', `Unknown organisation '${String(b.organisationId)}'`);
    const org = mine ?? b.organisationId ?? null;
    if (org !== null && !(await store.getOrganisation(org))) throw new HttpError(404, 'not_found', `Unknown organisation '${org}'`);
    if (await store.getUserByName(b.username)) throw new HttpError(409, 'conflict', `User '${b.username}' exists`);
    await checkScope(store, b.scope, org);
    const user: User = {
      id: randomUUID(), username: b.username, name: b.name?.trim() || b.username, role: b.role, passwordHash: hashPassword(b.password), scope: b.scope ?? null, organisationId: org,
    };
    await store.createUser(user);
    await audit(req.user!, 'user_created', user, { role: user.role, scope: user.scope, organisationId: org });
    void reply.code(201);
    return publicUser(user);
  });

  app.put<One & { Body: { role?: UserRole; name?: string; scope?: UserScope | null } }>('/api/users/:id', {
    config: { auth: ADMIN },
    schema: { summary: 'Change a user\'s name, role or scope', tags, params: ID, body: CHANGE_USER, response: { 200: ref('User'), 409: 'The last admin' } },
  }, async (req) => {
    const b = req.body;
    const user = await target(req, req.params.id);
    const demoted = user.role === 'admin' && b.role !== undefined && b.role !== 'admin';
    if (demoted && (await lastAdmin(user))) throw new HttpError(409, 'last_admin', 'The last admin cannot be given another role');
    await checkScope(store, b.scope, user.organisationId ?? null);
    const changed = (await store.updateUser(user.id, b))!;
    await audit(req.user!, 'user_changed', changed, { ...b });
    return publicUser(changed);
  });

  app.post<One & { Body: { password: string } }>('/api/users/:id/password', {
    config: { auth: ADMIN }, schema: { summary: 'Reset a user\'s password: every login of theirs ends', tags, params: ID, body: PASSWORD },
  }, async (req) => {
    const user = await target(req, req.params.id);
    const { password } = req.body;
    const weak = passwordProblem(password, user.username);
    if (weak) throw new HttpError(400, 'invalid', weak);
    await auth.setPassword(user.id, password);
    await audit(req.user!, 'password_reset', user);
  });

  app.delete<One>('/api/users/:id', {
    config: { auth: ADMIN }, schema: { summary: 'Delete a user and end their logins', tags, params: ID, response: { 409: 'Yourself, or the last admin' } },
  }, async (req) => {
    const user = await target(req, req.params.id);
    if (user.id === req.user!.id) throw new HttpError(409, 'self', 'You cannot delete yourself');
    if (user.role === 'admin' && (await lastAdmin(user))) throw new HttpError(409, 'last_admin', 'The last admin cannot be deleted');
    await store.deleteUser(user.id);
    await audit(req.user!, 'user_deleted', user);
  });
}
