/**
 * The responder page: every contact sent an alarm gets a personal link `/r/<token>` (escalation/
 * tokens.ts). The page shows the worker's name and phone (not for duress), the alarm's type, number
 * and times, the last known position with its age (or the zone), the worker's note, who else was
 * contacted and what they answered; "I accept / I'm on my way" and "I can't" feed the escalation
 * exactly like an SMS answer.
 *
 * A wrong, expired or revoked token — the alarm was resolved or cancelled, so its details are no
 * longer shown — gets the same plain 404, for the page and for its data: nothing tells them apart.
 *
 * Also the answer of a receiver to a webhook notification, signed (docs/centre.md).
 */
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helper } from '../app/views';
import { isWorkerRecipient } from '../escalation/duress-guard';
import { SIGNATURE_HEADER, WebhookNotifier } from '../notify/webhook';
import type { Alarm, ResponderToken } from '../store/types';
import type { RouteContext } from './context';
import { HttpError } from './errors';
import { params } from './openapi';
import { WEB_DIR } from './static';

const ANSWER = { type: 'object', required: ['answer'], properties: { answer: { enum: ['accepted', 'rejected', 'accept', 'reject'] } } };
const NOT_FOUND_HTML = '<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found</p>\n';
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY',
  // The token is in the address: never send it to anyone else (map tiles, links).
  'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex',
};
const TOKEN = params({ token: 'The token of the link /r/<token>' });
const LINK_GONE = 'Wrong, expired or revoked link (indistinguishable)';
const tags = ['responder'];

const notFound = (): never => {
  throw new HttpError(404, 'not_found', 'Not found');
};

