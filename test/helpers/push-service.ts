/**
 * A stand-in for a browser's push service (FCM, Mozilla autopush…) and the browser behind it, over
 * real HTTPS (a certificate made here by openssl). It plays both ends the centre cannot reach here:
 *
 * - the push service (RFC 8030): takes `POST /push/<id>`, answers 201 — or what a test scripts
 *   (404/410 for an expired subscription, 429, 500, no answer at all) — and checks the request's
 *   headers (TTL, Urgency, Topic, Content-Encoding) and its VAPID authorisation (RFC 8292 §2–3): an
 *   ES256 JWT whose `aud` is the push service's origin, `exp` at most 24 h ahead, `sub` a mailto: or
 *   https: contact, signed by the key in `k`, which must be the application-server key the
 *   subscription was made with;
 * - the browser (RFC 8291): holds each subscription's P-256 key pair and auth secret and decrypts
 *   the aes128gcm body (RFC 8188) with them, written here from the RFCs with node:crypto alone, so
 *   the centre's encryption (the web-push package) is checked against an independent reading.
 */
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PushSubscriptionBook } from '../../centre/src/notify/push/push-notifier';
import type { NewPushSubscription, PushSubscriptionRecord } from '../../centre/src/notify/push/subscription';

/** Subscriptions kept in memory (the seam the store implements), for tests of the notifier alone. */
export class MemoryPushBook implements PushSubscriptionBook {
  readonly subs = new Map<string, PushSubscriptionRecord>();
  add(s: TestSubscription, userId: string, opts: { language?: string; createdAt?: number; label?: string } = {}): PushSubscriptionRecord {
    const r: PushSubscriptionRecord = {
      id: s.id, userId, endpoint: s.endpoint, p256dh: s.json.keys.p256dh, auth: s.json.keys.auth, language: opts.language ?? 'en', label: opts.label ?? null,
      createdAt: opts.createdAt ?? 0, lastSuccessAt: null, failures: 0,
    };
    this.subs.set(r.id, r);
    return r;
  }
  async putPushSubscription(userId: string, s: NewPushSubscription, newId: string, at: number): Promise<PushSubscriptionRecord> {
    const old = [...this.subs.values()].find((x) => x.endpoint === s.endpoint);
    if (old && old.userId === userId) return Object.assign(old, s);
    if (old) this.subs.delete(old.id);
    const r: PushSubscriptionRecord = { id: newId, userId, ...s, createdAt: at, lastSuccessAt: null, failures: 0 };
    this.subs.set(r.id, r);
    return r;
  }
  async deleteUserPushSubscriptions(userId: string): Promise<number> {
    const mine = [...this.subs.values()].filter((s) => s.userId === userId);
    for (const s of mine) this.subs.delete(s.id);
    return mine.length;
  }
  async listPushSubscriptions(filter: { userId?: string } = {}): Promise<PushSubscriptionRecord[]> {
    return [...this.subs.values()].filter((s) => !filter.userId || s.userId === filter.userId);
  }
  async getPushSubscription(id: string): Promise<PushSubscriptionRecord | undefined> {
    return this.subs.get(id);
  }
  async deletePushSubscription(id: string): Promise<boolean> {
    return this.subs.delete(id);
  }
  async recordPushResult(id: string, ok: boolean, at: number): Promise<void> {
    const s = this.subs.get(id);
    if (s) Object.assign(s, ok ? { lastSuccessAt: at, failures: 0 } : { failures: s.failures + 1 });
  }
}

export interface TestSubscription {
  id: string;
  endpoint: string;
  /** What the browser sends the centre (PushSubscription.toJSON()). */
  json: { endpoint: string; keys: { p256dh: string; auth: string } };
  /** The browser's private side, kept here. */
  privateKey: Buffer;
  publicKey: Buffer;
  auth: Buffer;
  /** The application-server key the subscription was made with (base64url), as a browser keeps it. */
  applicationServerKey: string;
}

export interface ReceivedPush {
  subscriptionId: string;
  headers: IncomingMessage['headers'];
  /** The decrypted payload. */
  text: string;
  jwt: { header: Record<string, unknown>; claims: Record<string, unknown> };
  /** The request came with what RFC 8291/8292 ask, else what was wrong. */
  problems: string[];
}

