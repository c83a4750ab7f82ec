/**
 * Users of the console and the API (admins only): create with a role and, for supervisors, the sites
 * and teams they see; change; reset a password (which ends every login of the user); delete. Users
 * change their own password with the current one (their other logins end). The last admin can be
 * neither demoted nor deleted, so the centre can always be administered.
 */
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../../common/passwords';
import { check, type JsonSchema } from '../../../common/schema';
import { passwordProblem, publicUser } from '../auth';
import type { Store, User, UserRole, UserScope } from '../store/types';
import type { ApiContext } from './api';
import { field } from './api';
import { listOf, ref } from './openapi';
import { HttpError, reply, type Router } from './router';

const ADMIN = ['admin'] as const;
const ROLES = ['admin', 'supervisor', 'operator', 'readonly'] as const;
const idList = { type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } };
const SCOPE: JsonSchema = { type: ['object', 'null'], additionalProperties: false, required: ['siteIds', 'teamIds'], properties: { siteIds: idList, teamIds: idList } };
const NEW_USER: JsonSchema = {
  type: 'object', additionalProperties: false, required: ['username', 'password', 'role'],
  properties: { username: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{2,64}$' }, password: { type: 'string' }, role: { enum: ROLES }, name: { type: 'string', maxLength: 100 }, scope: SCOPE },
};
const CHANGE_USER: JsonSchema = { type: 'object', additionalProperties: false, properties: { role: { enum: ROLES }, name: { type: 'string', minLength: 1, maxLength: 100 }, scope: SCOPE } };
const PASSWORD: JsonSchema = { type: 'object', required: ['password'], properties: { password: { type: 'string' } } };

async function checkScope(store: Store, scope: UserScope | null | undefined): Promise<void> {
  if (!scope) return;
  for (const s of scope.siteIds) if (!(await store.getSite(s))) throw new HttpError(404, 'not_found', `Unknown site '${s}'`);
  for (const t of scope.teamIds) if (!(await store.getEntity('team', t))) throw new HttpError(404, 'not_found', `Unknown team '${t}'`);
}

function valid<T>(schema: JsonSchema, body: unknown): T {
  const v = check<T>(schema, structuredClone(body ?? {}));
  if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
  return v.value;
}

export function registerUsersApi(router: Router, ctx: ApiContext): void {
  const { store, auth } = ctx;
  const audit = (actor: User, action: string, user: User, data?: Record<string, unknown>) =>
    store.appendAudit({ at: ctx.clock.now(), actor: `user:${actor.username}`, action, entity: 'user', entityId: user.id, data: { username: user.username, ...data } });
  const target = async (id: string): Promise<User> => (await store.getUser(id)) ?? (() => {
    throw new HttpError(404, 'not_found', `Unknown user '${id}'`);
  })();
  const otherAdmins = async (id: string): Promise<number> => (await store.listUsers()).filter((u) => u.role === 'admin' && u.id !== id).length;
  const tags = ['users'];

  router.add('GET', '/api/users', async () => ({ users: (await store.listUsers()).map(publicUser) }), { auth: ADMIN, doc: { summary: 'Users of the console and API', tags, response: listOf('users', ref('User')) } });

  router.add('POST', '/api/users', async (req) => {
    const b = valid<{ username: string; password: string; role: UserRole; name?: string; scope?: UserScope | null }>(NEW_USER, req.body);
    const weak = passwordProblem(b.password, b.username);
    if (weak) throw new HttpError(400, 'invalid', weak);
    if (await store.getUserByName(b.username)) throw new HttpError(409, 'conflict', `User '${b.username}' exists`);
    await checkScope(store, b.scope);
    const user: User = { id: randomUUID(), username: b.username, name: b.name?.trim() || b.username, role: b.role, passwordHash: hashPassword(b.password), scope: b.scope ?? null };
    await store.createUser(user);
    await audit(req.user!, 'user_created', user, { role: user.role, scope: user.scope });
    return reply(201, publicUser(user));
  }, { auth: ADMIN, doc: { summary: 'Create a user: role, and for a supervisor the sites and teams they see', tags, body: NEW_USER, status: 201, response: ref('User'), errors: { 409: 'User name taken' } } });

  router.add('PUT', '/api/users/:id', async (req) => {
    const b = valid<{ role?: UserRole; name?: string; scope?: UserScope | null }>(CHANGE_USER, req.body);
    const user = await target(req.params['id']!);
    if (user.role === 'admin' && b.role !== undefined && b.role !== 'admin' && (await otherAdmins(user.id)) === 0) throw new HttpError(409, 'last_admin', 'The last admin cannot be given another role');
    await checkScope(store, b.scope);
    const changed = (await store.updateUser(user.id, b))!;
    await audit(req.user!, 'user_changed', changed, { ...b });
    return publicUser(changed);
  }, { auth: ADMIN, doc: { summary: 'Change a user\'s name, role or scope', tags, params: { id: 'User id' }, body: CHANGE_USER, response: ref('User'), errors: { 409: 'The last admin' } } });

  router.add('POST', '/api/users/:id/password', async (req) => {
    const user = await target(req.params['id']!);
    const password = valid<{ password: string }>(PASSWORD, req.body).password;
    const weak = passwordProblem(password, user.username);
    if (weak) throw new HttpError(400, 'invalid', weak);
    await auth.setPassword(user.id, password);
    await audit(req.user!, 'password_reset', user);
    return undefined;
  }, { auth: ADMIN, doc: { summary: 'Reset a user\'s password: every login of theirs ends', tags, params: { id: 'User id' }, body: PASSWORD } });

  router.add('DELETE', '/api/users/:id', async (req) => {
    const user = await target(req.params['id']!);
    if (user.id === req.user!.id) throw new HttpError(409, 'self', 'You cannot delete yourself');
    if (user.role === 'admin' && (await otherAdmins(user.id)) === 0) throw new HttpError(409, 'last_admin', 'The last admin cannot be deleted');
    await store.deleteUser(user.id);
    await audit(req.user!, 'user_deleted', user);
    return undefined;
  }, { auth: ADMIN, doc: { summary: 'Delete a user and end their logins', tags, params: { id: 'User id' }, errors: { 409: 'Yourself, or the last admin' } } });

  router.add('POST', '/api/me/password', async (req) => {
    const current = field(req.body, 'current');
    const password = field(req.body, 'password');
    const user = req.user!;
    if (typeof current !== 'string') throw new HttpError(400, 'invalid', 'current: your current password is required');
    if (auth.limited(req.clientKey, user.username)) throw new HttpError(429, 'too_many_attempts', 'Too many failed attempts; wait a few minutes');
    if (!(await auth.checkPassword(req.clientKey, user, current))) throw new HttpError(403, 'bad_credentials', 'The current password is wrong');
    const weak = passwordProblem(password, user.username);
    if (weak) throw new HttpError(400, 'invalid', weak);
    await auth.setPassword(user.id, password as string, req.token);
    await audit(user, 'password_changed', user);
    return undefined;
  }, {
    auth: 'any',
    doc: { summary: 'Change your own password (your other logins end)', tags: ['auth'], body: { type: 'object', required: ['current', 'password'], properties: { current: { type: 'string' }, password: { type: 'string', minLength: 8 } } }, errors: { 403: 'Wrong current password', 429: 'Too many failed attempts' } },
  });
}
