/**
 * SMS through an HTTP provider, the second kind of SMS channel (instead of a GSM modem): one POST per
 * notification to a configured URL with configured auth (basic, bearer or a header) and a body
 * template — form-encoded or JSON — whose values may hold `{{to}}`, `{{text}}`, `{{id}}`,
 * `{{alarmNumber}}` and `{{link}}`. A 2xx answer is `sent` (the provider has it; it splits and
 * encodes the text itself); the provider's message id is read from `idField` of a JSON answer. Any
 * other status is `failed` with the provider's own error code and message when its answer has them.
 *
 * The `twilio` preset fills all of that in from Twilio's documented Messages API: POST
 * `/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP basic auth with the Account SID and auth
 * token, form fields `To`, `From`, `Body`; 201 with the Message resource (`sid`, `status`); errors as
 * `{code, message, more_info, status}` (twilio.com/docs/messaging/api/message-resource, "Create a
 * Message resource", and twilio.com/docs/usage/twilios-response, both as of 2026-03).
 * At-least-once, like the modem: a request that timed out after the provider took it may be resent
 * (Twilio has no idempotency key for Messages). Replies to the provider's number and its status
 * callbacks are not read (answers come through the responder link).
 */
import type { DeliveryResult, Notification, Notifier, NotifierEvent } from '../types';

export type HttpSmsAuth = { basic: { username: string; password: string } } | { bearer: string } | { header: string; value: string };

export interface HttpSmsConfig {
  url: string;
  auth?: HttpSmsAuth;
  format: 'form' | 'json';
  body: Record<string, string>;
  /** Field of the JSON answer with the provider's message id. */
  idField?: string;
  timeoutMs: number;
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** The sender: a Twilio number in E.164, or a Messaging Service SID (MG…). */
  from: string;
  /** Only for tests and regional edges: https://api.twilio.com by default. */
  baseUrl?: string;
  timeoutMs: number;
}

export function twilioPreset(t: TwilioConfig): HttpSmsConfig {
  const base = (t.baseUrl ?? 'https://api.twilio.com').replace(/\/$/, '');
  return {
    url: `${base}/2010-04-01/Accounts/${encodeURIComponent(t.accountSid)}/Messages.json`,
    auth: { basic: { username: t.accountSid, password: t.authToken } },
    format: 'form',
    body: { To: '{{to}}', [t.from.startsWith('MG') ? 'MessagingServiceSid' : 'From']: t.from, Body: '{{text}}' },
    idField: 'sid',
    timeoutMs: t.timeoutMs,
  };
}

/** `{{name}}` → the value; unknown names stay as they are, so a typo shows in the message instead of vanishing. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (all, name: string) => values[name] ?? all);
}

export class HttpSmsNotifier implements Notifier {
  readonly channel = 'sms' as const;
  readonly delivery = 'at-least-once' as const;
  private lastOk = true;

  constructor(private readonly config: HttpSmsConfig) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(n: Notification): Promise<DeliveryResult> {
    const values = { to: n.to, text: n.text, id: n.id, alarmNumber: n.alarmNumber, link: n.link ?? '' };
    const fields = Object.fromEntries(Object.entries(this.config.body).map(([k, v]) => [k, fill(v, values)]));
    const headers: Record<string, string> = { 'user-agent': 'vigil-centre', accept: 'application/json' };
    const auth = this.config.auth;
    if (auth && 'basic' in auth) headers['authorization'] = `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
    else if (auth && 'bearer' in auth) headers['authorization'] = `Bearer ${auth.bearer}`;
    else if (auth) headers[auth.header.toLowerCase()] = auth.value;
    headers['content-type'] = this.config.format === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    const body = this.config.format === 'form' ? new URLSearchParams(fields).toString() : JSON.stringify(fields);
    let res: Response;
    try {
      res = await fetch(this.config.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.config.timeoutMs), redirect: 'error' });
    } catch (e) {
      this.lastOk = false;
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      return { status: 'failed', detail: `${(e as Error).name === 'TimeoutError' ? `no answer within ${this.config.timeoutMs} ms` : (e as Error).message}${cause ? ` (${cause})` : ''}` };
    }
    const answer = jsonObject(await res.text().catch(() => ''));
    if (!res.ok) {
      // 4xx is the request (a wrong number, bad credentials): the provider works; 5xx and 429 say it does not right now.
      this.lastOk = res.status < 500 && res.status !== 429;
      const code = typeof answer?.['code'] === 'number' || typeof answer?.['code'] === 'string' ? answer['code'] : undefined;
      const message = answer?.['message'];
      return { status: 'failed', detail: `HTTP ${res.status}${code !== undefined ? ` code ${String(code)}` : ''}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}` };
    }
    this.lastOk = true;
    const id = this.config.idField ? answer?.[this.config.idField] : undefined;
    return { status: 'sent', detail: `HTTP ${res.status}${typeof id === 'string' ? ` ${id.slice(0, 64)}` : ''}` };
  }

  onEvent(_fn: (e: NotifierEvent) => void): () => void {
    return () => undefined;
  }

  healthy(): boolean {
    return this.lastOk;
  }
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
