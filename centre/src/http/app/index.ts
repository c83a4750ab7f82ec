/**
 * The worker app's API (`/api/app/…`, docs/worker.md): sign-in by password or pairing code, the
 * worker's own state, the phone's events (pre-alarm, alarm, cancel, heartbeat) and — in
 * sessions.ts — their sessions. Every route takes the worker's token (`auth: 'worker'`: a worker is
 * not a console user, console tokens are refused here and worker tokens there) and shows the worker
 * their own data only; anything else is a 404 that says nothing about whether it exists.
 *
 * The admins' side is in admin/app-logins.ts. The pendant's detector is one of the app's static files
 * (`/app/detect.js`, a copy of the firmware's made by centre/tools/firmware-copy.ts).
 */
import type { FastifyInstance } from 'fastify';
import { PHONE_ALARM_TYPES, type PhoneEvent } from '../../app/phone';
import { appAlarm, appState, visibleToWorker } from '../../app/views';
import type { RouteContext } from '../context';
import { HttpError } from '../errors';
import { params } from '../openapi';
import { KEY, WORKER_AUTH } from './common';
import { appSessionRoutes } from './sessions';


const SIGN_IN_ANSWER = { type: 'object', properties: { token: { type: 'string' }, workerId: { type: 'string' }, expiresAt: { type: 'integer' } } };
const POSITION = {
  type: 'object', additionalProperties: false, required: ['lat', 'lon'],
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 }, lon: { type: 'number', minimum: -180, maximum: 180 }, accuracyM: { type: 'number', minimum: 0, maximum: 1e6 },
    takenAt: { type: 'integer', minimum: 0 },
  },
};
const EVENT = {
  type: 'object', additionalProperties: false, required: ['key', 'kind'],
  properties: {
    key: KEY, kind: { enum: ['pre_alarm', 'alarm', 'cancel', 'heartbeat'] }, alarmType: { enum: [...PHONE_ALARM_TYPES] }, incidentKey: KEY,
    position: POSITION, batteryPct: { type: 'integer', minimum: 0, maximum: 100 },
  },
};
const config = { auth: 'worker' as const };
const tags = ['app'];

/** Registers the worker app's routes; returns the stop function of its retention timer. */
export function appRoutes(app: FastifyInstance, ctx: RouteContext): () => void {
  const { store, clock, workers, phones } = ctx;
  const client = (req: { socket: { remoteAddress?: string | undefined } }): string => req.socket.remoteAddress ?? 'unknown';

  app.post<{ Body: { username: string; password: string } }>('/api/app/login', {
    schema: {
      summary: 'A worker signs in to the worker app (not a console login; rate-limited)', tags,
      body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } },
      response: { 200: SIGN_IN_ANSWER, 401: 'Wrong user name or password', 429: 'Too many failed attempts' },
    },
  }, async (req) => {
    const { username, password } = req.body;
    if (workers.limited(client(req), username)) throw new HttpError(429, 'too_many_attempts', 'Too many failed sign-ins; wait a few minutes');
    const r = await workers.login(client(req), username, password);
    if (!r) throw new HttpError(401, 'bad_credentials', 'Wrong user name or password');
    await phones.ensure((await store.getWorker(r.workerId))!);
    return r;
  });

  app.post<{ Body: { code: string } }>('/api/app/pair', {
    schema: {
      summary: 'A phone pairs with a one-time code (link or QR code from an admin) and is signed in as that worker', tags,
      body: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } }, response: { 200: SIGN_IN_ANSWER, 401: 'Wrong, used or expired code', 429: 'Too many failed attempts' },
    },
  }, async (req) => {
    if (workers.limited(client(req), 'pairing')) throw new HttpError(429, 'too_many_attempts', 'Too many failed attempts; wait a few minutes');
    const r = await workers.pair(client(req), req.body.code);
    if (!r) throw new HttpError(401, 'bad_code', 'This pairing code is wrong, used or expired: ask for a new one');
    await phones.ensure((await store.getWorker(r.workerId))!);
    return r;
  });

  app.post('/api/app/logout', { config, schema: { summary: 'Signs this phone out', description: WORKER_AUTH, tags } }, async (req) => {
    await workers.logout(req.signedIn!.principal);
  });

  app.get('/api/app/state', {
    config, schema: {
      summary: 'The worker\'s own state: session, pendant, open alarms (never duress), fallback number, settings, the server\'s time', description: WORKER_AUTH, tags,
      response: { 200: { type: 'object' } },
    },
  }, async (req) => {
    const { worker } = req.signedIn!;
    return appState({ store, config: ctx.config, now: clock.now() }, worker, await phones.ensure(worker));
  });

  app.get<{ Params: { id: string } }>('/api/app/alarms/:id', {
    config, schema: {
      summary: 'One of the worker\'s own alarms: received, who is coming, resolved', description: WORKER_AUTH, tags, params: params({ id: 'Alarm id' }),
      response: { 200: { type: 'object' } },
    },
  }, async (req) => {
    const { worker } = req.signedIn!;
    const a = await store.getAlarm(req.params.id);
    if (!a || !visibleToWorker(a, worker.id)) throw new HttpError(404, 'not_found', 'Not found');
    const phone = await phones.ensure(worker);
    return { alarm: await appAlarm(store, a, phone.id), cancelRefused: (await store.listAudit('alarm', a.id)).some((e) => e.action === 'cancel_refused'), serverNow: clock.now() };
  });

  app.post<{ Body: PhoneEvent }>('/api/app/events', {
    config,
    schema: {
      summary: 'The phone as a device: pre-alarm, alarm (with the position taken at that moment), cancel, heartbeat — idempotent on `key`',
      description: `${WORKER_AUTH} The same rules as a pendant's frames: a pre-alarm opens a pending alarm, its cancel (incidentKey = the pre-alarm's key) `
        + 'closes it, its alarm raises it; the server raises it by itself after supervision.preAlarmTimeoutS. A key sent again returns the first answer (200, duplicate).',
      tags, body: EVENT, response: { 200: { type: 'object' }, 201: { type: 'object' }, 409: 'The key belongs to another action' },
    },
  }, async (req, reply) => {
    const { worker } = req.signedIn!;
    const r = await phones.event(worker, req.body);
    if (!r.ok) throw new HttpError(r.code === 'invalid' ? 400 : 409, r.code, r.message);
    const phone = await phones.ensure(worker);
    void reply.code(r.duplicate ? 200 : 201);
    return { duplicate: r.duplicate, alarm: r.alarm ? await appAlarm(store, r.alarm, phone.id) : null, serverNow: clock.now() };
  });

  appSessionRoutes(app, ctx);

  // The app's records are purged with the rest by the centre's retention (ops/retention.ts).
  return () => undefined;
}
