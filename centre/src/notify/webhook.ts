/**
 * Signed webhook: an HTTP POST of the notification as JSON to the contact's URL (an ARC's API, a
 * paging system, a chat bridge). The body is signed with HMAC-SHA256 under the centre's webhook secret:
 * `x-vigil-signature: t=<unix seconds>,v1=<hex hmac of "<t>.<body>">`, and carries an
 * `idempotency-key` (the notification id) so a receiver can drop the duplicate an at-least-once resend
 * may cause. A 2xx answer is `delivered`. The receiver answers either in its response
 * (`{"answer": "accepted" | "rejected"}`) or later by POSTing `{notificationId, answer}`, signed the
 * same way, to the `answerUrl` given in the body (`/api/webhooks/answer`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../common/clock';
import type { DeliveryResult, Notification, Notifier, NotifierEvent } from './types';

export const SIGNATURE_HEADER = 'x-vigil-signature';
const TOLERANCE_S = 300;
/** What is read of an answer: an `{"answer": …}` is short; a receiver streaming more is cut off. */
const MAX_ANSWER_BYTES = 64 * 1024;

export function sign(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Checks a signature header against the raw body; false for a bad, missing or stale (±5 min) signature. */
export function verify(secret: string, header: string | undefined, body: Buffer | string, nowMs: number): boolean {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowMs / 1000 - t) > TOLERANCE_S) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

export type CallbackResult = { ok: true } | { ok: false; status: 400 | 401; message: string };

export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook' as const;
  readonly delivery = 'at-least-once' as const;
  private readonly listeners = new Set<(e: NotifierEvent) => void>();
  private lastOk = true;

  constructor(private readonly opts: { secret: string; timeoutMs: number; answerUrl: string | null }, private readonly ctx: { clock: Clock }) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(n: Notification): Promise<DeliveryResult> {
    const now = this.ctx.clock.now();
    const body = JSON.stringify({
      v: 1, notificationId: n.id, alarmId: n.alarmId, alarmNumber: n.alarmNumber, subject: n.subject, text: n.text, link: n.link ?? null,
      data: n.data ?? null, answerUrl: this.opts.answerUrl, sentAt: now,
    });
    let res: Response;
    try {
      res = await fetch(n.to, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(this.opts.secret, body, now), 'idempotency-key': n.id, 'user-agent': 'vigil-centre' },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      this.lastOk = false;
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      return { status: 'failed', detail: `${(e as Error).name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : (e as Error).message}${cause ? ` (${cause})` : ''}` };
    }
    const text = await readCapped(res, MAX_ANSWER_BYTES);
    if (!res.ok) {
      this.lastOk = false;
      return { status: 'failed', detail: `HTTP ${res.status}` };
    }
    this.lastOk = true;
    const answer = parseAnswer(text);
    if (answer) this.emit({ notificationId: n.id, channel: 'webhook', from: n.to, kind: answer, at: this.ctx.clock.now(), text: 'in the webhook response' });
    return { status: 'delivered', detail: `HTTP ${res.status}` };
  }

  /** Whether the body carries a valid, fresh signature (checked before anything else is read). */
  signed(raw: Buffer | undefined, signature: string | undefined): boolean {
    return !!raw && verify(this.opts.secret, signature, raw, this.ctx.clock.now());
  }

  /** A signed answer POSTed to the callback route. */
  handleCallback(raw: Buffer | undefined, signature: string | undefined): CallbackResult {
    if (!this.signed(raw, signature)) return { ok: false, status: 401, message: 'bad or missing signature' };
    let body: unknown;
    try {
      body = JSON.parse(raw!.toString('utf8'));
    } catch {
      return { ok: false, status: 400, message: 'the body is not JSON' };
    }
    const b = body as { notificationId?: unknown; answer?: unknown; from?: unknown };
    const kind = typeof b.answer === 'string' ? parseAnswer(JSON.stringify({ answer: b.answer })) : undefined;
    if (typeof b.notificationId !== 'string' || !kind) return { ok: false, status: 400, message: 'notificationId and answer (accepted | rejected) are required' };
    this.emit({ notificationId: b.notificationId, channel: 'webhook', from: typeof b.from === 'string' ? b.from.slice(0, 100) : 'webhook', kind, at: this.ctx.clock.now(), text: 'callback' });
    return { ok: true };
  }

  onEvent(fn: (e: NotifierEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  healthy(): boolean {
    return this.lastOk;
  }

  private emit(e: NotifierEvent): void {
    for (const fn of this.listeners) fn(e);
  }
}

function parseAnswer(text: string): 'accepted' | 'rejected' | undefined {
  try {
    const a = (JSON.parse(text) as { answer?: unknown }).answer;
    return a === 'accepted' || a === 'rejected' ? a : undefined;
  } catch {
    return undefined;
  }
}

/** The start of the answer body, at most `maxBytes`; a body that breaks or times out gives what came. */
async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
      if (length >= maxBytes) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    // aborted by the timeout, or the connection broke: judge by what came
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

