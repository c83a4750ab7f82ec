/**
 * Alerts on the user's own devices (Web Push): the browsers of the logged-in user that get alerts,
 * adding one (the browser's PushSubscription, decoded at the edge: notify/push/subscription.ts),
 * removing one, and a test push to all of them. A user sees and removes only their own: another
 * user's subscription is a plain 404. Without `push` in the config every route answers 404.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { decodeSubscription, type PushSubscriptionRecord } from '../../notify/push/subscription';
import type { PushWiring } from '../../escalation/push-alerts';
import { actorOf, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { params } from '../openapi';

const tags = ['push'];
const SUBSCRIPTION = {
  type: 'object',
  properties: {
    id: { type: 'string' }, endpoint: { type: 'string' }, language: { type: 'string' }, label: { type: ['string', 'null'] }, createdAt: { type: 'integer' },
    lastSuccessAt: { type: ['integer', 'null'] }, failures: { type: 'integer' },
  },
};
/** What the browser gives (PushSubscription.toJSON()) plus the language and a name; checked whole by decodeSubscription. */
const BODY = {
  type: 'object', required: ['endpoint', 'keys'],
  properties: {
    endpoint: { type: 'string', description: 'https URL of the browser\'s push service (one of push.endpointHosts)' },
    expirationTime: { type: ['integer', 'null'] },
    keys: { type: 'object', required: ['p256dh', 'auth'], properties: { p256dh: { type: 'string' }, auth: { type: 'string' } } },
    language: { enum: ['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb'] }, label: { type: ['string', 'null'], maxLength: 100 },
  },
};

/** A subscription as its owner sees it: no keys. */
const shown = (s: PushSubscriptionRecord): Omit<PushSubscriptionRecord, 'p256dh' | 'auth' | 'userId'> => ({
  id: s.id, endpoint: s.endpoint, language: s.language, label: s.label, createdAt: s.createdAt, lastSuccessAt: s.lastSuccessAt, failures: s.failures,
});

export function pushRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, push } = ctx;
  const enabled = (): PushWiring => {
    if (!push) throw new HttpError(404, 'not_found', 'This centre sends no push alerts (no push section in its configuration)');
    return push;
  };

  app.get('/api/push/subscriptions', {
    config: { auth: 'any' },
    schema: { summary: 'Your devices that get alerts (Web Push)', tags, response: { 200: { type: 'object', properties: { subscriptions: { type: 'array', items: SUBSCRIPTION } } } } },
  }, async (req) => {
    return { subscriptions: (await enabled().book.listPushSubscriptions({ userId: req.user!.id })).map(shown) };
  });

  app.post<{ Body: unknown }>('/api/push/subscriptions', {
    config: { auth: 'any' },
    schema: { summary: 'Alerts on this browser: its push subscription, the language of the alerts, a name for the device', tags, body: BODY, response: { 201: SUBSCRIPTION } },
  }, async (req, reply) => {
    const p = enabled();
    const d = decodeSubscription(req.body, p.endpointHosts);
    if (!d.ok) throw new HttpError(400, 'invalid', d.errors.join('; '));
    const now = ctx.clock.now();
    const s = await p.book.putPushSubscription(req.user!.id, d.value, randomUUID(), now);
    await store.appendAudit({ at: now, actor: actorOf(req), action: 'push_subscribed', entity: 'user', entityId: req.user!.id, data: { subscription: s.id, label: s.label, host: new URL(s.endpoint).host } });
    void reply.code(201);
    return shown(s);
  });

  app.delete<{ Params: { id: string } }>('/api/push/subscriptions/:id', {
    config: { auth: 'any' },
    schema: { summary: 'No more alerts on that device', tags, params: params({ id: 'Subscription id' }), response: { 404: 'Not one of your devices' } },
  }, async (req) => {
    const p = enabled();
    const s = await p.book.getPushSubscription(req.params.id);
    if (!s || s.userId !== req.user!.id) throw new HttpError(404, 'not_found', `Unknown subscription '${req.params.id}'`);
    await p.book.deletePushSubscription(s.id);
    await store.appendAudit({ at: ctx.clock.now(), actor: actorOf(req), action: 'push_unsubscribed', entity: 'user', entityId: req.user!.id, data: { subscription: s.id } });
  });

  app.post('/api/push/test', {
    config: { auth: 'any' },
    schema: { summary: 'A test alert to each of your devices', tags, response: { 202: { type: 'object', properties: { queued: { type: 'integer' } } } } },
  }, async (req, reply) => {
    const p = enabled();
    const queued = await p.alerts.test(req.user!, await p.book.listPushSubscriptions({ userId: req.user!.id }));
    void reply.code(202);
    return { queued };
  });
}
