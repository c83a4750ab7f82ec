/**
 * Sessions API: start (timed or protection mode), extend, stop, check in; protection on/off for a
 * worker; a worker's last position — shown only while the worker is protected or in an alarm.
 * History beyond the active sessions is for admins only: sessions are not time sheets.
 */
import { check, type JsonSchema } from '../../../common/schema';
import { scopeOf } from '../auth-scope';
import type { SessionResult, StartSessionRequest } from '../sessions';
import type { Session } from '../store/types';
import type { ApiContext } from './api';
import { field, OPERATORS } from './api';
import { listOf, ref } from './openapi';
import { type ApiRequest, HttpError, reply, type Router } from './router';

const contact = { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, phone: { type: 'string', pattern: '^\\+?[0-9 ().-]{3,30}$' }, email: { type: 'string', format: 'email' } } };
const START: JsonSchema = {
  type: 'object', additionalProperties: false,
  properties: {
    workerId: { type: 'string' }, deviceId: { type: 'string', pattern: '^[0-9a-f]{8}$' },
    durationMin: { type: 'number', exclusiveMinimum: 0, maximum: 4320 }, plannedEndAt: { type: 'integer', minimum: 0 },
    checkInIntervalMin: { type: 'number', minimum: 0, maximum: 1440 }, reminderBeforeMin: { type: 'number', minimum: 0, maximum: 240 },
    note: { type: 'string', maxLength: 500 }, phone: { type: 'string', pattern: '^\\+?[0-9 ().-]{3,30}$' }, callList: { type: 'array', maxItems: 5, items: contact },
  },
};
const EXTEND: JsonSchema = { type: 'object', additionalProperties: false, properties: { addMin: { type: 'number', exclusiveMinimum: 0, maximum: 4320 }, plannedEndAt: { type: 'integer', minimum: 0 } } };

function result(r: SessionResult, status = 200): unknown {
  if (r.ok) return reply(status, { session: r.session });
  throw new HttpError(r.code === 'not_found' ? 404 : r.code === 'invalid' ? 400 : 409, r.code, r.message);
}

