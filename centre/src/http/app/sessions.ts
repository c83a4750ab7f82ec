/**
 * The worker's own sessions from the app: start (duration, own phone, up to three contacts in call
 * order, a note, check-ins, the phone watching for falls or not), extend, stop, edit the note, check
 * in. The session then lives on the server (sessions.ts): the reminder, the expiry alarm and the
 * check-in deadlines run there whether the phone is on or not.
 *
 * Every action carries the phone's idempotency key: the answer is recorded and a retry gets it again
 * (the phone's queue resends what it is not sure was received). A session of another worker is a 404.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SessionResult, StartSessionRequest } from '../../domain/sessions';
import type { Session } from '../../store/types';
import type { RouteContext } from '../context';
import { HttpError } from '../errors';
import { params } from '../openapi';
import { KEY, WORKER_AUTH } from './common';

const PHONE = { type: 'string', pattern: '^\\+?[0-9 ().-]{3,30}$', description: 'a phone number: digits, spaces, ( ) . - and a leading +' };
const CONTACT = { type: 'object', additionalProperties: false, required: ['name', 'phone'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, phone: PHONE } };
const START = {
  type: 'object', additionalProperties: false, required: ['key'],
  properties: {
    key: KEY, durationMin: { type: 'number', exclusiveMinimum: 0, maximum: 4320 }, plannedEndAt: { type: 'integer', minimum: 0 },
    phone: PHONE, callList: { type: 'array', maxItems: 3, items: CONTACT }, note: { type: 'string', maxLength: 500 },
    checkInIntervalMin: { type: 'number', minimum: 0, maximum: 1440 }, reminderBeforeMin: { type: 'number', minimum: 0, maximum: 240 },
    usePhone: { type: 'boolean', description: 'The phone watches for falls: it is the session\'s device (heartbeats expected) unless the worker has a pendant' },
  },
};
const EXTEND = {
  type: 'object', additionalProperties: false, required: ['key'],
  properties: { key: KEY, addMin: { type: 'number', exclusiveMinimum: 0, maximum: 4320 }, plannedEndAt: { type: 'integer', minimum: 0 } },
};
const NOTE = { type: 'object', additionalProperties: false, required: ['key', 'note'], properties: { key: KEY, note: { type: 'string', maxLength: 500 } } };
const KEYED = { type: 'object', additionalProperties: false, required: ['key'], properties: { key: KEY } };
const SESSION_ANSWER = { type: 'object', properties: { session: { type: 'object' } } };
const ID = params({ id: 'Session id' });
const config = { auth: 'worker' as const };
const tags = ['app'];

type StartBody = Omit<StartSessionRequest, 'workerId' | 'deviceId'> & { key: string; usePhone?: boolean };
/** An answer as recorded for a retry: its status and body. */
interface Answer {
  status: number;
  body: unknown;
}

function answer(r: SessionResult, status = 200): Answer {
  if (r.ok) return { status, body: { session: r.session } };
  return { status: r.code === 'not_found' ? 404 : r.code === 'invalid' ? 400 : 409, body: { error: { code: r.code, message: r.message } } };
}