export function responderRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock } = ctx;
  type Token = { Params: { token: string } };

  // Closing an alarm revokes its links: the worker's details are shown only while it is open.
  ctx.alarms.onChange(async (a: Alarm, action) => {
    if (action === 'resolved' || action === 'cancelled') await store.revokeResponderTokens(a.id, clock.now());
  });

  /** A valid link — but never, under duress, one that was sent to the worker (the page would tell whoever holds their phone). */
  const resolve = async (token: string): Promise<ResponderToken | undefined> => {
    const t = await ctx.tokens.resolve(token);
    if (!t) return undefined;
    const alarm = await store.getAlarm(t.alarmId);
    return alarm?.type === 'duress' && (await isWorkerRecipient(store, alarm, t)) ? undefined : t;
  };

  app.get<Token>('/r/:token', {
    schema: {
      summary: 'The responder page (HTML) for a valid link; the same plain 404 for a wrong, expired or revoked one', tags, params: TOKEN,
      response: { 200: { description: 'OK', content: { 'text/html': { schema: { type: 'string' } } } }, 404: LINK_GONE },
    },
  }, async (req, reply) => {
    const ok = await resolve(req.params.token);
    return reply.code(ok ? 200 : 404).headers(PAGE_HEADERS).send(ok ? readFileSync(join(WEB_DIR, 'responder', 'index.html')) : NOT_FOUND_HTML);
  });

  app.get<Token>('/api/responder/:token', {
    schema: { summary: 'What the responder page shows to the holder of a responder link (no worker phone for duress)', tags, params: TOKEN, response: { 200: { type: 'object' }, 404: LINK_GONE } },
  }, async (req) => {
    const t = (await resolve(req.params.token)) ?? notFound();
    const alarm = (await store.getAlarm(t.alarmId)) ?? notFound();
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    const session = alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : worker ? await store.findActiveWorkSession(worker.id) : undefined;
    const attempts = (await store.listAttempts(alarm.id)).filter((a) => ['sent', 'delivered', 'accepted', 'rejected', 'no_answer', 'failed'].includes(a.status));
    // One line per contact and channel: the latest of what happened.
    const latest = new Map<string, (typeof attempts)[number]>();
    for (const a of attempts) latest.set(`${a.contactName}|${a.channel}`, a);
    const mine = attempts.filter((a) => a.contactName === t.contactName && a.channel === t.channel && (a.status === 'accepted' || a.status === 'rejected')).at(-1);
    const accuracy = (await store.listAudit('alarm', alarm.id)).filter((e) => e.action === 'phone_position').at(-1)?.data?.['accuracyM'];
    const now = clock.now();
    const duress = alarm.type === 'duress';
    const tiles = ctx.config.console;
    return {
      you: { name: t.contactName, channel: t.channel, answer: mine?.status ?? null },
      alarm: {
        number: alarm.number, type: alarm.type, state: alarm.state, createdAt: alarm.createdAt, raisedAt: alarm.raisedAt, acknowledgedAt: alarm.acknowledgedAt,
        acknowledgedBy: alarm.acknowledgedBy, helper: await helper(store, alarm.acknowledgedBy), resolvedAt: alarm.resolvedAt, text: alarm.text ?? null,
      },
      worker: worker ? { name: worker.name, phone: duress ? null : (session?.phone ?? worker.phone), doNotCall: duress } : null,
      position: alarm.position ?? null,
      positionAt: alarm.positionAt,
      positionAgeS: alarm.positionAt === null ? null : Math.max(0, Math.round((now - alarm.positionAt) / 1000)),
      accuracyM: typeof accuracy === 'number' ? accuracy : null,
      place: await ctx.positions.describe(alarm.position ?? null),
      note: session?.note ?? null,
      // The console's tile server, when the centre has one (else the page draws a plain grid with a scale).
      map: tiles.tileUrl ? { tileUrl: tiles.tileUrl, attribution: tiles.tileAttribution, maxZoom: tiles.tileMaxZoom } : null,
      contacted: [...latest.values()].map((a) => ({ name: a.contactName, channel: a.channel, status: a.status, at: a.at })),
      serverNow: now,
    };
  });

  app.post<Token & { Body: { answer: string } }>('/api/responder/:token/answer', {
    schema: {
      summary: 'The responder accepts ("I am on my way") or cannot; the same as an SMS answer to the escalation', tags, params: params({ token: 'The token of the link' }), body: ANSWER,
      response: { 200: { type: 'object' }, 404: 'Wrong, expired or revoked link', 409: 'The alarm is closed' },
    },
  }, async (req) => {
    const r = await ctx.escalation.answerByToken(req.params.token, req.body.answer.startsWith('accept') ? 'accepted' : 'rejected');
    if (!r.ok) {
      if (r.code === 'unknown') notFound();
      throw new HttpError(409, 'closed', r.message);
    }
    return { accepted: r.accepted, alarm: { number: r.alarm.number, state: r.alarm.state, acknowledgedBy: r.alarm.acknowledgedBy, helper: await helper(store, r.alarm.acknowledgedBy) } };
  });

  // The signature is checked before the body is validated: a stranger learns nothing of the format.
  const webhook = (): WebhookNotifier => {
    const hook = ctx.notifiers.find((n): n is WebhookNotifier => n instanceof WebhookNotifier);
    if (!hook) throw new HttpError(404, 'not_found', 'No webhook channel is configured');
    return hook;
  };
  const signature = (req: { headers: Record<string, string | string[] | undefined> }): string | undefined => {
    const header = req.headers[SIGNATURE_HEADER];
    return typeof header === 'string' ? header : undefined;
  };
  app.post('/api/webhooks/answer', {
    preValidation: async (req) => {
      if (!webhook().signed(req.rawBody, signature(req))) throw new HttpError(401, 'bad_signature', 'bad or missing signature');
    },
    schema: {
      summary: 'A receiver\'s answer to a webhook notification, signed with x-vigil-signature (docs/centre.md)', tags: ['escalation'],
      body: {
        type: 'object', required: ['notificationId', 'answer'],
        properties: { notificationId: { type: 'string' }, answer: { enum: ['accepted', 'rejected'] }, from: { type: 'string', description: 'Who answered (up to 100 characters are kept)' } },
      },
      response: { 401: 'Bad or stale signature', 404: 'No webhook channel configured' },
    },
  }, async (req) => {
    const r = webhook().handleCallback(req.rawBody, signature(req));
    if (!r.ok) throw new HttpError(r.status, r.status === 401 ? 'bad_signature' : 'invalid', r.message);
  });
}
