/**
 * Web Push to console users' browsers and phones: one notification is one subscription (`to` is the
 * subscription's id), encrypted for that browser (RFC 8291, aes128gcm) and signed with the centre's
 * VAPID key (RFC 8292) by the `web-push` package, POSTed to the browser's push service.
 *
 * What the push service answers decides what happens next:
 * | answer                    | result                 | then                                                     |
 * |---------------------------|------------------------|----------------------------------------------------------|
 * | 201 (any 2xx)             | sent                   | the push service holds it until the phone is reachable (TTL) |
 * | 404, 410                  | failed, recipient gone | the subscription is removed; no retry; not a channel fault |
 * | 429, 5xx, no answer, reset| failed                 | retried by the outbox with back-off; counts toward `notifier_failed` |
 * | 400, 401, 403, 413        | failed                 | likewise: a request the service refuses is our fault (e.g. a changed VAPID key: 403) and must be loud |
 *
 * At-least-once: a push whose acceptance was not recorded before a crash is sent again, with the same
 * id in the payload and the same notification tag on the phone, so the phone shows it once.
 */
import { createHash } from 'node:crypto';
import type { Agent } from 'node:https';
import webpush, { WebPushError } from 'web-push';
import type { Clock } from '../../../../common/clock';
import { Counters } from '../../../../common/counters';
import type { Logger } from '../../../../common/log';
import type { DeliveryResult, Notification, Notifier, NotifierEvent } from '../types';
import { alarmUrl, encodePushMessage, type PushMessage } from './payload';
import type { PushSubscriptionBook, PushSubscriptionRecord } from './subscription';

export type { PushSubscriptionBook } from './subscription';
import type { VapidKeys } from './vapid';

export interface PushNotifierOptions {
  keys: VapidKeys;
  /** VAPID contact (`mailto:` or `https:`), sent to the push service in the JWT's `sub`. */
  subject: string;
  ttlS: number;
  timeoutMs: number;
}

/** The Topic header (RFC 8030 §5.4): a later push of the same alarm replaces one the phone has not fetched yet. */
export function topicOf(alarmId: string): string {
  return createHash('sha256').update(alarmId).digest().subarray(0, 24).toString('base64url');
}

export class PushNotifier implements Notifier {
  readonly channel = 'push' as const;
  readonly delivery = 'at-least-once' as const;
  readonly counters = new Counters();
  private readonly listeners = new Set<(e: NotifierEvent) => void>();
  private lastOk = true;

  constructor(
    private readonly opts: PushNotifierOptions,
    private readonly ctx: { book: PushSubscriptionBook; clock: Clock; log: Logger; /** Tests: trust the stand-in push service's certificate. */ agent?: Agent },
  ) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(n: Notification): Promise<DeliveryResult> {
    const { book, clock, log } = this.ctx;
    const sub = await book.getPushSubscription(n.to);
    if (!sub) {
      this.counters.inc('gone');
      return { status: 'failed', gone: true, detail: 'the subscription was removed' };
    }
    let payload: string;
    try {
      payload = encodePushMessage(this.messageOf(n, sub));
    } catch (e) {
      return { status: 'failed', detail: (e as Error).message };
    }
    const data = (n.data ?? {}) as Partial<PushMessage>;
    try {
      const r = await webpush.sendNotification({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
        vapidDetails: { subject: this.opts.subject, publicKey: this.opts.keys.publicKey, privateKey: this.opts.keys.privateKey },
        TTL: this.opts.ttlS, timeout: this.opts.timeoutMs, contentEncoding: 'aes128gcm',
        urgency: data.kind === 'resolved' ? 'normal' : 'high', topic: topicOf(n.alarmId || n.id),
        ...(this.ctx.agent ? { agent: this.ctx.agent } : {}),
      });
      this.lastOk = true;
      this.counters.inc('sent');
      await book.recordPushResult(sub.id, true, clock.now()).catch(() => undefined);
      return { status: 'sent', detail: `push service ${r.statusCode}` };
    } catch (e) {
      const status = e instanceof WebPushError ? e.statusCode : undefined;
      if (status === 404 || status === 410) {
        await book.deletePushSubscription(sub.id);
        this.counters.inc('gone');
        log.info('push subscription expired; removed', { subscription: sub.id, userId: sub.userId, status });
        return { status: 'failed', gone: true, detail: `subscription expired (push service ${status}); removed` };
      }
      this.lastOk = false;
      this.counters.inc('failed');
      await book.recordPushResult(sub.id, false, clock.now()).catch(() => undefined);
      const host = safeHost(sub.endpoint);
      const detail = status !== undefined ? `push service ${host} answered ${status}${e instanceof WebPushError && e.body ? `: ${e.body.slice(0, 120)}` : ''}` : `push service ${host}: ${(e as Error).message}`;
      return { status: 'failed', detail };
    }
  }

  onEvent(fn: (e: NotifierEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** False after a push the push service did not take (down, refusing our key); true again at the next that it takes. */
  healthy(): boolean {
    return this.lastOk;
  }

  private messageOf(n: Notification, sub: PushSubscriptionRecord): PushMessage {
    const d = (n.data ?? {}) as Partial<PushMessage>;
    return {
      ...d, v: 1, id: n.id, kind: d.kind ?? 'raised', alarmId: n.alarmId || d.alarmId || n.id, number: n.alarmNumber, type: d.type ?? 'alarm', priority: d.priority ?? 2,
      duress: d.duress ?? false, worker: d.worker ?? null, site: d.site ?? null, at: d.at ?? this.ctx.clock.now(), afterMin: d.afterMin ?? null,
      lang: sub.language, title: n.subject, body: n.text, url: n.link ?? alarmUrl(n.alarmId),
    };
  }
}

function safeHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'unknown';
  }
}
