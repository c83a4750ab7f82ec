/**
 * Sessions from the console: start (timed or protection mode), extend, stop, check in on the worker's
 * behalf; protection on/off for a worker; a worker's last position — shown only while the worker is
 * protected or in an alarm (a supervisor: only in an alarm). History beyond the active sessions is for
 * admins only: sessions are not time sheets.
 */
import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../../auth/scope';
import { sessionsFor, subjectsInAlarm, whereaboutsOnlyInAlarm } from '../../domain/privacy';
import type { SessionResult, StartSessionRequest } from '../../domain/sessions';
import { actorOf, OPERATORS, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { listOf, params, query, ref } from '../openapi';

const PHONE = { type: 'string', pattern: '^\\+?[0-9 ().-]{3,30}$', description: 'a phone number: digits, spaces, ( ) . - and a leading +' };
const CONTACT = {
  type: 'object', additionalProperties: false, required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, phone: PHONE, email: { type: 'string', format: 'email' } },
};
const START = {
  type: 'object', additionalProperties: false,
  properties: {
    workerId: { type: 'string' }, deviceId: { type: 'string', pattern: '^[0-9a-f]{8}$', description: '8 hex digits' },
    durationMin: { type: 'number', exclusiveMinimum: 0, maximum: 4320 }, plannedEndAt: { type: 'integer', minimum: 0 },
    checkInIntervalMin: { type: 'number', minimum: 0, maximum: 1440 }, reminderBeforeMin: { type: 'number', minimum: 0, maximum: 240 },
    note: { type: 'string', maxLength: 500 }, phone: PHONE, callList: { type: 'array', maxItems: 5, items: CONTACT },
  },
};
const EXTEND = { type: 'object', additionalProperties: false, properties: { addMin: { type: 'number', exclusiveMinimum: 0, maximum: 4320 }, plannedEndAt: { type: 'integer', minimum: 0 } } };
const SESSION_ANSWER = { type: 'object', properties: { session: ref('Session') } };
const SESSION = params({ id: 'Session id' });
const WORKER = params({ id: 'Worker id' });

