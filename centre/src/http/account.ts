/**
 * Logging in and out of the console and the API, who is logged in, changing one's own password, and
 * the centre's health (public: load balancers and monitoring ask it).
 */
import type { FastifyInstance } from 'fastify';
import { passwordProblem, publicUser } from '../auth/auth';
import type { RouteContext } from './context';
import { HttpError } from './errors';
import { ref } from './openapi';

const CREDENTIALS = { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } };
const NEW_PASSWORD = {
  type: 'object', required: ['current', 'password'],
  properties: { current: { type: 'string', description: 'Your current password' }, password: { type: 'string', description: '8 to 200 characters, not your user name' } },
};

export function accountRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { auth, store } = ctx;
  const tags = ['auth'];

  app.get('/api/health', {
    schema: { summary: 'Health: MQTT connection, ingest and outbox counters, timers, notification channels, faults', tags: ['meta'], response: { 200: { type: 'object' } } },
  }, async () => ({ ok: true, ...ctx.health() }));

  app.post<{ Body: { username: string; password: string } }>('/api/login', {
    schema: {
      summary: 'Log in: a bearer token for the Authorization header (never a cookie, so no cross-site request can use it)', tags, body: CREDENTIALS,
      response: {
        200: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'integer' }, user: ref('User') } }, 401: 'Wrong user name or password',
        429: 'Too many failed logins from this client or for this user name',
      },
    },
  }, async (req) => {
    const { username, password } = req.body;
    const client = req.socket.remoteAddress ?? 'unknown';
    if (auth.limited(client, username)) throw new HttpError(429, 'too_many_attempts', 'Too many failed logins; wait a few minutes');
    const result = await auth.login(client, username, password);
    // Logins and failed logins are audited (the audit view); the name a stranger typed is kept short.
    // Refused ones beyond the rate limit (429) are not: a flood cannot fill the log.
    const name = username.slice(0, 64);
    await store.appendAudit(result
      ? { at: ctx.clock.now(), actor: `user:${result.user.username}`, action: 'login', entity: 'user', entityId: result.user.id, data: { client } }
      : { at: ctx.clock.now(), actor: `user:${name}`, action: 'login_failed', entity: 'user', entityId: (await store.getUserByName(username))?.id ?? '(unknown)', data: { client } });
    if (!result) throw new HttpError(401, 'bad_credentials', 'Wrong user name or password');
    return result;
  });

  app.post('/api/logout', { config: { auth: 'any' }, schema: { summary: 'Log out: the token stops working at once', tags } }, async (req) => {
    await auth.logout(req.token!);
    await store.appendAudit({ at: ctx.clock.now(), actor: `user:${req.user!.username}`, action: 'logout', entity: 'user', entityId: req.user!.id });
  });

  app.get('/api/me', { config: { auth: 'any' }, schema: { summary: 'Who is logged in', tags, response: { 200: ref('User') } } }, async (req) => publicUser(req.user!));

  app.post<{ Body: { current: string; password: string } }>('/api/me/password', {
    config: { auth: 'any' },
    schema: { summary: 'Change your own password (your other logins end)', tags, body: NEW_PASSWORD, response: { 403: 'Wrong current password', 429: 'Too many failed attempts' } },
  }, async (req) => {
    const { current, password } = req.body;
    const user = req.user!;
    const client = req.socket.remoteAddress ?? 'unknown';
    if (auth.limited(client, user.username)) throw new HttpError(429, 'too_many_attempts', 'Too many failed attempts; wait a few minutes');
    if (!(await auth.checkPassword(client, user, current))) throw new HttpError(403, 'bad_credentials', 'The current password is wrong');
    const weak = passwordProblem(password, user.username);
    if (weak) throw new HttpError(400, 'invalid', weak);
    await auth.setPassword(user.id, password, req.token);
    await store.appendAudit({ at: ctx.clock.now(), actor: `user:${user.username}`, action: 'password_changed', entity: 'user', entityId: user.id, data: { username: user.username } });
  });
}
