/**
 * Alarms for operators: the list (most urgent first), one alarm with its timeline, attempts,
 * escalation and session; acknowledge, resolve, a note on the timeline, an SMS to the worker through
 * the centre's modem (refused for a duress alarm: never contact the worker); an operator's answer to
 * a console push. An alarm outside the user's sites and teams is a plain 404 (guards.ts).
 */
import type { FastifyInstance } from 'fastify';
import { RESOLUTION_REASONS } from '../../../../protocol/src';
import { scopeOf } from '../../auth/scope';
import { ConsoleNotifier } from '../../notify/console';
import type { AlarmResult } from '../../domain/alarms';
import { type Alarm, WORKER_CONTACT } from '../../store/types';
import { alarmView } from '../../domain/views';
import { actorOf, OPERATORS, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { arrayOf, listOf, params, query, ref } from '../openapi';

const ID = params({ id: 'Alarm id' });
const NOT_BLANK = { type: 'string', pattern: '\\S', description: 'text, not blank' };
const TEXT = { type: 'object', required: ['text'], properties: { text: { ...NOT_BLANK, maxLength: 1000 } } };
const ANSWER = { type: 'object', required: ['answer'], properties: { answer: { enum: ['accepted', 'rejected', 'accept', 'reject'] } } };
const ALARM_ANSWER = { type: 'object', properties: { alarm: ref('Alarm') } };

/** The answer of an alarm action: the alarm, or its refusal (404 gone, 400 invalid, 409 already done). */
function outcome(r: AlarmResult): { alarm: Alarm } {
  if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : r.code === 'invalid' ? 400 : 409, r.code, r.message);
  return { alarm: r.alarm };
}

