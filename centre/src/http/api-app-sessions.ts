/**
 * The worker's own sessions from the app: start (duration, own phone, up to three contacts in call
 * order, a note, check-ins, the phone watching for falls or not), extend, stop, edit the note, check
 * in. The session then lives on the server (sessions.ts): the reminder, the expiry alarm and the
 * check-in deadlines run there whether the phone is on or not.
 *
 * Every action carries the phone's idempotency key: the answer is recorded and a retry gets it again
 * (the phone's queue resends what it is not sure was received). A session of another worker is a 404.
 */
import { check, type JsonSchema } from '../../../common/schema';
import type { SessionResult, StartSessionRequest } from '../sessions';
import type { Session } from '../store/types';
import { type AppRouteContext, KEY, WORKER_AUTH } from './api-app-common';
import { HttpError, type Reply, reply, type Router } from './router';

const PHONE = { type: 'string', pattern: '^\\+?[0-9 ().-]{3,30}$' };
const CONTACT = { type: 'object', additionalProperties: false, required: ['name', 'phone'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, phone: PHONE } };
const START: JsonSchema = {
  type: 'object', additionalProperties: false, required: ['key'],
  properties: {
    key: KEY, durationMin: { type: 'number', exclusiveMinimum: 0, maximum: 4320 }, plannedEndAt: { type: 'integer', minimum: 0 },
    phone: PHONE, callList: { type: 'array', maxItems: 3, items: CONTACT }, note: { type: 'string', maxLength: 500 },
    checkInIntervalMin: { type: 'number', minimum: 0, maximum: 1440 }, reminderBeforeMin: { type: 'number', minimum: 0, maximum: 240 },
    usePhone: { type: 'boolean', description: 'The phone watches for falls: it is the session\'s device (heartbeats expected) unless the worker has a pendant' },
  },
};
const EXTEND: JsonSchema = { type: 'object', additionalProperties: false, required: ['key'], properties: { key: KEY, addMin: { type: 'number', exclusiveMinimum: 0, maximum: 4320 }, plannedEndAt: { type: 'integer', minimum: 0 } } };
const NOTE: JsonSchema = { type: 'object', additionalProperties: false, required: ['key', 'note'], properties: { key: KEY, note: { type: 'string', maxLength: 500 } } };
const KEYED: JsonSchema = { type: 'object', additionalProperties: false, required: ['key'], properties: { key: KEY } };
const SESSION_ANSWER: JsonSchema = { type: 'object', properties: { session: { type: 'object' } } };

type StartBody = Omit<StartSessionRequest, 'workerId' | 'deviceId'> & { key: string; usePhone?: boolean };

function valid<T>(schema: JsonSchema, body: unknown): T {
  const v = check<T>(schema, structuredClone(body ?? {}));
  if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
  return v.value;
}

function answer(r: SessionResult, status = 200): Reply {
  if (r.ok) return reply(status, { session: r.session });
  return reply(r.code === 'not_found' ? 404 : r.code === 'invalid' ? 400 : 409, { error: { code: r.code, message: r.message } });
}

