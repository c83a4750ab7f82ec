/**
 * Answers to notifications: the signed webhook callback, an operator answering a console push, and
 * the responder token (`/r/<token>`; the page comes with the worker app, these are its data and its
 * accept / decline buttons). A wrong, expired or revoked token is a plain 404 that reveals nothing.
 */
import { ConsoleNotifier } from '../notify/console';
import { SIGNATURE_HEADER, WebhookNotifier } from '../notify/webhook';
import type { ApiContext } from './api';
import { field, OPERATORS } from './api';
import { HttpError, type Router } from './router';

const ANSWER = { type: 'object', required: ['answer'], properties: { answer: { enum: ['accepted', 'rejected'] } } };

const NOT_FOUND = (): never => {
  throw new HttpError(404, 'not_found', 'Not found');
};

function answerKind(body: unknown): 'accepted' | 'rejected' {
  const a = field(body, 'answer');
  if (a === 'accepted' || a === 'accept') return 'accepted';
  if (a === 'rejected' || a === 'reject') return 'rejected';
  throw new HttpError(400, 'invalid', 'answer: accepted or rejected');
}

export function registerEscalationApi(router: Router, ctx: ApiContext): void {
  const { store } = ctx;

  router.add('POST', '/api/webhooks/answer', (req) => {
    const hook = ctx.notifiers.find((n): n is WebhookNotifier => n instanceof WebhookNotifier);
    if (!hook) throw new HttpError(404, 'not_found', 'No webhook channel is configured');
    const header = req.raw.headers[SIGNATURE_HEADER];
    const r = hook.handleCallback(req.rawBody, typeof header === 'string' ? header : undefined);
    if (!r.ok) throw new HttpError(r.status, r.status === 401 ? 'bad_signature' : 'invalid', r.message);
    return undefined;
  }, { doc: { summary: 'A receiver\'s answer to a webhook notification, signed with x-vigil-signature (docs/centre.md)', tags: ['escalation'], body: { type: 'object', required: ['notificationId', 'answer'], properties: { notificationId: { type: 'string' }, answer: { enum: ['accepted', 'rejected'] } } }, errors: { 401: 'Bad or stale signature', 404: 'No webhook channel configured' } } });

  router.add('POST', '/api/notifications/:id/answer', (req) => {
    const kind = answerKind(req.body);
    const push = ctx.notifiers.find((n): n is ConsoleNotifier => n instanceof ConsoleNotifier);
    push?.answer(req.params['id']!, kind, req.user!.username);
    return undefined;
  }, { auth: OPERATORS, doc: { summary: 'An operator answers a console push (accept = take the alarm)', tags: ['escalation'], params: { id: 'Notification id' }, body: ANSWER } });

  router.add('GET', '/api/responder/:token', async (req) => {
    const t = (await ctx.tokens.resolve(req.params['token']!)) ?? NOT_FOUND();
    const alarm = (await store.getAlarm(t.alarmId)) ?? NOT_FOUND();
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    const session = alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : worker ? await store.findActiveWorkSession(worker.id) : undefined;
    const attempts = (await store.listAttempts(alarm.id)).filter((a) => a.status === 'accepted' || a.status === 'rejected' || a.status === 'no_answer' || a.status === 'sent' || a.status === 'delivered');
    return {
      you: { name: t.contactName, channel: t.channel },
      alarm: { number: alarm.number, type: alarm.type, state: alarm.state, raisedAt: alarm.raisedAt, acknowledgedAt: alarm.acknowledgedAt, acknowledgedBy: alarm.acknowledgedBy, text: alarm.text ?? null },
      worker: worker ? { name: worker.name, phone: alarm.type === 'duress' ? null : worker.phone, doNotCall: alarm.type === 'duress' } : null,
      position: alarm.position ?? null,
      positionAgeS: alarm.positionAt === null ? null : Math.round((ctx.clock.now() - alarm.positionAt) / 1000),
      place: await ctx.positions.describe(alarm.position ?? null),
      note: session?.note ?? null,
      contacted: attempts.map((a) => ({ name: a.contactName, channel: a.channel, status: a.status, at: a.at })),
    };
  }, { doc: { summary: 'What the responder page shows to the holder of a responder link (no worker phone for duress)', tags: ['responder'], params: { token: 'The token of the link /r/<token>' }, response: { type: 'object' } } });

  router.add('POST', '/api/responder/:token/answer', async (req) => {
    const kind = answerKind(req.body);
    const r = await ctx.escalation.answerByToken(req.params['token']!, kind);
    if (!r.ok) {
      if (r.code === 'unknown') NOT_FOUND();
      throw new HttpError(409, 'closed', r.message);
    }
    return { accepted: r.accepted, alarm: { number: r.alarm.number, state: r.alarm.state, acknowledgedBy: r.alarm.acknowledgedBy } };
  }, { doc: { summary: 'The responder accepts ("I am going") or declines', tags: ['responder'], params: { token: 'The token of the link' }, body: ANSWER, response: { type: 'object' }, errors: { 409: 'The alarm is closed' } } });
}