export function alarmRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, alarms } = ctx;
  const views = async (list: Alarm[]) => {
    const workers = new Map((await store.listWorkers()).map((w) => [w.id, w]));
    const now = ctx.clock.now();
    return Promise.all(list.map(async (a) => alarmView(a, a.workerId ? workers.get(a.workerId) : undefined, await ctx.positions.describe(a.position ?? null), now)));
  };

  app.get<{ Querystring: { state: 'open' | 'all'; siteId?: string; number?: string } }>('/api/alarms', {
    config: { auth: 'any' },
    schema: {
      summary: 'Alarms (open by default), most urgent first: priority, then age', tags: ['alarms'], response: { 200: listOf('alarms', ref('AlarmView')) },
      querystring: query({
        state: { enum: ['open', 'all'], default: 'open', description: '`open` (default) or `all`' }, siteId: { type: 'string', description: 'Only this site' },
        number: { type: 'string', description: 'The alarm with this short number (a caller quotes it)' },
      }),
    },
  }, async (req) => {
    const scope = await scopeOf(req, store);
    const { state, siteId, number } = req.query;
    if (number !== undefined) {
      const a = await store.getAlarmByNumber(number);
      return { alarms: await views(a && scope.covers(a) ? [a] : []) };
    }
    const list = await store.listAlarms({ ...(state === 'all' ? {} : { states: ['pending', 'raised', 'acknowledged'] }), ...(siteId ? { siteId } : {}) });
    return { alarms: await views(list.filter((a) => scope.covers(a))) };
  });

  app.get('/api/alarms/:id', {
    config: { auth: 'any', visible: 'alarm' },
    schema: {
      summary: 'One alarm: its lifecycle timeline (audit), every notification attempt and answer, its escalation, its session', tags: ['alarms'], params: ID,
      response: {
        200: {
          type: 'object',
          properties: {
            alarm: ref('AlarmView'), timeline: arrayOf(ref('AuditEntry')), attempts: arrayOf(ref('Attempt')), escalation: { type: ['object', 'null'] },
            session: { anyOf: [ref('Session'), { type: 'null' }] },
          },
        },
      },
    },
  }, async (req) => {
    const alarm = req.found.alarm!;
    const [view] = await views([alarm]);
    const esc = await store.getEscalationByAlarm(alarm.id);
    const escalation = esc && {
      timeline: await store.listAudit('escalation', alarm.id), state: esc.state, phase: esc.phase, step: esc.step, round: esc.round, nextAt: esc.nextAt,
      steps: esc.steps.map(({ name, channel, role, timeoutS }) => ({ name, channel, role, timeoutS })), broadcast: esc.broadcast.map(({ name, channel, role }) => ({ name, channel, role })),
    };
    return {
      alarm: view, timeline: await store.listAudit('alarm', alarm.id), attempts: await store.listAttempts(alarm.id), escalation: escalation ?? null,
      session: alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : null,
    };
  });

  app.post('/api/alarms/:id/acknowledge', {
    config: { auth: OPERATORS, visible: 'alarm' },
    schema: {
      summary: 'Acknowledge: "I am handling it" (first acknowledgement wins; the pendant shows help is coming)', tags: ['alarms'], params: ID,
      response: { 200: ALARM_ANSWER, 409: 'Already acknowledged or closed' },
    },
  }, async (req) => outcome(await alarms.acknowledge(req.found.alarm!.id, actorOf(req))));

  app.post<{ Body: { reason: string; comment: string } }>('/api/alarms/:id/resolve', {
    config: { auth: OPERATORS, visible: 'alarm' },
    schema: {
      summary: 'Resolve (close) with a reason and a comment — both required', tags: ['alarms'], params: ID,
      body: { type: 'object', required: ['reason', 'comment'], properties: { reason: { enum: [...RESOLUTION_REASONS] }, comment: NOT_BLANK } },
      response: { 200: ALARM_ANSWER, 409: 'Already closed' },
    },
  }, async (req) => outcome(await alarms.resolve(req.found.alarm!.id, actorOf(req), req.body.reason, req.body.comment)));

  app.post<{ Body: { text: string } }>('/api/alarms/:id/notes', {
    config: { auth: OPERATORS, visible: 'alarm' },
    schema: { summary: 'Write a note on the alarm\'s timeline ("called the worker: no answer")', tags: ['alarms'], params: ID, body: TEXT, response: { 201: { type: 'object' } } },
  }, async (req, reply) => {
    const alarm = req.found.alarm!;
    await store.appendAudit({ at: ctx.clock.now(), actor: actorOf(req), action: 'note', entity: 'alarm', entityId: alarm.id, data: { text: req.body.text.trim() } });
    void reply.code(201);
    return { ok: true };
  });

  app.post<{ Body: { text: string } }>('/api/alarms/:id/sms', {
    config: { auth: OPERATORS, visible: 'alarm' },
    schema: {
      summary: 'Send the worker an SMS through the centre\'s modem (refused for duress)', tags: ['alarms'], params: ID, body: TEXT,
      response: { 202: { type: 'object' }, 409: 'Duress alarm, no SMS modem, or no phone number' },
    },
  }, async (req, reply) => {
    const alarm = req.found.alarm!;
    const text = req.body.text.trim();
    if (alarm.type === 'duress') throw new HttpError(409, 'duress', 'Duress alarm: never contact the worker');
    if (!ctx.outbox.channels().has('sms')) throw new HttpError(409, 'no_sms', 'No SMS modem is configured on the centre');
    const session = alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : undefined;
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    const to = session?.phone ?? worker?.phone;
    if (!to) throw new HttpError(409, 'no_phone', 'No phone number is known for this worker');
    // Not linked to the alarm in the outbox, so a reply is not taken as the worker accepting their own alarm.
    const message = { channel: 'sms' as const, to, contactName: worker?.name ?? 'worker', contactId: WORKER_CONTACT, data: { workerId: alarm.workerId }, subject: `Alarm ${alarm.number}`, text, priority: alarm.priority };
    await ctx.outbox.enqueue([ctx.outbox.message(message)]);
    await store.appendAudit({ at: ctx.clock.now(), actor: actorOf(req), action: 'sms_to_worker', entity: 'alarm', entityId: alarm.id, data: { to, text } });
    void reply.code(202);
    return { queued: true, to };
  });

  app.post<{ Params: { id: string }; Body: { answer: string } }>('/api/notifications/:id/answer', {
    config: { auth: OPERATORS },
    schema: { summary: 'An operator answers a console push (accept = take the alarm)', tags: ['escalation'], params: params({ id: 'Notification id' }), body: ANSWER },
  }, async (req) => {
    // Only a push about an alarm the user may see (a supervisor's sites and teams).
    const n = await store.getOutbox(req.params.id);
    const alarm = n?.alarmId ? await store.getAlarm(n.alarmId) : undefined;
    if (!n || n.channel !== 'console' || !alarm || !(await scopeOf(req, store)).covers(alarm)) throw new HttpError(404, 'not_found', 'Unknown notification');
    const push = ctx.notifiers.find((x): x is ConsoleNotifier => x instanceof ConsoleNotifier);
    push?.answer(req.params.id, req.body.answer.startsWith('accept') ? 'accepted' : 'rejected', req.user!.username);
  });
}
