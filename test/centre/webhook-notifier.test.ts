/**
 * The signed webhook: the real WebhookNotifier POSTs to a real HTTP receiver started here, which checks
 * the HMAC signature; answers come back in the response or through the signed callback, which a small
 * server here routes to the notifier exactly as the centre's /api/webhooks/answer does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemClock } from '../../common/clock';
import { SIGNATURE_HEADER, sign, verify, WebhookNotifier } from '../../centre/src/notify/webhook';
import type { NotifierEvent } from '../../centre/src/notify/types';
import { waitForValue } from '../../rig/wait';
import { EventEmitter } from 'node:events';
import { describeNotifier, notification, type NotifierPeer } from './notifier-contract';

const SECRET = 'contract-test-secret-0123456789';

interface Hook {
  body: Record<string, unknown>;
  raw: Buffer;
  headers: IncomingMessage['headers'];
  signatureOk: boolean;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse, raw: Buffer) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const close = (s: Server): Promise<void> => new Promise((resolve) => {
  s.closeAllConnections();
  s.close(() => resolve());
});

async function webhookPeer(opts: { status?: number; respond?: () => string } = {}): Promise<NotifierPeer & { hooks: EventEmitter<{ hook: [Hook] }> }> {
  const clock = new SystemClock();
  const hooks = new EventEmitter<{ hook: [Hook] }>();
  let last: Hook | undefined;
  // the centre's callback route, in miniature
  const ref: { notifier?: WebhookNotifier } = {};
  const centre = await listen((req, res, raw) => {
    const r = ref.notifier!.handleCallback(raw, req.headers[SIGNATURE_HEADER] as string | undefined);
    res.writeHead(r.ok ? 204 : r.status).end();
  });
  const receiver = await listen((req, res, raw) => {
    last = { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, raw, headers: req.headers, signatureOk: verify(SECRET, req.headers[SIGNATURE_HEADER] as string | undefined, raw, clock.now()) };
    hooks.emit('hook', last);
    res.writeHead(opts.status ?? 200, { 'content-type': 'application/json' }).end(opts.respond?.() ?? '{"received":true}');
  });
  const notifier = new WebhookNotifier({ secret: SECRET, timeoutMs: 1000, answerUrl: `${centre.url}/api/webhooks/answer` }, { clock });
  ref.notifier = notifier;
  let broken = false;
  return {
    notifier, hooks, address: `${receiver.url}/vigil`,
    nextReceived: () => waitForValue<Hook>((fn) => {
      hooks.on('hook', fn);
      return () => hooks.off('hook', fn);
    }, () => true, 10_000, 'a webhook call').then((h) => ({ text: `${String(h.body['text'])}` })),
    answer: async (kind) => {
      const body = JSON.stringify({ notificationId: last!.body['notificationId'], answer: kind, from: 'duty officer' });
      const r = await fetch(String(last!.body['answerUrl']), { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(SECRET, body, clock.now()) }, body });
      if (r.status !== 204) throw new Error(`callback refused: ${r.status}`);
    },
    breakChannel: async () => {
      broken = true;
      await close(receiver.server);
    },
    close: async () => {
      if (!broken) await close(receiver.server);
      await close(centre.server);
    },
  };
}

describeNotifier('signed webhook (fetch ↔ HTTP receiver, callback answers)', () => webhookPeer());

describe('webhook channel specifics', () => {
  it('signs the body, names it with an idempotency key, and carries the answer URL and the structured alarm', async () => {
    const p = await webhookPeer();
    try {
      const n = notification(p);
      const hook = waitForValue<Hook>((fn) => {
        p.hooks.on('hook', fn);
        return () => p.hooks.off('hook', fn);
      }, () => true);
      expect(await p.notifier.send(n)).toEqual({ status: 'delivered', detail: 'HTTP 200' });
      const h = await hook;
      expect(h.signatureOk).toBe(true);
      expect(verify('another-secret-another-secret', h.headers[SIGNATURE_HEADER] as string, h.raw, Date.now())).toBe(false);
      expect(verify(SECRET, h.headers[SIGNATURE_HEADER] as string, Buffer.concat([h.raw, Buffer.from(' ')]), Date.now())).toBe(false);
      expect(h.headers['idempotency-key']).toBe(n.id);
      expect(h.body).toMatchObject({ v: 1, notificationId: n.id, alarmNumber: n.alarmNumber, link: n.link, data: n.data, answerUrl: expect.stringMatching(/\/api\/webhooks\/answer$/) as unknown });
    } finally {
      await p.close();
    }
  });

  it('takes an answer given in the response itself', async () => {
    const p = await webhookPeer({ respond: () => '{"answer":"accepted"}' });
    try {
      const n = notification(p);
      const e = waitForValue<NotifierEvent>((fn) => p.notifier.onEvent(fn), () => true);
      await p.notifier.send(n);
      expect(await e).toMatchObject({ kind: 'accepted', notificationId: n.id });
    } finally {
      await p.close();
    }
  });

  it('fails on an error status, and refuses unsigned or badly signed callbacks', async () => {
    const p = await webhookPeer({ status: 503 });
    try {
      expect(await p.notifier.send(notification(p))).toEqual({ status: 'failed', detail: 'HTTP 503' });
      expect(p.notifier.healthy()).toBe(false);
      const hook = p.notifier as WebhookNotifier;
      const body = Buffer.from('{"notificationId":"n","answer":"accepted"}');
      expect(hook.handleCallback(body, undefined)).toMatchObject({ ok: false, status: 401 });
      expect(hook.handleCallback(body, sign('not-the-secret-not-the-secret', body.toString(), Date.now()))).toMatchObject({ ok: false, status: 401 });
      const bad = Buffer.from('{"notificationId":"n","answer":"maybe"}');
      expect(hook.handleCallback(bad, sign(SECRET, bad.toString(), Date.now()))).toMatchObject({ ok: false, status: 400 });
    } finally {
      await p.close();
    }
  });

  it('reads no more than the start of an answer that never ends (a misbehaving receiver cannot fill memory or hold the send)', async () => {
    let written = 0;
    const endless = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const more = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    });
    const notifier = new WebhookNotifier({ secret: SECRET, timeoutMs: 120_000, answerUrl: null }, { clock: new SystemClock() });
    try {
      // Without the cap this waits for the two-minute timeout and fails the test by its own.
      expect(await notifier.send({ id: 'n-endless', alarmId: 'a-1', alarmNumber: '1042', channel: 'webhook', to: `${endless.url}/hook`, subject: 's', text: 't' })).toEqual({ status: 'delivered', detail: 'HTTP 200' });
      expect(written).toBeLessThan(16 * 1024 * 1024);
    } finally {
      await close(endless.server);
    }
  });
});