export function sessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, sessions } = ctx;
  const answer = (r: SessionResult, reply: { code(n: number): unknown }, status = 200) => {
    if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : r.code === 'invalid' ? 400 : 409, r.code, r.message);
    reply.code(status);
    return { session: r.session };
  };

  app.get<{ Querystring: { state: 'active' | 'all'; workerId?: string } }>('/api/sessions', {
    config: { auth: 'any' },
    schema: {
      summary: 'Active sessions (protection mode, timed sessions); past ones only for admins — sessions are not time sheets. A supervisor gets times, '
        + 'note and call list only for a worker with an open alarm; otherwise `{id, workerId, deviceId, siteId, kind, state, withheld: true}`',
      querystring: query({
        state: { enum: ['active', 'all'], default: 'active', description: '`active` (default) or `all` (admins)' }, workerId: { type: 'string', description: 'Only this worker' },
      }),
      response: { 200: listOf('sessions', ref('Session')) },
    },
  }, async (req) => {
    const all = req.query.state === 'all';
    if (all && req.user!.role !== 'admin') throw new HttpError(403, 'forbidden', 'Session history is for admins: sessions are not time sheets');
    const { workerId } = req.query;
    const scope = await scopeOf(req, store);
    const list = (await store.listWorkSessions({ ...(all ? { limit: 500 } : { states: ['active'] }), ...(workerId ? { workerId } : {}) })).filter((x) => scope.covers(x));
    return { sessions: await sessionsFor(req.user, list, store) };
  });

  app.get('/api/sessions/:id', {
    config: { auth: 'any', visible: 'session' },
    schema: { summary: 'One session (withheld for a supervisor as in the list, outside an alarm of its worker)', params: SESSION, response: { 200: SESSION_ANSWER } },
  }, async (req) => ({ session: (await sessionsFor(req.user, [req.found.session!], store))[0] }));

  app.post<{ Body: StartSessionRequest }>('/api/sessions', {
    config: { auth: OPERATORS },
    schema: {
      summary: 'Start a session for a worker: timed (duration or planned end), with check-ins, a note and a call list', body: START,
      response: { 201: SESSION_ANSWER, 409: 'The worker already has an active session' },
    },
  }, async (req, reply) => {
    const { workerId, deviceId } = req.body;
    const scope = await scopeOf(req, store);
    if (workerId !== undefined && workerId !== null && !scope.worker(workerId)) throw new HttpError(404, 'not_found', `Unknown worker '${workerId}'`);
    const device = deviceId ? await store.getDevice(deviceId) : undefined;
    if (device && !scope.covers(device)) throw new HttpError(404, 'not_found', `Unknown device '${deviceId}'`);
    return answer(await sessions.start(req.body, actorOf(req)), reply, 201);
  });

  app.post<{ Body: { addMin?: number; plannedEndAt?: number } }>('/api/sessions/:id/extend', {
    config: { auth: OPERATORS, visible: 'session' },
    schema: { summary: 'Extend a timed session', params: SESSION, body: EXTEND, response: { 200: SESSION_ANSWER, 409: 'Not active' } },
  }, async (req, reply) => answer(await sessions.extend(req.found.session!.id, actorOf(req), req.body), reply));

  const action = { config: { auth: OPERATORS, visible: 'session' as const }, schema: { params: SESSION, response: { 200: SESSION_ANSWER, 409: 'Not active' } } };
  app.post('/api/sessions/:id/stop', {
    ...action, schema: { ...action.schema, summary: 'Stop a session' },
  }, async (req, reply) => answer(await sessions.stop(req.found.session!.id, actorOf(req)), reply));
  app.post('/api/sessions/:id/check-in', {
    ...action, schema: { ...action.schema, summary: 'Confirm a check-in on the worker\'s behalf' },
  }, async (req, reply) => answer(await sessions.checkIn(req.found.session!.id, actorOf(req)), reply));

  app.post<{ Body: { on: boolean } }>('/api/workers/:id/protection', {
    config: { auth: OPERATORS, visible: 'worker' },
    schema: {
      summary: 'Protection mode on (a session without end) or off (ends the active session); the pendant is told', tags: ['workers'], params: WORKER,
      body: { type: 'object', required: ['on'], properties: { on: { type: 'boolean' } } }, response: { 200: SESSION_ANSWER, 201: SESSION_ANSWER, 409: 'Already protected / not protected' },
    },
  }, async (req, reply) => {
    const id = req.found.worker!.id;
    if (req.body.on) return answer(await sessions.start({ workerId: id }, actorOf(req)), reply, 201);
    const s = await store.findActiveWorkSession(id);
    if (!s) throw new HttpError(409, 'conflict', `Worker '${id}' is not protected`);
    return answer(await sessions.stop(s.id, actorOf(req)), reply);
  });

  app.get('/api/workers/:id/position', {
    config: { auth: OPERATORS, visible: 'worker' },
    schema: {
      summary: 'The worker\'s last position — only while protected or in an alarm (for a supervisor: only in an alarm)', tags: ['workers'], params: WORKER,
      response: {
        200: { type: 'object', properties: { deviceId: { type: 'string' }, position: { type: 'object' }, at: { type: 'integer' }, ageS: { type: 'integer' }, place: ref('Place') } },
        403: 'Not shared: the worker is neither protected nor in an alarm (a supervisor: not in an alarm)',
      },
    },
  }, async (req) => {
    const id = req.found.worker!.id;
    const devices = await store.listDevices({ workerId: id });
    const inAlarm = (await subjectsInAlarm(store)).workers.has(id);
    if (whereaboutsOnlyInAlarm(req.user) && !inAlarm) throw new HttpError(403, 'not_shared', 'A supervisor sees a worker\'s position only while an alarm of that worker is open');
    if (!inAlarm && !devices.some((d) => sessions.isProtected(d.id))) throw new HttpError(403, 'not_shared', 'Positions are shared only while the worker is protected or in an alarm');
    for (const d of devices) {
      const last = await ctx.positions.last(d.id);
      if (last) return { deviceId: d.id, position: last.position, at: last.at, ageS: Math.round((ctx.clock.now() - last.at) / 1000), place: await ctx.positions.describe(last.position) };
    }
    throw new HttpError(404, 'not_found', 'No position known');
  });
}
