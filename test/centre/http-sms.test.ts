/**
 * SMS through an HTTP provider: the real HttpSmsNotifier with the Twilio preset against a local server
 * that plays Twilio's documented Messages API (helpers/twilio-standin.ts, facts and sources in
 * fixtures/twilio-messages-api.json), and a generic JSON template against a plain server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ConfigError } from '../../common/schema';
import { loadCentreConfig } from '../../centre/src/config';
import { fill, HttpSmsNotifier, twilioPreset } from '../../centre/src/notify/sms/http-sms';
import { ACCOUNT_SID, AUTH_TOKEN, TwilioStandin } from '../helpers/twilio-standin';
import { describeNotifier, notification, type NotifierPeer } from './notifier-contract';
import api from './fixtures/twilio-messages-api.json';

const PHONE = '+33612345678';
const to = (address: string): ReturnType<typeof notification> => notification({ notifier: { channel: 'sms' }, address } as NotifierPeer);
const twilio = (s: TwilioStandin, token = AUTH_TOKEN): HttpSmsNotifier =>
  new HttpSmsNotifier(twilioPreset({ accountSid: ACCOUNT_SID, authToken: token, from: '+15005550006', baseUrl: s.baseUrl, timeoutMs: 2000 }));

describeNotifier('SMS through Twilio\'s Messages API (local stand-in)', async () => {
  const s = await TwilioStandin.start();
  return {
    notifier: twilio(s), address: PHONE,
    nextReceived: () => s.next().then((m) => ({ text: m.body })),
    breakChannel: async () => {
      s.mode = 'down';
    },
    close: () => s.close(),
  };
});

describe('the Twilio stand-in plays the documented API', () => {
  let s: TwilioStandin;
  beforeEach(async () => {
    s = await TwilioStandin.start();
  });
  afterEach(() => s.close());

  const post = (form: Record<string, string>, auth = `${ACCOUNT_SID}:${AUTH_TOKEN}`): Promise<Response> => fetch(`${s.baseUrl}${api.request.path.replace('{AccountSid}', ACCOUNT_SID)}`, {
    method: api.request.method, body: new URLSearchParams(form).toString(),
    headers: { 'content-type': api.request.contentType, authorization: `Basic ${Buffer.from(auth).toString('base64')}` },
  });

  it.each(api.responses.map((r) => [r.case, r] as const))('%s', async (_c, r) => {
    if (r.case === 'rate limited') s.mode = 'rate_limited';
    const form: Record<string, string> = r.case === 'To is not a phone number' ? { To: '0612', From: '+15005550006', Body: 'x' } : r.case === 'no Body' ? { To: PHONE, From: '+15005550006' } : { To: PHONE, From: '+15005550006', Body: 'hello' };
    const res = await post(form, r.case === 'bad credentials' ? `${ACCOUNT_SID}:wrong` : undefined);
    expect(res.status).toBe(r.status);
    const body = (await res.json()) as Record<string, unknown>;
    if ('code' in r) expect(body).toMatchObject({ code: r.code, status: r.status, message: expect.any(String), more_info: expect.stringContaining(String(r.code)) });
    if ('bodyKeys' in r) {
      expect(Object.keys(body)).toEqual(expect.arrayContaining(r.bodyKeys!));
      expect(body['status']).toBe(r.statusValue);
      expect(body['sid']).toMatch(new RegExp(r.sidPattern!));
    }
  });
});

describe('HTTP SMS channel', () => {
  it('sends the whole ladder text in one request (the provider splits it) and records the provider\'s id', async () => {
    const s = await TwilioStandin.start();
    try {
      const text = 'VIGIL ALARM 1042: SOS - Chloé Dupont (+33 6 12 34 56 78) - Atelier B, 2 min ago - Reply 1 or YES to accept, 2 or NO if you can\'t (YES 1042 if you have several). - https://centre.example.org/r/x';
      const r = await twilio(s).send({ ...to(PHONE), text });
      expect(r).toEqual({ status: 'sent', detail: expect.stringMatching(/^HTTP 201 SM[0-9a-f]{32}$/) });
      expect(s.received).toEqual([{ to: PHONE, from: '+15005550006', body: text, sid: expect.any(String) }]);
    } finally {
      await s.close();
    }
  });

  it('fails with the provider\'s code and message; a refused request leaves the channel healthy, rate limiting does not', async () => {
    const s = await TwilioStandin.start();
    try {
      const n = twilio(s);
      expect(await n.send(to('0612'))).toEqual({ status: 'failed', detail: "HTTP 400 code 21211: The 'To' number 0612 is not a valid phone number." });
      expect(n.healthy()).toBe(true);
      expect(await twilio(s, 'wrong'.padEnd(32, 'x')).send(to(PHONE))).toMatchObject({ status: 'failed', detail: 'HTTP 401 code 20003: Authenticate' });
      s.mode = 'rate_limited';
      expect(await n.send(to(PHONE))).toMatchObject({ status: 'failed', detail: 'HTTP 429 code 20429: Too Many Requests' });
      expect(n.healthy()).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('fills a generic JSON template with bearer auth for other providers', async () => {
    let seen: { auth?: string; type?: string; body: string } | undefined;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { auth: req.headers.authorization, type: req.headers['content-type'], body };
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"messageId":"m-1"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
      const n = new HttpSmsNotifier({ url, auth: { bearer: 'k' }, format: 'json', body: { recipient: '{{to}}', message: '{{text}} ({{alarmNumber}})', ref: '{{id}}', x: '{{nope}}' }, idField: 'messageId', timeoutMs: 2000 });
      const msg = to(PHONE);
      expect(await n.send(msg)).toEqual({ status: 'sent', detail: 'HTTP 202 m-1' });
      expect(seen).toEqual({ auth: 'Bearer k', type: 'application/json', body: JSON.stringify({ recipient: PHONE, message: `${msg.text} (${msg.alarmNumber})`, ref: msg.id, x: '{{nope}}' }) });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('leaves unknown placeholders visible', () => {
    expect(fill('{{to}} {{bad}}', { to: '+1' })).toBe('+1 {{bad}}');
  });
});

describe('HTTP SMS configuration', () => {
  const load = (notifiers: unknown): string[] => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-smshttp-'));
    const file = join(dir, 'centre.json');
    writeFileSync(file, JSON.stringify({ dataDir: dir, mqtt: { url: 'mqtt://127.0.0.1:1883' }, http: { port: 0 }, notifiers }));
    try {
      loadCentreConfig(file);
      return [];
    } catch (e) {
      return (e as ConfigError).errors ?? [(e as Error).message];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('takes the Twilio preset, or a URL with a body template, and says what is wrong by path', () => {
    expect(load({ smsHttp: { twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006' } } })).toEqual([]);
    expect(load({ smsHttp: { url: 'https://sms.example.org/send', auth: { bearer: 'k' }, format: 'json', body: { to: '{{to}}', text: '{{text}}' } } })).toEqual([]);
    expect(load({ email: { host: 'smtp.example.org', from: 'vigil@example.org' } })).toEqual([]); // no smsHttp: none assumed
    expect(load({ sms: { port: '/dev/ttyUSB0' }, smsHttp: { twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006' } } }).join()).toContain('one SMS channel only');
    expect(load({ smsHttp: { url: 'https://sms.example.org/send' } }).join()).toContain('notifiers.smsHttp.body');
    expect(load({ smsHttp: { twilio: { accountSid: 'AC12', authToken: AUTH_TOKEN, from: '0612' } } }).join('\n')).toMatch(/accountSid[\s\S]*from|from[\s\S]*accountSid/);
  });
});
