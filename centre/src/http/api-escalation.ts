/**
 * Answers to notifications: the signed webhook callback and an operator answering a console push.
 * The responder link's page, data and buttons (`/r/<token>`) are in api-responder.ts.
 */
import { scopeOf } from '../auth-scope';
import { ConsoleNotifier } from '../notify/console';
import { SIGNATURE_HEADER, WebhookNotifier } from '../notify/webhook';
import type { ApiContext } from './api';
import { field, OPERATORS } from './api';
import { HttpError, type Router } from './router';

const ANSWER = { type: 'object', required: ['answer'], properties: { answer: { enum: ['accepted', 'rejected'] } } };

function answerKind(body: unknown): 'accepted' | 'rejected' {
  const a = field(body, 'answer');
  if (a === 'accepted' || a === 'accept') return 'accepted';
  if (a === 'rejected' || a === 'reject') return 'rejected';
  throw new HttpError(400, 'invalid', 'answer: accepted or rejected');
}

export function registerEscalationApi(router: Router, ctx: ApiContext): void {
  router.add('POST', '/api/webhooks/answer', (req) => {
    const hook = ctx.notifiers.find((n): n is WebhookNotifier => n instanceof WebhookNotifier);
    if (!hook) throw new HttpError(404, 'not_found', 'No webhook channel is configured');
    const header = req.raw.headers[SIGNATURE_HEADER];
    const r = hook.handleCallback(req.rawBody, typeof header === 'string' ? header : undefined);
    if (!r.ok) throw new HttpError(r.status, r.status === 401 ? 'bad_signature' : 'invalid', r.message);
    return undefined;
  }, { doc: { summary: 'A receiver\'s answer to a webhook notification, signed with x-vigil-signature (docs/centre.md)', tags: ['escalation'], body: { type: 'object', required: ['notificationId', 'answer'], properties: { notificationId: { type: 'string' }, answer: { enum: ['accepted', 'rejected'] } } }, errors: { 401: 'Bad or stale signature', 404: 'No webhook channel configured' } } });

  router.add('POST', '/api/notifications/:id/answer', async (req) => {
    const kind = answerKind(req.body);
    // Only a push about an alarm the user may see (a supervisor's sites and teams).
    const n = await ctx.store.getOutbox(req.params['id']!);
    const alarm = n?.alarmId ? await ctx.store.getAlarm(n.alarmId) : undefined;
    if (!n || n.channel !== 'console' || !alarm || !(await scopeOf(req, ctx.store)).covers(alarm)) throw new HttpError(404, 'not_found', 'Unknown notification');
    const push = ctx.notifiers.find((n): n is ConsoleNotifier => n instanceof ConsoleNotifier);
    push?.answer(req.params['id']!, kind, req.user!.username);
    return undefined;
  }, { auth: OPERATORS, doc: { summary: 'An operator answers a console push (accept = take the alarm)', tags: ['escalation'], params: { id: 'Notification id' }, body: ANSWER } });
}
