/**
 * What admins do for the worker app: give a worker a login (user name and password), or a one-time
 * pairing link with its QR code (drawn here as SVG — no CDN, nothing fetched by the browser), sign a
 * lost phone out, remove the login. Every change is on the worker's audit trail.
 */
import QRCode from 'qrcode';
import { check, type JsonSchema } from '../../../common/schema';
import type { AppRouteContext } from './api-app-common';
import { HttpError, type ApiRequest, reply, type Router } from './router';

const ADMIN = ['admin'] as const;
const LOGIN: JsonSchema = {
  type: 'object', additionalProperties: false, required: ['username', 'password'],
  properties: { username: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$' }, password: { type: 'string', minLength: 8, maxLength: 200 } },
};
const PAIRING: JsonSchema = { type: 'object', additionalProperties: false, properties: { ttlH: { type: 'integer', minimum: 1, maximum: 168, default: 24 } } };
const PAIRING_ANSWER: JsonSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, link: { type: 'string', description: 'Open on the worker\'s phone (or scan the QR code)' }, expiresAt: { type: 'integer' }, qrSvg: { type: 'string', description: 'The link as a QR code, SVG' } },
};

/** The address phones reach the centre at: `escalation.publicUrl`, else the one the admin used. */
function baseUrl(ctx: AppRouteContext, req: ApiRequest): string {
  const pub = ctx.config.escalation.publicUrl;
  if (pub) return pub.replace(/\/$/, '');
  const host = req.raw.headers.host ?? `${ctx.config.http.host}:${ctx.config.http.port}`;
  return `http://${host}`;
}

export function registerAppAdminApi(router: Router, ctx: AppRouteContext): void {
  const { store, workers } = ctx;
  const who = (req: ApiRequest): string => `user:${req.user!.username}`;
  const knownWorker = async (id: string): Promise<void> => {
    if (!(await store.getWorker(id))) throw new HttpError(404, 'not_found', `Unknown worker '${id}'`);
  };

  router.add('GET', '/api/workers/:id/app-login', async (req) => {
    await knownWorker(req.params['id']!);
    const c = await store.getWorkerCredential({ workerId: req.params['id']! });
    if (!c) throw new HttpError(404, 'not_found', 'This worker has no app login');
    return { workerId: c.workerId, username: c.username, createdAt: c.createdAt, createdBy: c.createdBy };
  }, { auth: ADMIN, doc: { summary: 'The worker\'s app login (user name only)', tags: ['workers'], params: { id: 'Worker id' }, response: { type: 'object' } } });

  router.add('PUT', '/api/workers/:id/app-login', async (req) => {
    const v = check<{ username: string; password: string }>(LOGIN, structuredClone(req.body ?? {}));
    if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
    const r = await workers.setCredential(req.params['id']!, v.value.username, v.value.password, who(req));
    if (r === 'unknown_worker') throw new HttpError(404, 'not_found', `Unknown worker '${req.params['id']}'`);
    if (r === 'taken') throw new HttpError(409, 'conflict', `The user name '${v.value.username}' belongs to another worker`);
    return { workerId: req.params['id'], username: v.value.username };
  }, { auth: ADMIN, doc: { summary: 'Gives the worker an app login (or a new password); phones already signed in stay signed in', tags: ['workers'], params: { id: 'Worker id' }, body: LOGIN, response: { type: 'object' }, errors: { 409: 'The user name belongs to another worker' } } });

  router.add('DELETE', '/api/workers/:id/app-login', async (req) => {
    await knownWorker(req.params['id']!);
    await store.deleteWorkerCredential(req.params['id']!);
    await store.appendAudit({ at: ctx.clock.now(), actor: who(req), action: 'app_login_removed', entity: 'worker', entityId: req.params['id']! });
    return undefined;
  }, { auth: ADMIN, doc: { summary: 'Removes the worker\'s app login, signs out every phone and voids unused pairing codes', tags: ['workers'], params: { id: 'Worker id' } } });

  router.add('DELETE', '/api/workers/:id/app-phones', async (req) => {
    await knownWorker(req.params['id']!);
    const n = await store.revokeWorkerLogins(req.params['id']!);
    await store.appendAudit({ at: ctx.clock.now(), actor: who(req), action: 'app_phones_signed_out', entity: 'worker', entityId: req.params['id']!, data: { phones: n } });
    return { signedOut: n };
  }, { auth: ADMIN, doc: { summary: 'Signs out every phone of the worker (a lost phone); the login stays', tags: ['workers'], params: { id: 'Worker id' }, response: { type: 'object', properties: { signedOut: { type: 'integer' } } } } });

  router.add('POST', '/api/workers/:id/app-pairing', async (req) => {
    const v = check<{ ttlH: number }>(PAIRING, structuredClone(req.body ?? {}));
    if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
    const p = await workers.createPairing(req.params['id']!, who(req), v.value.ttlH);
    if (!p) throw new HttpError(404, 'not_found', `Unknown worker '${req.params['id']}'`);
    const link = `${baseUrl(ctx, req)}/app/#pair=${p.code}`;
    const qrSvg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return reply(201, { code: p.code, link, expiresAt: p.expiresAt, qrSvg });
  }, { auth: ADMIN, doc: { summary: 'A one-time pairing link and QR code for the worker\'s phone (valid ttlH hours, used once)', tags: ['workers'], params: { id: 'Worker id' }, body: PAIRING, status: 201, response: PAIRING_ANSWER } });
}
