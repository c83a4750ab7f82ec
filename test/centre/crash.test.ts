/**
 * The crash test: a real centre process (SQLite file, MQTT to a real broker, webhooks to a real HTTP
 * receiver) is killed with SIGKILL in the middle of an escalation and started again on the same data.
 * The ladder resumes at the right step (the step that fell due while it was down goes out at once), no
 * step is sent twice, and a delivery the crash interrupted is sent again with the same idempotency key
 * (at-least-once, so the receiver can drop the copy).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { MqttBus } from '../../common/mqtt-bus';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';
import { SqliteStore } from '../../centre/src/store/sqlite';
import { encodeUplink, fromHex, parseDeviceId, topic } from '../../protocol/src';
import { CentreChild } from '../helpers/centre-child';
import { waitForEvent } from '../../rig/wait';

const SITE = 'site-a';
const KEY = '3c'.repeat(16);
const DEVICE = '00a1a2a3';
const STEP_S = 3;

interface Hook {
  contact: string;
  key: string;
  at: number;
  step: unknown;
  res: ServerResponse;
}

describe('crash: kill -9 mid-escalation', () => {
  let dir: string;
  let broker: EmbeddedBroker;
  let receiver: Server;
  let hookUrl: string;
  const hooks: Hook[] = [];
  const hookEvents = new EventEmitter<{ hook: [Hook] }>();
  /** How each contact's receiver answers; `hold` keeps the request open (a delivery in flight). */
  const answers: Record<string, 'none' | 'rejected' | 'accepted' | 'hold'> = {};
  let gw: MqttBus;
  let watcher: MqttBus;
  const alarmEvents = new EventEmitter<{ alarm: [{ state: string }] }>();
  let child: CentreChild | undefined;
  let config: string;
  const log = createLogger('test', 'silent');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
    receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { role?: unknown } };
        const contact = req.url!.split('/').pop()!;
        const h: Hook = { contact, key: String(req.headers['idempotency-key']), at: Date.now(), step: body.data?.role, res };
        hooks.push(h);
        hookEvents.emit('hook', h);
        const a = answers[contact] ?? 'none';
        if (a === 'hold') return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(a === 'none' ? '{}' : JSON.stringify({ answer: a }));
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    broker = new EmbeddedBroker({
      listeners: { tcp: { host: '127.0.0.1', port: 0 } }, log,
      users: [
        { username: 'centre', passwordHash: hashPassword('centre-pw'), role: 'centre' },
        { username: 'gw-1', passwordHash: hashPassword('gw-pw'), role: 'gateway', siteId: SITE, gatewayId: 'gw-1' },
        { username: 'watcher', passwordHash: hashPassword('watch-pw'), role: 'integrator' },
      ],
    });
    await broker.start();
    const url = `mqtt://127.0.0.1:${broker.ports.tcp}`;
    gw = await MqttBus.connect({ url, clientId: 'test-gw', username: 'gw-1', password: 'gw-pw', log });
    watcher = await MqttBus.connect({ url, clientId: 'test-watcher', username: 'watcher', password: 'watch-pw', log, clean: true });
    await watcher.subscribe('vigil/v1/alarms/+', 1, (_t, p) => {
      alarmEvents.emit('alarm', JSON.parse(Buffer.from(p).toString('utf8')) as { state: string; acknowledgedAt: number | null });
    });

    const store = new SqliteStore(join(dir, 'centre.db'));
    await store.migrate();
    await store.upsertSite({ id: SITE, name: 'Site A' });
    await store.upsertWorker({ id: 'w1', name: 'Wendy', phone: null, siteId: SITE });
    await store.addDevice({ id: DEVICE, key: KEY, board: 'puckjs', workerId: 'w1', siteId: SITE, createdAt: Date.now(), lastCounter: -1, lastSeenAt: null, batteryPct: null });
    for (const c of ['ann', 'bob', 'cid', 'dan']) {
      await store.putEntity('contact', { id: c, name: c, kind: 'person', siteId: SITE, phone: null, email: null, webhookUrl: `${hookUrl}/${c}`, language: null });
    }
    await store.putEntity('ladder', { id: 'l', name: 'L', steps: ['ann', 'bob', 'cid', 'dan'].map((c) => ({ contactId: c, channel: 'webhook' as const, timeoutS: STEP_S })), fallback: null });
    await store.upsertSite({ id: SITE, name: 'Site A', ladderId: 'l' });
    await store.close();

    config = join(dir, 'centre.yaml');
    writeFileSync(config, [
      `dataDir: ${dir}`,
      `mqtt: { url: "${url}", clientId: vigil-centre, username: centre, password: centre-pw }`,
      'http: { host: 127.0.0.1, port: 0 }',
      'notifiers: { webhook: { secret: crash-test-secret-0123456789, timeoutMs: 20000 } }',
    ].join('\n'));
  }, 30_000);

  afterAll(async () => {
    await child?.stop();
    for (const h of hooks) if (!h.res.writableEnded) h.res.destroy();
    await gw?.close();
    await watcher?.close();
    await broker?.stop();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const byContact = (c: string): string[] => hooks.filter((h) => h.contact === c).map((h) => h.key);
  const nextHook = (contact: string, timeoutMs = 20_000): Promise<Hook> =>
    waitForEvent<[Hook]>(hookEvents, 'hook', (h) => h.contact === contact, timeoutMs, `a webhook to ${contact}`).then(([h]) => h);

  it('resumes the ladder at the right step after SIGKILL, sending nothing twice that must not be', async () => {
    answers['bob'] = 'hold';
    answers['cid'] = 'rejected';
    answers['dan'] = 'accepted';
    child = await CentreChild.start(config);

    const annHook = nextHook('ann');
    const frame = encodeUplink({ deviceId: parseDeviceId(DEVICE)!, counter: 1, type: 'sos', batteryPct: 90 }, fromHex(KEY)!);
    await gw.publish(topic.uplink(SITE, 'gw-1'), JSON.stringify({
      v: 1, siteId: SITE, gatewayId: 'gw-1', transport: 'ble', rssiDbm: -60, snrDb: null, receivedAt: Date.now(), frame: Buffer.from(frame).toString('hex'),
      decoded: { deviceId: DEVICE, counter: 1, type: 'sos', batteryPct: 90, position: null },
    }), { qos: 1 });
    const ann = await annHook;
    // crash 1: right after Ann's step is recorded as delivered, long before its 3 s run out
    await child.waitFor(new RegExp(`notification recorded .*"id":"${ann.key}".*"status":"delivered"`));
    await child.kill9();

    const bobHook = nextHook('bob');
    child = await CentreChild.start(config);
    const restartedAt = Date.now();
    const bob = await bobHook;
    expect(byContact('ann')).toHaveLength(1); // Ann's step is not taken again
    // Bob's step comes from the stored escalation: 3 s after Ann's, or at once if that fell due while the centre was down —
    // never 3 s after the restart, as a ladder started afresh would
    // (times are the receiver's: each request arrives a few ms after its step was taken)
    expect(bob.at - ann.at).toBeGreaterThanOrEqual(STEP_S * 1000 - 200);
    expect(bob.at).toBeLessThan(Math.max(ann.at + STEP_S * 1000, restartedAt) + 1500);

    // crash 2: while Bob's delivery is in flight (his receiver holds the request open)
    await child.kill9();
    bob.res.destroy();
    answers['bob'] = 'none';
    const bobAgain = nextHook('bob');
    const cidHook = nextHook('cid');
    const danHook = nextHook('dan');
    const acknowledged = waitForEvent<[{ state: string }]>(alarmEvents, 'alarm', (a) => a.state === 'acknowledged', 30_000, 'the alarm acknowledged by Dan');
    child = await CentreChild.start(config);
    const again = await bobAgain;
    expect(again.key).toBe(bob.key); // the same notification sent again: at-least-once, with the same idempotency key
    await cidHook; // after Bob's timeout; Cid declines in his answer...
    await danHook; // ...so Dan is called at once, and accepts
    await acknowledged;
    const store = new SqliteStore(join(dir, 'centre.db'));
    try {
      const [alarm] = await store.listAlarms({});
      const rows = await store.listOutbox({ alarmId: alarm!.id });
      expect(rows.map((r) => `${r.contactName}:${r.state}`)).toEqual(['ann:delivered', 'bob:delivered', 'cid:delivered', 'dan:delivered']);
      expect(byContact('ann')).toHaveLength(1);
      expect(new Set(byContact('bob')).size).toBe(1); // two deliveries, one notification
      expect(byContact('cid')).toHaveLength(1);
      expect(byContact('dan')).toHaveLength(1);
      expect(alarm).toMatchObject({ type: 'sos', state: 'acknowledged', acknowledgedBy: 'contact:dan' });
      // (an answer given in a webhook's response may be recorded just before or after its delivery)
      expect((await store.listAttempts(alarm!.id)).map((a) => `${a.contactName}:${a.status}`).sort()).toEqual([
        'ann:delivered', 'ann:no_answer', 'bob:delivered', 'bob:no_answer', 'cid:delivered', 'cid:rejected', 'dan:accepted', 'dan:delivered',
      ]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
