/**
 * Web Push, the server's half, for real: the PushNotifier (web-push package) POSTs over HTTPS to a
 * stand-in push service (test/helpers/push-service.ts) that checks the VAPID JWT (RFC 8292) and
 * decrypts the body with the subscription's own keys (RFC 8291, written in the test from the RFC;
 * checked first against the RFC's own example). Then what the push service's answers do: 410/404
 * remove the subscription without counting against the channel; 429, 5xx, silence fail and make the
 * channel unhealthy until a push goes through.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../../common/clock';
import type { ConfigError } from '../../common/schema';
import { type CentreConfig, resolveCentreConfig } from '../../centre/src/config';
import { createLogger } from '../../common/log';
import { PushNotifier } from '../../centre/src/notify/push/push-notifier';
import { decodeSubscription, DEFAULT_ENDPOINT_HOSTS } from '../../centre/src/notify/push/subscription';
import { generateVapidKeys, loadVapidKeys, vapidProblems, type VapidKeys } from '../../centre/src/notify/push/vapid';
import type { Notification } from '../../centre/src/notify/types';
import { decryptAes128gcm, MemoryPushBook, PushServiceStandIn } from '../helpers/push-service';
import { describeNotifier } from './notifier-contract';

const log = createLogger('test', 'error');

function rig(service: PushServiceStandIn, keys: VapidKeys = generateVapidKeys(), timeoutMs = 2000): { notifier: PushNotifier; book: MemoryPushBook; keys: VapidKeys } {
  const book = new MemoryPushBook();
  const notifier = new PushNotifier({ keys, subject: 'mailto:ops@centre.example.net', ttlS: 3600, timeoutMs }, { book, clock: new SystemClock(), log, agent: service.agent });
  return { notifier, book, keys };
}

const alarmPush = (to: string, extra: Partial<Notification> = {}): Notification => ({
  id: `push:a-1:raised:${to}`, alarmId: 'a-1', alarmNumber: '1042', channel: 'push', to, subject: 'Alarm 1042: sos', text: 'sos — Wendy Worker, North depot', link: '/#/alarm/a-1',
  data: { kind: 'raised', type: 'sos', priority: 2, duress: false, worker: 'Wendy Worker', site: 'North depot', at: 1_700_000_000_000, afterMin: null },
  ...extra,
});

describe('RFC 8291 decryption written for the tests', () => {
  it('decrypts the RFC 8291 §5 example', () => {
    // RFC 8291 §5 ("Push Message Encryption Example"): the user agent's keys, auth secret and the body it receives.
    const body = Buffer.from('DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN', 'base64url');
    const ua = {
      privateKey: Buffer.from('q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94', 'base64url'),
      publicKey: Buffer.from('BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4', 'base64url'),
      auth: Buffer.from('BTBZMqHH6r4Tts7J_aSIgg', 'base64url'),
    };
    expect(decryptAes128gcm(body, ua)).toBe('When I grow up, I want to be a watermelon');
    const tampered = Buffer.from(body);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => decryptAes128gcm(tampered, ua)).toThrow();
    expect(() => decryptAes128gcm(body, { ...ua, auth: Buffer.alloc(16) })).toThrow();
  });
});

describe('PushNotifier against a push service stand-in over HTTPS', () => {
  let service: PushServiceStandIn;
  beforeAll(async () => {
    service = await PushServiceStandIn.start();
  });
  afterAll(async () => {
    await service.close();
  });

  describeNotifier('Web Push (VAPID, aes128gcm)', async () => {
    const { notifier, book, keys } = rig(service);
    const sub = service.subscribe(keys.publicKey);
    book.add(sub, 'u-sue');
    return {
      notifier, address: sub.id,
      nextReceived: async () => ({ text: (await service.next((p) => p.subscriptionId === sub.id)).text }),
      breakChannel: async () => service.answer(sub, { status: 503 }),
      close: async () => undefined,
    };
  });

  it('sends what RFC 8030/8291/8292 ask: VAPID JWT for the push service, decryptable body, TTL, Urgency, Topic', async () => {
    const { notifier, book, keys } = rig(service);
    const sub = service.subscribe(keys.publicKey);
    book.add(sub, 'u-sue', { language: 'fr' });
    const got = service.next((p) => p.subscriptionId === sub.id);
    const r = await notifier.send(alarmPush(sub.id));
    expect(r).toEqual({ status: 'sent', detail: 'push service 201' });
    const push = await got;
    expect(push.problems).toEqual([]);
    expect(push.jwt.header).toMatchObject({ typ: 'JWT', alg: 'ES256' });
    expect(push.jwt.claims).toMatchObject({ aud: service.origin, sub: 'mailto:ops@centre.example.net' });
    expect(push.headers['urgency']).toBe('high');
    expect(push.headers['ttl']).toBe('3600');
    expect(push.headers['topic']).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(JSON.parse(push.text)).toEqual({
      v: 1, id: `push:a-1:raised:${sub.id}`, kind: 'raised', alarmId: 'a-1', number: '1042', type: 'sos', priority: 2, duress: false,
      worker: 'Wendy Worker', site: 'North depot', at: 1_700_000_000_000, afterMin: null, lang: 'fr',
      title: 'Alarm 1042: sos', body: 'sos — Wendy Worker, North depot', url: '/#/alarm/a-1',
    });
    expect(book.subs.get(sub.id)!.lastSuccessAt).not.toBeNull();
    // A resolved push is not urgent, and shares the alarm's topic (it replaces the raised one not yet fetched).
    const resolved = service.next((p) => p.subscriptionId === sub.id);
    await notifier.send(alarmPush(sub.id, { id: 'push:a-1:resolved', data: { kind: 'resolved', type: 'sos' } }));
    const second = await resolved;
    expect(second.headers['urgency']).toBe('normal');
    expect(second.headers['topic']).toBe(push.headers['topic']);
  });

  it('a subscription the push service no longer knows (410, 404) is removed, not retried, and not held against the channel', async () => {
    const { notifier, book, keys } = rig(service);
    for (const status of [410, 404]) {
      const sub = service.subscribe(keys.publicKey);
      book.add(sub, 'u-sue');
      service.expire(sub, status);
      const r = await notifier.send(alarmPush(sub.id));
      expect(r).toMatchObject({ status: 'failed', gone: true });
      expect(r.detail).toContain(String(status));
      expect(book.subs.has(sub.id)).toBe(false);
      expect(notifier.healthy()).toBe(true);
      // Sent again (an outbox row written before the removal): gone at once, no request.
      expect(await notifier.send(alarmPush(sub.id))).toMatchObject({ status: 'failed', gone: true, detail: 'the subscription was removed' });
    }
    expect(notifier.counters.get('gone')).toBe(4);
  });

  it('429, 5xx, a reset and silence fail (to be retried) and make the channel unhealthy until a push goes through', async () => {
    const { notifier, book, keys } = rig(service, undefined, 500);
    const sub = service.subscribe(keys.publicKey);
    book.add(sub, 'u-sue');
    service.answer(sub, { status: 429, body: 'slow down' }, { status: 500 }, 'reset', 'hang');
    const details: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await notifier.send(alarmPush(sub.id));
      expect(r.status).toBe('failed');
      expect(r.gone).toBeUndefined();
      details.push(r.detail!);
      expect(notifier.healthy()).toBe(false);
    }
    expect(details[0]).toContain('429: slow down');
    expect(details[1]).toContain('500');
    expect(details[3]).toMatch(/timeout/i);
    expect(book.subs.get(sub.id)!.failures).toBe(4);
    expect(await notifier.send(alarmPush(sub.id))).toMatchObject({ status: 'sent' });
    expect(notifier.healthy()).toBe(true);
    expect(book.subs.get(sub.id)!.failures).toBe(0);
  });

  it('a push signed with another key than the subscription was made with is refused by the check (as push services answer 403)', async () => {
    const { notifier, book } = rig(service);
    const sub = service.subscribe(generateVapidKeys().publicKey);
    book.add(sub, 'u-sue');
    const got = service.next((p) => p.subscriptionId === sub.id);
    await notifier.send(alarmPush(sub.id));
    expect((await got).problems).toEqual(['k is not the key the subscription was made with']);
  });
});

describe('VAPID keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-vapid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are made at first start into the data dir (0600) and read back unchanged after', () => {
    const first = loadVapidKeys({ configured: null, dataDir: dir });
    expect(first.source).toBe('generated');
    expect(vapidProblems(first.keys, 'k')).toEqual([]);
    expect(statSync(join(dir, 'vapid.json')).mode & 0o777).toBe(0o600);
    const again = loadVapidKeys({ configured: null, dataDir: dir });
    expect(again).toEqual({ keys: first.keys, source: 'file', file: join(dir, 'vapid.json') });
  });

  it('configured keys win; a damaged file stops the start with its path instead of being replaced', () => {
    const keys = generateVapidKeys();
    expect(loadVapidKeys({ configured: keys, dataDir: dir }).source).toBe('config');
    const file = join(dir, 'vapid.json');
    writeFileSync(file, '{"publicKey": "abc"');
    expect(() => loadVapidKeys({ configured: null, dataDir: dir })).toThrow(`${file}: not readable as JSON`);
    writeFileSync(file, JSON.stringify({ publicKey: keys.publicKey, privateKey: generateVapidKeys().privateKey }));
    expect(() => loadVapidKeys({ configured: null, dataDir: dir })).toThrow(`${file}.publicKey: does not belong to privateKey`);
    expect(readFileSync(file, 'utf8')).toContain(keys.publicKey);
  });

  it('problems are named by path', () => {
    expect(vapidProblems({ publicKey: 'x', privateKey: 'y' }, 'push.vapid')).toEqual([
      'push.vapid.publicKey: must be an uncompressed P-256 point (65 bytes, base64url)', 'push.vapid.privateKey: must be a 32-byte P-256 private key (base64url)',
    ]);
    const bad = Buffer.alloc(65, 1);
    bad[0] = 4;
    expect(vapidProblems({ publicKey: bad.toString('base64url'), privateKey: generateVapidKeys().privateKey }, 'push.vapid')).toEqual(['push.vapid.publicKey: is not a point on the P-256 curve']);
  });
});

describe('subscriptions are decoded at the edge', () => {
  const keys = generateVapidKeys();
  const good = { endpoint: 'https://fcm.googleapis.com/fcm/send/abc:APA91b', keys: { p256dh: keys.publicKey, auth: Buffer.alloc(16, 7).toString('base64url') } };

  it.each([
    ['a push service of a browser', good, []],
    ['Mozilla below its domain', { ...good, endpoint: 'https://updates.push.services.mozilla.com/wpush/v2/gAAA' }, []],
    ['plain http', { ...good, endpoint: 'http://fcm.googleapis.com/x' }, ['endpoint: must be https']],
    ['an address of the sender\'s choosing', { ...good, endpoint: 'https://10.0.0.5/admin' }, ['endpoint: \'10.0.0.5\' is not a push service this centre sends to (push.endpointHosts)']],
    ['a look-alike domain', { ...good, endpoint: 'https://evilfcm.googleapis.com.example/x' }, ['endpoint: \'evilfcm.googleapis.com.example\' is not a push service this centre sends to (push.endpointHosts)']],
    ['credentials in the URL', { ...good, endpoint: 'https://a:b@fcm.googleapis.com/x' }, ['endpoint: must not carry credentials']],
    ['no keys', { endpoint: good.endpoint }, ['keys.p256dh: must be base64url', 'keys.auth: must be 16 bytes (base64url)']],
    ['a key off the curve and a short secret', { ...good, keys: { p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url'), auth: 'AAAA' } }, ['keys.p256dh: is not a point on the P-256 curve', 'keys.auth: must be 16 bytes (base64url)']],
    ['an unknown language', { ...good, language: 'xx' }, ['language: must be one of en, fr, nl, de, es, sv, nb']],
    ['not an object', 'hello', ['endpoint: must be a URL of at most 2048 characters', 'keys.p256dh: must be base64url', 'keys.auth: must be 16 bytes (base64url)']],
  ])('%s', (_name, body, errors) => {
    const r = decodeSubscription(body, DEFAULT_ENDPOINT_HOSTS);
    expect(r.ok ? [] : r.errors).toEqual(errors);
  });
});

describe('push configuration', () => {
  const base = { dataDir: '/tmp/x', mqtt: { url: 'mqtt://localhost', clientId: 'c' }, http: { host: '127.0.0.1', port: 0 } };
  const errors = (push: unknown, extra: Record<string, unknown> = {}): string[] => {
    try {
      resolveCentreConfig({ ...base, ...extra, push } as unknown as CentreConfig);
      return [];
    } catch (e) {
      return (e as ConfigError).errors ?? [(e as Error).message];
    }
  };

  it('fills the defaults, and names every mistake by its path, all at once', () => {
    const c = resolveCentreConfig({ ...base, push: { subject: 'mailto:ops@example.net' } } as unknown as CentreConfig);
    expect(c.push).toEqual({ subject: 'mailto:ops@example.net', vapid: null, unacknowledgedAfterMin: 5, maxPriority: 4, ttlS: 3600, timeoutMs: 10000, endpointHosts: DEFAULT_ENDPOINT_HOSTS });
    expect(resolveCentreConfig(base as CentreConfig).push).toBeUndefined();
    expect(errors({ subject: 'ops@example.net', maxPriority: 9, endpointHosts: ['fcm googleapis'], colour: 'red' })).toEqual([
      'push.colour: is not a known setting', 'push.subject: must match pattern "^(mailto:[^@\\s]+@[^@\\s]+|https://[^\\s]+)$"', 'push.maxPriority: must be <= 5',
      'push.endpointHosts.0: must match pattern "^[A-Za-z0-9.-]+$"',
    ]);
    expect(errors({ subject: 'https://ops.example.net/contact', vapid: { publicKey: generateVapidKeys().publicKey, privateKey: generateVapidKeys().privateKey } })).toEqual(['push.vapid.publicKey: does not belong to privateKey']);
    expect(errors({ subject: 'mailto:a@b.c' }, { store: 'postgres://vigil@localhost/vigil' })).toEqual([
      'push.vapid: is required with a PostgreSQL store (every centre worker must sign pushes with the same key; `npx vigil centre push-keys` makes a pair)',
    ]);
  });
});
