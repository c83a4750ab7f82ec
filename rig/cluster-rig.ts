/**
 * Pieces of a scale-out test (and `make bench-scale`) that sit around the real processes: a webhook
 * receiver standing in for the contacts' systems (records every delivery with its idempotency key,
 * answers as told), a console's live stream (SSE) over real HTTP, logins, and the registry seeded into
 * PostgreSQL through the store; the site's gateway started over the broker nodes and awaited until it
 * holds the keyring, and the whole installation torn down in order.
 */
import { createServer, get as httpGet, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/log';
import { hashPassword } from '../common/passwords';
import type { Store } from '../centre/src/store/types';
import { Gateway } from '../gateway/src/gateway';
import type { RadioTransport } from '../gateway/src/transport/types';
import type { VigilChild } from './cluster';
import type { Postgres } from './postgres';
import type { Redis } from './redis';
import { until } from './wait';

export interface Hook {
  contact: string;
  key: string;
  alarmId: string;
  role: string;
  at: number;
}

/** Contacts' webhook endpoints: `<url>/<contact>`; each answers `none` (200, no answer), `accepted` or `rejected`. */
export class HookReceiver extends EventEmitter<{ hook: [Hook] }> {
  readonly hooks: Hook[] = [];
  answers: Record<string, 'none' | 'accepted' | 'rejected'> = {};
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.setMaxListeners(0);
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: { alarmId?: string; data?: { role?: string } } = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          // recorded with what there is
        }
        const contact = req.url!.split('/').pop()!;
        const h: Hook = { contact, key: String(req.headers['idempotency-key']), alarmId: body.alarmId ?? '', role: body.data?.role ?? '', at: Date.now() };
        this.hooks.push(h);
        this.emit('hook', h);
        const a = this.answers[contact] ?? 'none';
        res.writeHead(200, { 'content-type': 'application/json' }).end(a === 'none' ? '{}' : JSON.stringify({ answer: a }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Distinct notifications (idempotency keys) per alarm and contact: 1 means sent once. */
  notificationsPer(alarmId: string, contact: string): number {
    return new Set(this.hooks.filter((h) => h.alarmId === alarmId && h.contact === contact).map((h) => h.key)).size;
  }
}

export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!r.ok) throw new Error(`login at ${baseUrl}: HTTP ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

export async function streamTicket(baseUrl: string, token: string): Promise<string> {
  const r = await fetch(`${baseUrl}/api/stream/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`ticket at ${baseUrl}: HTTP ${r.status}`);
  return ((await r.json()) as { ticket: string }).ticket;
}

export interface SseAlarm {
  id: string;
  deviceId: string | null;
  state: string;
  number: string;
  incidentRef?: number | null;
}

/** A console's live stream: every `alarm` event, in order. */
export class SseConsole extends EventEmitter<{ alarm: [SseAlarm]; end: [] }> {
  readonly alarms: SseAlarm[] = [];
  private res: IncomingMessage | undefined;

  static async open(baseUrl: string, ticket: string): Promise<SseConsole> {
    const c = new SseConsole();
    c.setMaxListeners(0);
    await new Promise<void>((resolve, reject) => {
      const req = httpGet(`${baseUrl}/api/stream?ticket=${ticket}`, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream: HTTP ${res.statusCode}`));
        c.res = res;
        res.once('close', () => c.emit('end'));
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event === 'hello') resolve();
            if (event === 'alarm' && data) {
              const a = (JSON.parse(data) as { alarm: SseAlarm }).alarm;
              c.alarms.push(a);
              c.emit('alarm', a);
            }
          }
        });
      });
      req.on('error', reject);
    });
    return c;
  }

  close(): void {
    this.res?.destroy();
  }

  statesOf(alarmId: string): string[] {
    return this.alarms.filter((a) => a.id === alarmId).map((a) => a.state);
  }
}

export interface SeedOptions {
  siteId: string;
  devices: { id: string; key: string }[];
  hookUrl: string;
  /** Contacts called in order, each waiting `stepS`. */
  ladder: string[];
  stepS: number;
  users?: { username: string; password: string }[];
}

/** Site, contacts with webhooks, the ladder, workers and their pendants, console users. */
export async function seedRegistry(store: Store, o: SeedOptions): Promise<void> {
  await store.migrate();
  await store.upsertSite({ id: o.siteId, name: `Site ${o.siteId}` });
  for (const c of o.ladder) {
    await store.putEntity('contact', { id: c, name: c, kind: 'person', siteId: o.siteId, phone: null, email: null, webhookUrl: `${o.hookUrl}/${c}`, language: null });
  }
  await store.putEntity('ladder', { id: 'ladder', name: 'Ladder', steps: o.ladder.map((c) => ({ contactId: c, channel: 'webhook' as const, timeoutS: o.stepS })), fallback: null });
  await store.upsertSite({ id: o.siteId, name: `Site ${o.siteId}`, ladderId: 'ladder' });
  for (const [i, d] of o.devices.entries()) {
    await store.upsertWorker({ id: `w-${d.id}`, name: `Worker ${i + 1}`, phone: null, siteId: o.siteId });
    await store.addDevice({ id: d.id, key: d.key, board: 'puckjs', workerId: `w-${d.id}`, siteId: o.siteId, createdAt: Date.now(), lastCounter: -1, lastSeenAt: null, batteryPct: null });
  }
  for (const u of o.users ?? []) {
    await store.createUser({ id: `u-${u.username}`, username: u.username, name: u.username, role: 'operator', passwordHash: hashPassword(u.password) });
  }
}

export interface SiteGatewayOptions {
  dir: string;
  siteId: string;
  brokerUrls: string[];
  transport: RadioTransport;
  log: Logger;
  /** How many pendants' keys the centre publishes: the gateway is ready once it holds them all. */
  devices: number;
  timeoutMs: number;
}

/** The site's gateway `gw-1` over the broker nodes, resolved once its keyring holds every pendant's key. */
export async function startSiteGateway(o: SiteGatewayOptions): Promise<Gateway> {
  const gateway = new Gateway(
    { siteId: o.siteId, gatewayId: 'gw-1', dataDir: join(o.dir, 'gateway'), mqtt: { url: o.brokerUrls, username: 'gw-1', password: 'gw-pw' }, heartbeatS: 30, transports: [] },
    { transports: [o.transport], log: o.log, reconnectPeriodMs: 200 },
  );
  await gateway.start();
  await until(gateway.keyring, 'applied', () => gateway.keyring.size >= o.devices, o.timeoutMs, `the keyring of ${o.devices} devices on the gateway`);
  return gateway;
}

export interface Installation {
  dir: string;
  gateway?: Gateway | undefined;
  workers: VigilChild[];
  brokers: VigilChild[];
  hooks: HookReceiver;
  redis?: Redis | undefined;
  pg?: Postgres | undefined;
}

/** Stops everything a scale-out run started, the site first and the databases last, and removes its directory. */
export async function tearDown(i: Installation): Promise<void> {
  await i.gateway?.stop().catch(() => undefined);
  for (const w of i.workers) await w.stop();
  for (const b of i.brokers) await b.stop();
  await i.hooks.close();
  await i.redis?.destroy();
  await i.pg?.destroy();
  rmSync(i.dir, { recursive: true, force: true });
}
