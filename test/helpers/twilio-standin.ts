/**
 * A local HTTP server that plays Twilio's Messages API as documented (fixtures/twilio-messages-api
 * .json names the pages): basic auth with the Account SID and auth token, form-encoded To/From/Body,
 * 201 with a Message resource, errors as {code, message, more_info, status}. `mode` makes it rate-limit
 * or fail; `received` records what it accepted.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const AUTH_TOKEN = 'f'.repeat(32);

export class TwilioStandin {
  readonly received: { to: string; from: string; body: string; sid: string }[] = [];
  mode: 'ok' | 'rate_limited' | 'down' = 'ok';
  private readonly waiters: ((m: { to: string; body: string }) => void)[] = [];

  private constructor(private readonly server: Server, readonly baseUrl: string) {}

  static async start(): Promise<TwilioStandin> {
    const box: { self?: TwilioStandin } = {};
    const server = createServer((req, res) => void box.self!.handle(req).then(({ status, body }) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    box.self = new TwilioStandin(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return box.self;
  }

  next(): Promise<{ to: string; body: string }> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const error = (status: number, code: number, message: string): { status: number; body: unknown } => ({ status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } });
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return error(404, 20404, 'The requested resource was not found');
    const expected = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== expected || decodeURIComponent(m[1]!) !== ACCOUNT_SID) return error(401, 20003, 'Authenticate');
    if (this.mode === 'down') return error(503, 20500, 'Internal Server Error');
    if (this.mode === 'rate_limited') return error(429, 20429, 'Too Many Requests');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return error(400, 21602, 'Message body is required.');
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? form.get('MessagingServiceSid') ?? '';
    const body = form.get('Body') ?? '';
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!body) return error(400, 21602, 'Message body is required.');
    if (body.length > 1600) return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const sid = `SM${randomBytes(16).toString('hex')}`;
    this.received.push({ to, from, body, sid });
    this.waiters.splice(0).forEach((w) => w({ to, body }));
    const segments = /^[\x20-\x7e\n\r£¥èéùìòÇØøÅåÆæßÉÄÖÑÜäöñüà€]*$/.test(body) ? Math.ceil(body.length / (body.length > 160 ? 153 : 160)) : Math.ceil(body.length / (body.length > 70 ? 67 : 70));
    return {
      status: 201,
      body: { sid, account_sid: ACCOUNT_SID, to, from, body, status: 'queued', num_segments: String(segments), direction: 'outbound-api', error_code: null, error_message: null, uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json` },
    };
  }
}