export function registerSessionApi(router: Router, ctx: ApiContext): void {
  const { store, sessions } = ctx;
  const actor = (req: { user?: { username: string } | undefined }): string => `user:${req.user!.username}`;
  /** The session or worker, if the user's scope covers it; else a 404. */
  const visibleSession = async (req: ApiRequest): Promise<Session> => {
    const s = await store.getWorkSession(req.params['id']!);
    if (!s || !(await scopeOf(req, store)).covers(s)) throw new HttpError(404, 'not_found', `Unknown session '${req.params['id']}'`);
    return s;
  };
  const visibleWorker = async (req: ApiRequest, id: string | undefined): Promise<void> => {
    if (id !== undefined && !(await scopeOf(req, store)).worker(id)) throw new HttpError(404, 'not_found', `Unknown worker '${id}'`);
  };

  router.add('GET', '/api/sessions', async (req) => {
    const all = req.query.get('state') === 'all';
    if (all && req.user!.role !== 'admin') throw new HttpError(403, 'forbidden', 'Session history is for admins: sessions are not time sheets');
    const workerId = req.query.get('workerId') ?? undefined;
    const scope = await scopeOf(req, store);
    return { sessions: (await store.listWorkSessions({ ...(all ? { limit: 500 } : { states: ['active'] }), ...(workerId ? { workerId } : {}) })).filter((x) => scope.covers(x)) };
  }, {
    auth: 'any',
    doc: {
      summary: 'Active sessions (protection mode, timed sessions); past ones only for admins — sessions are not time sheets', response: listOf('sessions', ref('Session')),
      query: { state: { description: '`active` (default) or `all` (admins)', schema: { enum: ['active', 'all'] } }, workerId: { description: 'Only this worker' } },
    },
  });

  router.add('GET', '/api/sessions/:id', async (req) => {
    return { session: await visibleSession(req) };
  }, { auth: 'any', doc: { summary: 'One session', params: { id: 'Session id' }, response: { type: 'object', properties: { session: ref('Session') } } } });

  router.add('POST', '/api/sessions', async (req) => {
    const v = check<StartSessionRequest>(START, structuredClone(req.body ?? {}));
    if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
    await visibleWorker(req, v.value.workerId ?? undefined);
    if (v.value.deviceId) {
      const d = await store.getDevice(v.value.deviceId);
      if (d && !(await scopeOf(req, store)).covers(d)) throw new HttpError(404, 'not_found', `Unknown device '${v.value.deviceId}'`);
    }
    return result(await sessions.start(v.value, actor(req)), 201);
  }, { auth: OPERATORS, doc: { summary: 'Start a session for a worker: timed (duration or planned end), with check-ins, a note and a call list', body: START, status: 201, response: { type: 'object', properties: { session: ref('Session') } }, errors: { 409: 'The worker already has an active session' } } });

  router.add('POST', '/api/sessions/:id/extend', async (req) => {
    const v = check<{ addMin?: number; plannedEndAt?: number }>(EXTEND, structuredClone(req.body ?? {}));
    if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
    return result(await sessions.extend((await visibleSession(req)).id, actor(req), v.value));
  }, { auth: OPERATORS, doc: { summary: 'Extend a timed session', params: { id: 'Session id' }, body: EXTEND, response: { type: 'object', properties: { session: ref('Session') } }, errors: { 409: 'Not active' } } });

  const sessionDoc = (summary: string) => ({ summary, params: { id: 'Session id' }, response: { type: 'object', properties: { session: ref('Session') } }, errors: { 409: 'Not active' } });
  router.add('POST', '/api/sessions/:id/stop', async (req) => result(await sessions.stop((await visibleSession(req)).id, actor(req))), { auth: OPERATORS, doc: sessionDoc('Stop a session') });
  router.add('POST', '/api/sessions/:id/check-in', async (req) => result(await sessions.checkIn((await visibleSession(req)).id, actor(req))), { auth: OPERATORS, doc: sessionDoc('Confirm a check-in on the worker\'s behalf') });

  /** `{on: true}` starts protection mode (no planned end) for the worker; `{on: false}` ends the active session. */
  router.add('POST', '/api/workers/:id/protection', async (req) => {
    const on = field(req.body, 'on');
    if (typeof on !== 'boolean') throw new HttpError(400, 'invalid', 'on: true or false');
    const id = req.params['id']!;
    await visibleWorker(req, id);
    if (on) return result(await sessions.start({ workerId: id }, actor(req)), 201);
    const s = await store.findActiveWorkSession(id);
    if (!s) throw new HttpError(409, 'conflict', `Worker '${id}' is not protected`);
    return result(await sessions.stop(s.id, actor(req)));
  }, { auth: OPERATORS, doc: { summary: 'Protection mode on (a session without end) or off (ends the active session); the pendant is told', tags: ['workers'], params: { id: 'Worker id' }, body: { type: 'object', required: ['on'], properties: { on: { type: 'boolean' } } }, response: { type: 'object', properties: { session: ref('Session') } }, errors: { 409: 'Already protected / not protected' } } });

  router.add('GET', '/api/workers/:id/position', async (req) => {
    const id = req.params['id']!;
    await visibleWorker(req, id);
    const devices = await store.listDevices({ workerId: id });
    const shared = devices.some((d) => sessions.isProtected(d.id)) || (await store.listAlarms({ states: ['pending', 'raised', 'acknowledged'] })).some((a) => a.workerId === id);
    if (!shared) throw new HttpError(403, 'not_shared', 'Positions are shared only while the worker is protected or in an alarm');
    for (const d of devices) {
      const last = await ctx.positions.last(d.id);
      if (last) return { deviceId: d.id, position: last.position, at: last.at, ageS: Math.round((ctx.clock.now() - last.at) / 1000), place: await ctx.positions.describe(last.position) };
    }
    throw new HttpError(404, 'not_found', 'No position known');
  }, {
    auth: OPERATORS,
    doc: {
      summary: 'The worker\'s last position — only while protected or in an alarm', tags: ['workers'], params: { id: 'Worker id' },
      response: { type: 'object', properties: { deviceId: { type: 'string' }, position: { type: 'object' }, at: { type: 'integer' }, ageS: { type: 'integer' }, place: ref('Place') } },
      errors: { 403: 'Not shared: the worker is neither protected nor in an alarm' },
    },
  });
}