export type Scripted = { status: number; body?: string } | 'hang' | 'reset';

/** Decrypts an aes128gcm push body for the subscriber holding `ua` (RFC 8291 §3.4, RFC 8188 §2). */
export function decryptAes128gcm(body: Buffer, ua: { privateKey: Buffer; publicKey: Buffer; auth: Buffer }): string {
  // RFC 8188 §2.1 header: salt (16) | rs (uint32) | idlen (1) | keyid (idlen) = the sender's public key (RFC 8291 §4).
  if (body.length < 21) throw new Error(`body of ${body.length} bytes is shorter than the aes128gcm header`);
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  if (idlen !== 65 || asPublic[0] !== 4) throw new Error(`keyid is not an uncompressed P-256 point (idlen ${idlen})`);
  if (rs < 18) throw new Error(`record size ${rs} below 18`);
  const records = body.subarray(21 + idlen);
  // RFC 8291 §3.3: ecdh_secret = ECDH(ua_private, as_public); IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0 ua_public as_public, 32).
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(ua.privateKey);
  const ecdhSecret = ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ua.publicKey, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, ua.auth, keyInfo, 32));
  // RFC 8188 §2.2–2.3: CEK and NONCE from the salt.
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const out: Buffer[] = [];
  for (let seq = 0, off = 0; off < records.length; seq++, off += rs) {
    const record = records.subarray(off, Math.min(off + rs, records.length));
    const last = off + rs >= records.length;
    const nonce = Buffer.from(baseNonce);
    // NONCE XOR the record sequence number as a 96-bit big-endian integer (the low 32 bits suffice here).
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // Padding: the delimiter (2 in the last record, 1 before) then zeros (RFC 8188 §2).
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (end < 0 || plain[end] !== (last ? 2 : 1)) throw new Error(`record ${seq}: padding delimiter ${plain[end]} where ${last ? 2 : 1} belongs`);
    out.push(plain.subarray(0, end));
  }
  return Buffer.concat(out).toString('utf8');
}

