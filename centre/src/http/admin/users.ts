/**
 * Users of the console and the API (admins only): create with a role and, for supervisors, the sites
 * and teams they see; change; reset a password (which ends every login of the user); delete. (Users
 * change their own password in account.ts.) The last admin can be neither demoted nor deleted, so the
 * centre can always be administered.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../../../common/passwords';
import { passwordProblem, publicUser } from '../../auth/auth';
import type { Store, User, UserRole, UserScope } from '../../store/types';
import { ADMIN, type RouteContext } from '../context';
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
  },
};
const CHANGE_USER = { type: 'object', additionalProperties: false, properties: { role: { enum: ROLES }, name: { type: 'string', minLength: 1, maxLength: 100 }, scope: SCOPE } };
const PASSWORD = { type: 'object', required: ['password'], properties: { password: { type: 'string' } } };
const ID = params({ id: 'User id' });
const tags = ['users'];

async function checkScope(store: Store, scope: UserScope | null | undefined): Promise<void> {
  if (!scope) return;
  for (const s of scope.siteIds) if (!(await store.getSite(s))) throw new HttpError(404, 'not_found', `Unknown site '${s}'`);
  for (const t of scope.teamIds) if (!(await store.getEntity('team', t))) throw new HttpError(404, 'not_found', `Unknown team '${t}'`);
}

export function userRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, auth } = ctx;
  const audit = (actor: User, action: string, user: User, data?: Record<string, unknown>) =>
    store.appendAudit({ at: ctx.clock.now(), actor: `user:${actor.username}`, action, entity: 'user', entityId: user.id, data: { username: user.username, ...data } });
  const target = async (id: string): Promise<User> => {
    const user = await store.getUser(id);
    if (!user) throw new HttpError(404, 'not_found', `Unknown user '${id}'`);
    return user;
  };
  const otherAdmins = async (id: string): Promise<number> => (await store.listUsers()).filter((u) => u.role === 'admin' && u.id !== id).length;
  type One = { Params: { id: string } };

  app.get('/api/users', {
    config: { auth: ADMIN }, schema: { summary: 'Users of the console and API', tags, response: { 200: listOf('users', ref('User')) } },
  }, async () => ({ users: (await store.listUsers()).map(publicUser) }));

  app.post<{ Body: { username: string; password: string; role: UserRole; name?: string; scope?: UserScope | null } }>('/api/users', {
    config: { auth: ADMIN },
    schema: { summary: 'Create a user: role, and for a supervisor the sites and teams they see', tags, body: NEW_USER, response: { 201: ref('User'), 409: 'User name taken' } },
  }, async (req, reply) => {
    const b = req.body;
    const weak = passwordProblem(b.password, b.username);
    if (weak) throw new HttpError(400, 'invalid', weak);
    if (await store.getUserByName(b.username)) throw new HttpError(409, 'conflict', `User '${b.username}' exists`);
    await checkScope(store, b.scope);
    const user: User = { id: randomUUID(), username: b.username, name: b.name?.trim() || b.username, role: b.role, passwordHash: hashPassword(b.password), scope: b.scope ?? null };
    await store.createUser(user);
    await audit(req.user!, 'user_created', user, { role: user.role, scope: user.scope });
    void reply.code(201);
    return publicUser(user);
  });

  app.put<One & { Body: { role?: UserRole; name?: string; scope?: UserScope | null } }>('/api/users/:id', {
    config: { auth: ADMIN },
    schema: { summary: 'Change a user\'s name, role or scope', tags, params: ID, body: CHANGE_USER, response: { 200: ref('User'), 409: 'The last admin' } },
  }, async (req) => {
    const b = req.body;
    const user = await target(req.params.id);
    const demoted = user.role === 'admin' && b.role !== undefined && b.role !== 'admin';
    if (demoted && (await otherAdmins(user.id)) === 0) throw new HttpError(409, 'last_admin', 'The last admin cannot be given another role');
    await checkScope(store, b.scope);
    const changed = (await store.updateUser(user.id, b))!;
    await audit(req.user!, 'user_changed', changed, { ...b });
    return publicUser(changed);
  });

  app.post<One & { Body: { password: string } }>('/api/users/:id/password', {
    config: { auth: ADMIN }, schema: { summary: 'Reset a user\'s password: every login of theirs ends', tags, params: ID, body: PASSWORD },
  }, async (req) => {
    const user = await target(req.params.id);
    const { password } = req.body;
    const weak = passwordProblem(password, user.username);
    if (weak) throw new HttpError(400, 'invalid', weak);
    await auth.setPassword(user.id, password);
    await audit(req.user!, 'password_reset', user);
  });

  app.delete<One>('/api/users/:id', {
    config: { auth: ADMIN }, schema: { summary: 'Delete a user and end their logins', tags, params: ID, response: { 409: 'Yourself, or the last admin' } },
  }, async (req) => {
    const user = await target(req.params.id);
    if (user.id === req.user!.id) throw new HttpError(409, 'self', 'You cannot delete yourself');
    if (user.role === 'admin' && (await otherAdmins(user.id)) === 0) throw new HttpError(409, 'last_admin', 'The last admin cannot be deleted');
    await store.deleteUser(user.id);
    await audit(req.user!, 'user_deleted', user);
  });
}
