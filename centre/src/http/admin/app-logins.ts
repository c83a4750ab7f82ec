/**
 * What admins do for the worker app: give a worker a login (user name and password), or a one-time
 * pairing link with its QR code (drawn here as SVG — no CDN, nothing fetched by the browser), sign a
 * lost phone out, remove the login. Every change is on the worker's audit trail.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { actorOf, ADMIN, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { params } from '../openapi';

const LOGIN = {
  type: 'object', additionalProperties: false, required: ['username', 'password'],
  properties: {
    username: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$', description: '2–64 letters, digits or _.@- (a letter or digit first)' },
    password: { type: 'string', minLength: 8, maxLength: 200 },
  },
};
const PAIRING = { type: 'object', additionalProperties: false, properties: { ttlH: { type: 'integer', minimum: 1, maximum: 168, default: 24 } } };
const PAIRING_ANSWER = {
  type: 'object',
  properties: {
    code: { type: 'string' }, link: { type: 'string', description: 'Open on the worker\'s phone (or scan the QR code)' }, expiresAt: { type: 'integer' },
    qrSvg: { type: 'string', description: 'The link as a QR code, SVG' },
  },
};
const ID = params({ id: 'Worker id' });
const tags = ['workers'];

/** The address phones reach the centre at: `escalation.publicUrl`, else the one the admin used. */
function baseUrl(ctx: RouteContext, req: FastifyRequest): string {
  const pub = ctx.config.escalation.publicUrl;
  if (pub) return pub.replace(/\/$/, '');
  return `http://${req.headers.host ?? `${ctx.config.http.host}:${ctx.config.http.port}`}`;
}

export function appLoginRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, workers } = ctx;
  type One = { Params: { id: string } };

  app.get('/api/workers/:id/app-login', {
    config: { auth: ADMIN, visible: 'worker' }, schema: { summary: 'The worker\'s app login (user name only)', tags, params: ID, response: { 200: { type: 'object' } } },
  }, async (req) => {
    const c = await store.getWorkerCredential({ workerId: req.found.worker!.id });
    if (!c) throw new HttpError(404, 'not_found', 'This worker has no app login');
    return { workerId: c.workerId, username: c.username, createdAt: c.createdAt, createdBy: c.createdBy };
  });

  app.put<One & { Body: { username: string; password: string } }>('/api/workers/:id/app-login', {
    config: { auth: ADMIN, visible: 'worker' },
    schema: {
      summary: 'Gives the worker an app login (or a new password); phones already signed in stay signed in', tags, params: ID, body: LOGIN,
      response: { 200: { type: 'object' }, 409: 'The user name belongs to another worker' },
    },
  }, async (req) => {
    const { id } = req.params;
    const { username, password } = req.body;
    const r = await workers.setCredential(id, username, password, actorOf(req));
    if (r === 'unknown_worker') throw new HttpError(404, 'not_found', `Unknown worker '${id}'`);
    if (r === 'taken') throw new HttpError(409, 'conflict', `The user name '${username}' belongs to another worker`);
    return { workerId: id, username };
  });

  app.delete('/api/workers/:id/app-login', {
    config: { auth: ADMIN, visible: 'worker' }, schema: { summary: 'Removes the worker\'s app login, signs out every phone and voids unused pairing codes', tags, params: ID },
  }, async (req) => {
    const id = req.found.worker!.id;
    await store.deleteWorkerCredential(id);
    await store.appendAudit({ at: ctx.clock.now(), actor: actorOf(req), action: 'app_login_removed', entity: 'worker', entityId: id });
  });

  app.delete('/api/workers/:id/app-phones', {
    config: { auth: ADMIN, visible: 'worker' },
    schema: {
      summary: 'Signs out every phone of the worker (a lost phone); the login stays', tags, params: ID,
      response: { 200: { type: 'object', properties: { signedOut: { type: 'integer' } } } },
    },
  }, async (req) => {
    const id = req.found.worker!.id;
    const n = await store.revokeWorkerLogins(id);
    await store.appendAudit({ at: ctx.clock.now(), actor: actorOf(req), action: 'app_phones_signed_out', entity: 'worker', entityId: id, data: { phones: n } });
    return { signedOut: n };
  });

  app.post<One & { Body: { ttlH: number } }>('/api/workers/:id/app-pairing', {
    config: { auth: ADMIN, visible: 'worker' },
    schema: { summary: 'A one-time pairing link and QR code for the worker\'s phone (valid ttlH hours, used once)', tags, params: ID, body: PAIRING, response: { 201: PAIRING_ANSWER } },
  }, async (req, reply) => {
    const p = await workers.createPairing(req.params.id, actorOf(req), req.body.ttlH);
    if (!p) throw new HttpError(404, 'not_found', `Unknown worker '${req.params.id}'`);
    const link = `${baseUrl(ctx, req)}/app/#pair=${p.code}`;
    const qrSvg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    void reply.code(201);
    return { code: p.code, link, expiresAt: p.expiresAt, qrSvg };
  });
}