/** RFC 8292 §3: `Authorization: vapid t=<jwt>, k=<key>`; checks the JWT's signature with k and its claims. */
export function checkVapid(authorization: string | undefined, opts: { audience: string; applicationServerKey: string; nowS: number }): { header: Record<string, unknown>; claims: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  const m = /^vapid\s+(.*)$/i.exec(authorization ?? '');
  if (!m) return { header: {}, claims: {}, problems: [`Authorization is not the vapid scheme: ${authorization}`] };
  const params = new Map(m[1]!.split(',').map((p) => p.trim().split('=') as [string, string]).map(([k, ...v]) => [k.trim(), v.join('=').trim()]));
  const t = params.get('t') ?? '';
  const k = params.get('k') ?? '';
  if (k !== opts.applicationServerKey) problems.push('k is not the key the subscription was made with');
  const [h64, c64, s64] = t.split('.');
  if (!h64 || !c64 || !s64) return { header: {}, claims: {}, problems: [...problems, 'the token is not a JWS compact serialisation'] };
  const header = JSON.parse(Buffer.from(h64, 'base64url').toString('utf8')) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(c64, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (header['alg'] !== 'ES256') problems.push(`alg ${String(header['alg'])}, not ES256`);
  const point = Buffer.from(k, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
  // JWS ES256 signatures are r ‖ s, 64 bytes (RFC 7518 §3.4), not DER.
  if (!verify('sha256', Buffer.from(`${h64}.${c64}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s64, 'base64url'))) problems.push('the JWT signature does not verify with k');
  if (claims['aud'] !== opts.audience) problems.push(`aud ${String(claims['aud'])}, not ${opts.audience}`);
  const exp = Number(claims['exp']);
  if (!Number.isFinite(exp) || exp <= opts.nowS || exp > opts.nowS + 24 * 3600) problems.push(`exp ${String(claims['exp'])} not within the next 24 h`);
  if (typeof claims['sub'] !== 'string' || !/^(mailto:|https:)/.test(claims['sub'])) problems.push(`sub ${String(claims['sub'])} is neither mailto: nor https:`);
  return { header, claims, problems };
}

export class PushServiceStandIn {
  readonly received = new EventEmitter<{ push: [ReceivedPush] }>();
  readonly pushes: ReceivedPush[] = [];
  /** Answers scripted per subscription, taken in order; then 201. */
  private readonly script = new Map<string, Scripted[]>();
  private readonly subs = new Map<string, TestSubscription>();
  private seq = 0;

  private constructor(private readonly server: Server, readonly origin: string, readonly agent: Agent, private readonly dir: string) {}

  static async start(): Promise<PushServiceStandIn> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-push-'));
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=push.test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(certFile);
    const ref: { self?: PushServiceStandIn } = {};
    const server = createServer({ key: readFileSync(keyFile), cert }, (req, res) => ref.self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ref.self = new PushServiceStandIn(server, origin, new Agent({ ca: cert, keepAlive: false }), dir);
    return ref.self;
  }

  /** A browser subscribing with `applicationServerKey` (the centre's VAPID public key). */
  subscribe(applicationServerKey: string): TestSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const id = `sub${++this.seq}-${randomBytes(4).toString('hex')}`;
    const auth = randomBytes(16);
    const endpoint = `${this.origin}/push/${id}`;
    const s: TestSubscription = {
      id, endpoint, privateKey: ecdh.getPrivateKey(), publicKey: ecdh.getPublicKey(), auth, applicationServerKey,
      json: { endpoint, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
    };
    this.subs.set(id, s);
    return s;
  }

  /** The push service forgets a subscription: later pushes to it get `status` (410 Gone by default). */
  expire(s: TestSubscription, status = 410): void {
    this.answer(s, ...Array.from({ length: 100 }, () => ({ status })));
  }

  answer(s: TestSubscription, ...answers: Scripted[]): void {
    this.script.set(s.id, [...(this.script.get(s.id) ?? []), ...answers]);
  }

  /** The next push that reaches `subscriptionId` (or any), decrypted. */
  next(predicate: (p: ReceivedPush) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedPush> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.received.off('push', on);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for a push`));
      }, timeoutMs);
      const on = (p: ReceivedPush): void => {
        if (!predicate(p)) return;
        clearTimeout(timer);
        this.received.off('push', on);
        resolve(p);
      };
      this.received.on('push', on);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
      const sub = id ? this.subs.get(id) : undefined;
      const scripted = id ? this.script.get(id)?.shift() : undefined;
      if (scripted === 'hang') return;
      if (scripted === 'reset') return void req.socket.destroy();
      if (!sub || req.method !== 'POST') return void res.writeHead(404).end();
      const body = Buffer.concat(chunks);
      const problems: string[] = [];
      if (req.headers['content-encoding'] !== 'aes128gcm') problems.push(`Content-Encoding ${req.headers['content-encoding']}`);
      if (!/^\d+$/.test(String(req.headers['ttl']))) problems.push('TTL missing (RFC 8030 §5.2)');
      if (req.headers['urgency'] && !['very-low', 'low', 'normal', 'high'].includes(String(req.headers['urgency']))) problems.push(`Urgency ${req.headers['urgency']}`);
      if (req.headers['topic'] && !/^[A-Za-z0-9_-]{1,32}$/.test(String(req.headers['topic']))) problems.push(`Topic ${req.headers['topic']} (RFC 8030 §5.4: at most 32 base64url characters)`);
      if (body.length > 4096) problems.push(`body of ${body.length} bytes exceeds 4096`);
      const vapid = checkVapid(req.headers['authorization'], { audience: this.origin, applicationServerKey: sub.applicationServerKey, nowS: Math.floor(Date.now() / 1000) });
      problems.push(...vapid.problems);
      let text = '';
      try {
        text = decryptAes128gcm(body, sub);
      } catch (e) {
        problems.push(`not decryptable: ${(e as Error).message}`);
      }
      const push: ReceivedPush = { subscriptionId: sub.id, headers: req.headers, text, jwt: { header: vapid.header, claims: vapid.claims }, problems };
      if (scripted) {
        res.writeHead(scripted.status, { 'content-type': 'text/plain' }).end(scripted.body ?? '');
        return;
      }
      this.pushes.push(push);
      // RFC 8030 §5: 201 Created with the message's URL; 400/403 would be ours to refuse, but a stand-in that refused would hide the problems from the test.
      res.writeHead(201, { location: `${this.origin}/message/${this.pushes.length}` }).end();
      this.received.emit('push', push);
    });
  }
}
