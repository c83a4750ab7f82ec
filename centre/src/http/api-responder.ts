/**
 * The responder page: every contact sent an alarm gets a personal link `/r/<token>` (escalation/
 * tokens.ts). The page shows the worker's name and phone (not for duress), the alarm's type, number
 * and times, the last known position with its age (or the zone), the worker's note, who else was
 * contacted and what they answered; "I accept / I'm on my way" and "I can't" feed the escalation
 * exactly like an SMS answer.
 *
 * A wrong, expired or revoked token — the alarm was resolved or cancelled, so its details are no
 * longer shown — gets the same plain 404, for the page and for its data: nothing tells them apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWorkerRecipient } from '../escalation/duress-guard';
import type { Alarm, ResponderToken } from '../store/types';
import { helper } from '../app/views';
import type { AppRouteContext } from './api-app-common';
import { field } from './api';
import { HttpError, type Router } from './router';
import { WEB_DIR } from './server';

const ANSWER = { type: 'object', required: ['answer'], properties: { answer: { enum: ['accepted', 'rejected'] } } };
const NOT_FOUND_HTML = '<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found</p>\n';
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY',
  // The token is in the address: never send it to anyone else (map tiles, links).
  'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex',
};

const notFound = (): never => {
  throw new HttpError(404, 'not_found', 'Not found');
};

function answerKind(body: unknown): 'accepted' | 'rejected' {
  const a = field(body, 'answer');
  if (a === 'accepted' || a === 'accept') return 'accepted';
  if (a === 'rejected' || a === 'reject') return 'rejected';
  throw new HttpError(400, 'invalid', 'answer: accepted or rejected');
}

export function registerResponderApi(router: Router, ctx: AppRouteContext): void {
  const { store, clock } = ctx;

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

  router.add('GET', '/r/:token', async (req) => {
    const ok = await resolve(req.params['token']!);
    const res = req.res;
    if (!ok) {
      res.writeHead(404, { ...PAGE_HEADERS, 'cache-control': 'no-store' });
      res.end(NOT_FOUND_HTML);
      return undefined;
    }
    res.writeHead(200, PAGE_HEADERS);
    res.end(readFileSync(join(WEB_DIR, 'responder', 'index.html')));
    return undefined;
  }, { doc: { summary: 'The responder page (HTML) for a valid link; the same plain 404 for a wrong, expired or revoked one', tags: ['responder'], params: { token: 'The token of the link /r/<token>' }, produces: 'text/html', errors: { 404: 'Wrong, expired or revoked link (indistinguishable)' } } });

  router.add('GET', '/api/responder/:token', async (req) => {
    const t = (await resolve(req.params['token']!)) ?? notFound();
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
      map: ctx.config.console.tileUrl ? { tileUrl: ctx.config.console.tileUrl, attribution: ctx.config.console.tileAttribution, maxZoom: ctx.config.console.tileMaxZoom } : null,
      contacted: [...latest.values()].map((a) => ({ name: a.contactName, channel: a.channel, status: a.status, at: a.at })),
      serverNow: now,
    };
  }, { doc: { summary: 'What the responder page shows to the holder of a responder link (no worker phone for duress)', tags: ['responder'], params: { token: 'The token of the link /r/<token>' }, response: { type: 'object' }, errors: { 404: 'Wrong, expired or revoked link (indistinguishable)' } } });

  router.add('POST', '/api/responder/:token/answer', async (req) => {
    const kind = answerKind(req.body);
    const r = await ctx.escalation.answerByToken(req.params['token']!, kind);
    if (!r.ok) {
      if (r.code === 'unknown') notFound();
      throw new HttpError(409, 'closed', r.message);
    }
    return { accepted: r.accepted, alarm: { number: r.alarm.number, state: r.alarm.state, acknowledgedBy: r.alarm.acknowledgedBy, helper: await helper(store, r.alarm.acknowledgedBy) } };
  }, { doc: { summary: 'The responder accepts ("I am on my way") or cannot; the same as an SMS answer to the escalation', tags: ['responder'], params: { token: 'The token of the link' }, body: ANSWER, response: { type: 'object' }, errors: { 404: 'Wrong, expired or revoked link', 409: 'The alarm is closed' } } });
}
