/**
 * Alerts on the user's own devices (Web Push): the browsers of the logged-in user that get alerts,
 * adding one (the browser's PushSubscription, decoded at the edge: notify/push/subscription.ts),
 * removing one, and a test push to all of them. A user sees and removes only their own: another
 * user's subscription is a plain 404. Without `push` in the config every route answers 404.
 */
import { randomUUID } from 'node:crypto';
import type { PushWiring } from '../centre';
import { decodeSubscription, type PushSubscriptionRecord } from '../notify/push/subscription';
import type { ApiContext } from './api';
import { type ApiRequest, HttpError, reply, type Router } from './router';

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
    keys: { type: 'object', required: ['p256dh', 'auth'], properties: { p256dh: { type: 'string' }, auth: { type: 'string' } } },
    language: { enum: ['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb'] }, label: { type: ['string', 'null'], maxLength: 100 },
  },
};

/** A subscription as its owner sees it: no keys. */
export function shownSubscription(s: PushSubscriptionRecord): Omit<PushSubscriptionRecord, 'p256dh' | 'auth' | 'userId'> {
  return { id: s.id, endpoint: s.endpoint, language: s.language, label: s.label, createdAt: s.createdAt, lastSuccessAt: s.lastSuccessAt, failures: s.failures };
}

export function registerPushApi(router: Router, ctx: ApiContext, push: PushWiring | undefined): void {
  const { store } = ctx;
  const enabled = (): PushWiring => {
    if (!push) throw new HttpError(404, 'not_found', 'This centre sends no push alerts (no push section in its configuration)');
    return push;
  };
  const actor = (req: ApiRequest): string => `user:${req.user!.username}`;

  router.add('GET', '/api/push/subscriptions', async (req) => ({ subscriptions: (await enabled().book.listPushSubscriptions({ userId: req.user!.id })).map(shownSubscription) }), {
    auth: 'any', doc: { summary: 'Your devices that get alerts (Web Push)', tags, response: { type: 'object', properties: { subscriptions: { type: 'array', items: SUBSCRIPTION } } } },
  });

  router.add('POST', '/api/push/subscriptions', async (req) => {
    const p = enabled();
    const d = decodeSubscription(req.body, p.endpointHosts);
    if (!d.ok) throw new HttpError(400, 'invalid', d.errors.join('; '));
    const now = ctx.clock.now();
    const s = await p.book.putPushSubscription(req.user!.id, d.value, randomUUID(), now);
    await store.appendAudit({ at: now, actor: actor(req), action: 'push_subscribed', entity: 'user', entityId: req.user!.id, data: { subscription: s.id, label: s.label, host: new URL(s.endpoint).host } });
    return reply(201, shownSubscription(s));
  }, { auth: 'any', doc: { summary: 'Alerts on this browser: its push subscription, the language of the alerts, a name for the device', tags, body: BODY, status: 201, response: SUBSCRIPTION } });

  router.add('DELETE', '/api/push/subscriptions/:id', async (req) => {
    const p = enabled();
    const s = await p.book.getPushSubscription(req.params['id']!);
    if (!s || s.userId !== req.user!.id) throw new HttpError(404, 'not_found', `Unknown subscription '${req.params['id']}'`);
    await p.book.deletePushSubscription(s.id);
    await store.appendAudit({ at: ctx.clock.now(), actor: actor(req), action: 'push_unsubscribed', entity: 'user', entityId: req.user!.id, data: { subscription: s.id } });
    return undefined;
  }, { auth: 'any', doc: { summary: 'No more alerts on that device', tags, params: { id: 'Subscription id' }, errors: { 404: 'Not one of your devices' } } });

  router.add('POST', '/api/push/test', async (req) => {
    const p = enabled();
    return reply(202, { queued: await p.alerts.test(req.user!, await p.book.listPushSubscriptions({ userId: req.user!.id })) });
  }, { auth: 'any', doc: { summary: 'A test alert to each of your devices', tags, status: 202, response: { type: 'object', properties: { queued: { type: 'integer' } } } } });
}
