/**
 * The worker app's API (`/api/app/…`, docs/worker.md): sign-in by password or pairing code, the
 * worker's own state, the phone's events (pre-alarm, alarm, cancel, heartbeat) and — in
 * api-app-sessions.ts — their sessions. Every route takes the worker's token (a worker is not a
 * console user: console tokens are refused here and worker tokens there) and shows the worker their
 * own data only; anything else is a 404 that says nothing about whether it exists.
 *
 * Also registers the admins' routes (api-app-admin.ts), the responder page (api-responder.ts) and
 * the pendant's detector served as is to the browser (one detection code path).
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { every } from '../../../common/clock';
import { check, type JsonSchema } from '../../../common/schema';
import { PhoneDevices, PHONE_ALARM_TYPES, type PhoneEvent } from '../app/phone';
import { appAlarm, appState, visibleToWorker } from '../app/views';
import { WorkerAuth } from '../app/worker-auth';
import { Rules } from '../rules';
import { field } from './api';
import { type AppApiContext, type AppRouteContext, KEY, WORKER_AUTH } from './api-app-common';
import { registerAppAdminApi } from './api-app-admin';
import { registerAppSessionApi } from './api-app-sessions';
import { registerResponderApi } from './api-responder';
import { HttpError, reply, type Router } from './router';

const DAY = 86_400_000;
export const DETECT_JS = join(__dirname, '..', '..', '..', 'firmware', 'src', 'lib', 'detect.js');

const SIGN_IN_ANSWER: JsonSchema = { type: 'object', properties: { token: { type: 'string' }, workerId: { type: 'string' }, expiresAt: { type: 'integer' } } };
const POSITION = {
  type: 'object', additionalProperties: false, required: ['lat', 'lon'],
  properties: { lat: { type: 'number', minimum: -90, maximum: 90 }, lon: { type: 'number', minimum: -180, maximum: 180 }, accuracyM: { type: 'number', minimum: 0, maximum: 1e6 }, takenAt: { type: 'integer', minimum: 0 } },
};
const EVENT: JsonSchema = {
  type: 'object', additionalProperties: false, required: ['key', 'kind'],
  properties: {
    key: KEY, kind: { enum: ['pre_alarm', 'alarm', 'cancel', 'heartbeat'] }, alarmType: { enum: [...PHONE_ALARM_TYPES] }, incidentKey: KEY,
    position: POSITION, batteryPct: { type: 'integer', minimum: 0, maximum: 100 },
  },
};

/** Registers everything of the worker app; returns the stop function of its retention timer. */
export function registerAppApi(router: Router, base: AppApiContext): () => void {
  const { store, clock } = base;
  const workers = new WorkerAuth({ store, clock });
  const rules = new Rules({ alarms: base.alarms, sessions: base.sessions, supervision: base.supervision, positions: base.positions });
  const phones = new PhoneDevices({ store, clock, log: base.log.child('phone'), rules, ...(base.ownership ? { ownership: base.ownership } : {}) });
  const ctx: AppRouteContext = {
    ...base, workers, phones,
    async worker(req) {
      const principal = await workers.authenticate(req.token);
      const worker = principal ? await store.getWorker(principal.workerId) : undefined;
      if (!principal || !worker) throw new HttpError(401, 'unauthenticated', 'Sign in to the worker app first');
      return { worker, principal };
    },
  };

  router.add('POST', '/api/app/login', async (req) => {
    const username = field(req.body, 'username');
    const password = field(req.body, 'password');
    if (typeof username !== 'string' || typeof password !== 'string') throw new HttpError(400, 'invalid', 'username and password are required');
    if (workers.limited(req.clientKey, username)) throw new HttpError(429, 'too_many_attempts', 'Too many failed sign-ins; wait a few minutes');
    const r = await workers.login(req.clientKey, username, password);
    if (!r) throw new HttpError(401, 'bad_credentials', 'Wrong user name or password');
    await phones.ensure((await store.getWorker(r.workerId))!);
    return r;
  }, { doc: { summary: 'A worker signs in to the worker app (not a console login; rate-limited)', tags: ['app'], body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } }, response: SIGN_IN_ANSWER, errors: { 401: 'Wrong user name or password', 429: 'Too many failed attempts' } } });

  router.add('POST', '/api/app/pair', async (req) => {
    const code = field(req.body, 'code');
    if (typeof code !== 'string') throw new HttpError(400, 'invalid', 'code is required');
    if (workers.limited(req.clientKey, 'pairing')) throw new HttpError(429, 'too_many_attempts', 'Too many failed attempts; wait a few minutes');
    const r = await workers.pair(req.clientKey, code);
    if (!r) throw new HttpError(401, 'bad_code', 'This pairing code is wrong, used or expired: ask for a new one');
    await phones.ensure((await store.getWorker(r.workerId))!);
    return r;
  }, { doc: { summary: 'A phone pairs with a one-time code (link or QR code from an admin) and is signed in as that worker', tags: ['app'], body: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } }, response: SIGN_IN_ANSWER, errors: { 401: 'Wrong, used or expired code', 429: 'Too many failed attempts' } } });

  router.add('POST', '/api/app/logout', async (req) => {
    const { principal } = await ctx.worker(req);
    await workers.logout(principal);
    return undefined;
  }, { doc: { summary: 'Signs this phone out', description: WORKER_AUTH, tags: ['app'] } });

  router.add('GET', '/api/app/state', async (req) => {
    const { worker } = await ctx.worker(req);
    return appState({ store, config: ctx.config, now: clock.now() }, worker, await phones.ensure(worker));
  }, { doc: { summary: 'The worker\'s own state: session, pendant, open alarms (never duress), fallback number, settings, the server\'s time', description: WORKER_AUTH, tags: ['app'], response: { type: 'object' } } });

  router.add('GET', '/api/app/alarms/:id', async (req) => {
    const { worker } = await ctx.worker(req);
    const a = await store.getAlarm(req.params['id']!);
    if (!a || !visibleToWorker(a, worker.id)) throw new HttpError(404, 'not_found', 'Not found');
    const phone = await phones.ensure(worker);
    return { alarm: await appAlarm(store, a, phone.id), cancelRefused: (await store.listAudit('alarm', a.id)).some((e) => e.action === 'cancel_refused'), serverNow: clock.now() };
  }, { doc: { summary: 'One of the worker\'s own alarms: received, who is coming, resolved', description: WORKER_AUTH, tags: ['app'], params: { id: 'Alarm id' }, response: { type: 'object' } } });

  router.add('POST', '/api/app/events', async (req) => {
    const { worker } = await ctx.worker(req);
    const v = check<PhoneEvent>(EVENT, structuredClone(req.body ?? {}));
    if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
    const r = await phones.event(worker, v.value);
    if (!r.ok) throw new HttpError(r.code === 'invalid' ? 400 : 409, r.code, r.message);
    const phone = await phones.ensure(worker);
    return reply(r.duplicate ? 200 : 201, { duplicate: r.duplicate, alarm: r.alarm ? await appAlarm(store, r.alarm, phone.id) : null, serverNow: clock.now() });
  }, {
    doc: {
      summary: 'The phone as a device: pre-alarm, alarm (with the position taken at that moment), cancel, heartbeat — idempotent on `key`',
      description: `${WORKER_AUTH} The same rules as a pendant's frames: a pre-alarm opens a pending alarm, its cancel (incidentKey = the pre-alarm's key) closes it, its alarm raises it; the server raises it by itself after supervision.preAlarmTimeoutS. A key sent again returns the first answer (200, duplicate).`,
      tags: ['app'], body: EVENT, status: 201, response: { type: 'object' }, errors: { 409: 'The key belongs to another action' },
    },
  });

  router.add('GET', '/app/detect.js', (req) => {
    req.res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    createReadStream(DETECT_JS).pipe(req.res);
    return undefined;
  }, { doc: { summary: 'The pendant\'s fall, man-down and no-motion detector (firmware/src/lib/detect.js), served as is to the worker app', tags: ['app'], produces: 'text/javascript' } });

  registerAppSessionApi(router, ctx);
  registerAppAdminApi(router, ctx);
  registerResponderApi(router, ctx);

  const purge = (): void => {
    const now = clock.now();
    void store.purgeApp(now - ctx.config.retention.eventsDays * DAY, now).catch((e: unknown) => ctx.log.error('app retention purge failed', { error: e as Error }));
  };
  return every(clock, 3600_000, purge);
}