export function registerAppSessionApi(router: Router, ctx: AppRouteContext): void {
  const { store, sessions, clock, live } = ctx;

  /** Runs a keyed action once: a key seen before gets its recorded answer again. */
  const once = async (workerId: string, action: string, key: string, fn: () => Promise<Reply>): Promise<Reply> => {
    const prev = await store.getAppAction(key);
    if (prev) {
      if (prev.workerId !== workerId || prev.action !== action || prev.status === null) throw new HttpError(409, 'conflict', 'This key was used for another action');
      return reply(prev.status, prev.response);
    }
    const r = await fn();
    await store.putAppAction({ key, workerId, action, at: clock.now(), deviceId: null, counter: null, status: r.status, response: r.body });
    return r;
  };

  /** The worker's own session, else 404 (whether it exists or not). */
  const own = async (id: string, workerId: string): Promise<Session> => {
    const s = await store.getWorkSession(id);
    if (!s || s.workerId !== workerId) throw new HttpError(404, 'not_found', 'Not found');
    return s;
  };
  const actor = (workerId: string): string => `worker:${workerId}`;

  router.add('POST', '/api/app/sessions', async (req) => {
    const { worker } = await ctx.worker(req);
    const b = valid<StartBody>(START, req.body);
    return once(worker.id, 'session_start', b.key, async () => {
      const devices = await store.listDevices({ workerId: worker.id });
      const pendant = devices.find((d) => d.board !== 'phone');
      // The pendant is the session's device; without one, the phone is when it watches for falls.
      const deviceId = pendant?.id ?? (b.usePhone ? (await ctx.phones.ensure(worker)).id : undefined);
      const start: StartSessionRequest = { ...b, workerId: worker.id, ...(deviceId ? { deviceId } : {}) };
      delete (start as Partial<StartBody>).key;
      delete (start as Partial<StartBody>).usePhone;
      return answer(await sessions.start(start, actor(worker.id)), 201);
    });
  }, { doc: { summary: 'The worker starts a session: duration, own phone, up to three contacts in call order, note, check-ins', description: WORKER_AUTH, tags: ['app'], body: START, status: 201, response: SESSION_ANSWER, errors: { 409: 'A session is already running' } } });

  router.add('GET', '/api/app/sessions/:id', async (req) => {
    const { worker } = await ctx.worker(req);
    return { session: await own(req.params['id']!, worker.id), serverNow: clock.now() };
  }, { doc: { summary: 'One of the worker\'s own sessions (another worker\'s is a 404)', description: WORKER_AUTH, tags: ['app'], params: { id: 'Session id' }, response: SESSION_ANSWER } });

  router.add('POST', '/api/app/sessions/:id/extend', async (req) => {
    const { worker } = await ctx.worker(req);
    const b = valid<{ key: string; addMin?: number; plannedEndAt?: number }>(EXTEND, req.body);
    const s = await own(req.params['id']!, worker.id);
    return once(worker.id, `session_extend:${s.id}`, b.key, async () => answer(await sessions.extend(s.id, actor(worker.id), { ...(b.addMin !== undefined ? { addMin: b.addMin } : {}), ...(b.plannedEndAt !== undefined ? { plannedEndAt: b.plannedEndAt } : {}) })));
  }, { doc: { summary: 'Extends the worker\'s session by addMin (default 60) or to plannedEndAt', description: WORKER_AUTH, tags: ['app'], params: { id: 'Session id' }, body: EXTEND, response: SESSION_ANSWER, errors: { 409: 'The session is not running' } } });

  router.add('POST', '/api/app/sessions/:id/stop', async (req) => {
    const { worker } = await ctx.worker(req);
    const b = valid<{ key: string }>(KEYED, req.body);
    const s = await own(req.params['id']!, worker.id);
    return once(worker.id, `session_stop:${s.id}`, b.key, async () => answer(await sessions.stop(s.id, actor(worker.id))));
  }, { doc: { summary: 'Stops the worker\'s session', description: WORKER_AUTH, tags: ['app'], params: { id: 'Session id' }, body: KEYED, response: SESSION_ANSWER, errors: { 409: 'The session is not running (already stopped, or it expired)' } } });

  router.add('POST', '/api/app/sessions/:id/check-in', async (req) => {
    const { worker } = await ctx.worker(req);
    const b = valid<{ key: string }>(KEYED, req.body);
    const s = await own(req.params['id']!, worker.id);
    return once(worker.id, `session_check_in:${s.id}`, b.key, async () => answer(await sessions.checkIn(s.id, actor(worker.id))));
  }, { doc: { summary: 'The worker confirms a presence prompt (check-in)', description: WORKER_AUTH, tags: ['app'], params: { id: 'Session id' }, body: KEYED, response: SESSION_ANSWER } });

  router.add('POST', '/api/app/sessions/:id/note', async (req) => {
    const { worker } = await ctx.worker(req);
    const b = valid<{ key: string; note: string }>(NOTE, req.body);
    const s = await own(req.params['id']!, worker.id);
    return once(worker.id, `session_note:${s.id}`, b.key, async () => {
      const now = clock.now();
      const note = b.note.trim() || null;
      const updated = await store.updateWorkSession(s.id, ['active'], { note, updatedAt: now }, { at: now, actor: actor(worker.id), action: 'note_changed', entity: 'session', entityId: s.id, data: { note } });
      if (!updated) return reply(409, { error: { code: 'conflict', message: `The session is ${s.state}: its note can no longer change` } });
      live.publish({ type: 'session', session: updated, action: 'updated' });
      return reply(200, { session: updated });
    });
  }, { doc: { summary: 'Changes the note for whoever comes ("meter cupboard, second floor")', description: WORKER_AUTH, tags: ['app'], params: { id: 'Session id' }, body: NOTE, response: SESSION_ANSWER, errors: { 409: 'The session is not running' } } });
}