export function appSessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, sessions, clock, live } = ctx;

  /** Runs a keyed action once: a key seen before gets its recorded answer again. */
  const once = async (reply: FastifyReply, workerId: string, action: string, key: string, fn: () => Promise<Answer>): Promise<unknown> => {
    const prev = await store.getAppAction(key);
    let r: Answer;
    if (prev) {
      if (prev.workerId !== workerId || prev.action !== action || prev.status === null) throw new HttpError(409, 'conflict', 'This key was used for another action');
      r = { status: prev.status, body: prev.response };
    } else {
      r = await fn();
      await store.putAppAction({ key, workerId, action, at: clock.now(), deviceId: null, counter: null, status: r.status, response: r.body });
    }
    void reply.code(r.status);
    return r.body;
  };

  /** The worker's own session, else 404 (whether it exists or not). */
  const own = async (id: string, workerId: string): Promise<Session> => {
    const s = await store.getWorkSession(id);
    if (!s || s.workerId !== workerId) throw new HttpError(404, 'not_found', 'Not found');
    return s;
  };
  const actor = (workerId: string): string => `worker:${workerId}`;
  type Keyed<B> = { Params: { id: string }; Body: B };

  app.post<{ Body: StartBody }>('/api/app/sessions', {
    config, schema: {
      summary: 'The worker starts a session: duration, own phone, up to three contacts in call order, note, check-ins', description: WORKER_AUTH, tags, body: START,
      response: { 201: SESSION_ANSWER, 409: 'A session is already running' },
    },
  }, async (req, reply) => {
    const { worker } = req.signedIn!;
    const { key, usePhone, ...b } = req.body;
    return once(reply, worker.id, 'session_start', key, async () => {
      const devices = await store.listDevices({ workerId: worker.id });
      const pendant = devices.find((d) => d.board !== 'phone');
      // The pendant is the session's device; without one, the phone is when it watches for falls.
      const deviceId = pendant?.id ?? (usePhone ? (await ctx.phones.ensure(worker)).id : undefined);
      return answer(await sessions.start({ ...b, workerId: worker.id, ...(deviceId ? { deviceId } : {}) }, actor(worker.id)), 201);
    });
  });

  app.get<{ Params: { id: string } }>('/api/app/sessions/:id', {
    config, schema: { summary: 'One of the worker\'s own sessions (another worker\'s is a 404)', description: WORKER_AUTH, tags, params: ID, response: { 200: SESSION_ANSWER } },
  }, async (req) => ({ session: await own(req.params.id, req.signedIn!.worker.id), serverNow: clock.now() }));

  app.post<Keyed<{ key: string; addMin?: number; plannedEndAt?: number }>>('/api/app/sessions/:id/extend', {
    config, schema: {
      summary: 'Extends the worker\'s session by addMin (default 60) or to plannedEndAt', description: WORKER_AUTH, tags, params: ID, body: EXTEND,
      response: { 200: SESSION_ANSWER, 409: 'The session is not running' },
    },
  }, async (req, reply) => {
    const { worker } = req.signedIn!;
    const { key, ...change } = req.body;
    const s = await own(req.params.id, worker.id);
    return once(reply, worker.id, `session_extend:${s.id}`, key, async () => answer(await sessions.extend(s.id, actor(worker.id), change)));
  });

  app.post<Keyed<{ key: string }>>('/api/app/sessions/:id/stop', {
    config, schema: {
      summary: 'Stops the worker\'s session', description: WORKER_AUTH, tags, params: ID, body: KEYED,
      response: { 200: SESSION_ANSWER, 409: 'The session is not running (already stopped, or it expired)' },
    },
  }, async (req, reply) => {
    const { worker } = req.signedIn!;
    const s = await own(req.params.id, worker.id);
    return once(reply, worker.id, `session_stop:${s.id}`, req.body.key, async () => answer(await sessions.stop(s.id, actor(worker.id))));
  });

  app.post<Keyed<{ key: string }>>('/api/app/sessions/:id/check-in', {
    config, schema: { summary: 'The worker confirms a presence prompt (check-in)', description: WORKER_AUTH, tags, params: ID, body: KEYED, response: { 200: SESSION_ANSWER } },
  }, async (req, reply) => {
    const { worker } = req.signedIn!;
    const s = await own(req.params.id, worker.id);
    return once(reply, worker.id, `session_check_in:${s.id}`, req.body.key, async () => answer(await sessions.checkIn(s.id, actor(worker.id))));
  });

  app.post<Keyed<{ key: string; note: string }>>('/api/app/sessions/:id/note', {
    config, schema: {
      summary: 'Changes the note for whoever comes ("meter cupboard, second floor")', description: WORKER_AUTH, tags, params: ID, body: NOTE,
      response: { 200: SESSION_ANSWER, 409: 'The session is not running' },
    },
  }, async (req, reply) => {
    const { worker } = req.signedIn!;
    const s = await own(req.params.id, worker.id);
    return once(reply, worker.id, `session_note:${s.id}`, req.body.key, async () => {
      const now = clock.now();
      const note = req.body.note.trim() || null;
      const updated = await store.updateWorkSession(s.id, ['active'], { note, updatedAt: now }, {
        at: now, actor: actor(worker.id), action: 'note_changed', entity: 'session', entityId: s.id, data: { note },
      });
      if (!updated) return { status: 409, body: { error: { code: 'conflict', message: `The session is ${s.state}: its note can no longer change` } } };
      live.publish({ type: 'session', session: updated, action: 'updated' });
      return { status: 200, body: { session: updated } };
    });
  });
}
