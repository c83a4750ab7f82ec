/**
 * Notification channels whose real peer misbehaves — a GSM modem answering ERROR to every SMS (the
 * scripted modem over a socat pty), an SMTP relay refusing every recipient (smtp-server), a webhook
 * answering 500 (a local HTTP server) — through the whole centre on a virtual clock: the escalation
 * moves on at once, each notification is retried with back-off (5 s, 15 s) and then set aside as
 * failed, never resent in a loop, and the channel raises one notifier_failed alarm, not one per try
 * or per alarm. And channels that hang hold up no other delivery (outbox lanes).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { EmailNotifier } from '../../centre/src/notify/email';
import { SmsNotifier } from '../../centre/src/notify/sms/sms-notifier';
import type { Channel, Notification, Notifier } from '../../centre/src/notify/types';
import { WebhookNotifier } from '../../centre/src/notify/webhook';
import { Outbox } from '../../centre/src/escalation/outbox';
import { SqliteStore } from '../../centre/src/store/sqlite';
import type { Contact } from '../../centre/src/store/types';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { RecordingNotifier } from '../helpers/centre-fake-notifier';
import { ScriptedModem } from '../helpers/centre-gsm-modem';
import { ptyPair } from '../helpers/centre-pty';
import { TestSmtpServer } from '../helpers/centre-smtp';
import { until, waitForEvent } from '../../rig/wait';

const S = 1000;
const silent = createLogger('test', 'silent');

/** A local HTTP server that answers `status`, or holds every request until released. */
class HookServer extends EventEmitter<{ request: [] }> {
  readonly held: ServerResponse[] = [];
  requests = 0;
  hold = false;
  private constructor(private readonly server: Server, readonly url: string, public status: number) {
    super();
  }

  static async start(status: number): Promise<HookServer> {
    const ref: { self?: HookServer } = {};
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        const self = ref.self!;
        self.requests++;
        if (self.hold) self.held.push(res);
        else res.writeHead(self.status, { 'content-type': 'application/json' }).end(self.status >= 400 ? '{"error":"down"}' : '{}');
        self.emit('request');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    ref.self = new HookServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, status);
    return ref.self;
  }

  release(): void {
    for (const res of this.held.splice(0)) res.writeHead(this.status).end();
  }

  close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface BrokenPeer {
  notifier: Notifier;
  /** The contact's address on this channel. */
  address: Partial<Pick<Contact, 'phone' | 'email' | 'webhookUrl'>>;
  /** Deliveries the peer saw and refused. */
  attempts(): number;
  close(): Promise<void>;
}

const peers: Record<'sms' | 'email' | 'webhook', (clock: VirtualClock) => Promise<BrokenPeer>> = {
  async sms(clock) {
    const pty = await ptyPair();
    const modem = await ScriptedModem.open(pty.b);
    modem.failSends = true; // +CMS ERROR: 500 to every AT+CMGS, forever; AT still answers OK
    // No keep-alive AT: on virtual time its 1 s timeout would pass before the modem's real answer arrives.
    const notifier = new SmsNotifier({ path: pty.a, baudRate: 115200, commandTimeoutMs: 1000, sendTimeoutMs: 1500, keepAliveMs: 86_400_000 }, { clock, log: silent });
    return {
      notifier, address: { phone: '+33600000001' }, attempts: () => modem.commands.filter((c) => c.startsWith('AT+CMGS')).length,
      close: async () => {
        await modem.close();
        await pty.close();
      },
    };
  },
  async email() {
    const smtp = await TestSmtpServer.start();
    smtp.refuse = { code: 550, text: '5.7.1 Relaying denied' };
    const notifier = new EmailNotifier({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'Vigil <alarms@vigil.example.org>', insecureTls: false }, 2000);
    return { notifier, address: { email: 'ann@example.org' }, attempts: () => smtp.refusals.length, close: () => smtp.close() };
  },
  async webhook(clock) {
    const hook = await HookServer.start(500);
    const notifier = new WebhookNotifier({ secret: 'misbehaving-test-secret-0123456789', timeoutMs: 2000, answerUrl: null }, { clock });
    return { notifier, address: { webhookUrl: hook.url }, attempts: () => hook.requests, close: () => hook.close() };
  },
};

describe.each(['sms', 'email', 'webhook'] as const)('a %s channel whose peer refuses everything', (channel) => {
  let h: Harness;
  let peer: BrokenPeer;
  /** The next step of the ladder goes by a channel that works. */
  const other: Channel = channel === 'sms' ? 'email' : 'sms';

  beforeEach(async () => {
    const clock = new VirtualClock();
    peer = await peers[channel](clock);
    h = await startHarness({
      clock, replace: [peer.notifier],
      config: { escalation: { defaultLadderId: null, callListTimeoutS: 90, broadcastRepeatS: 120, publicUrl: 'https://centre.example.org', responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 } },
    });
    const contact = (id: string, name: string, x: Partial<Contact>): Contact => ({ id, name, kind: 'person', siteId: SITE, phone: null, email: null, webhookUrl: null, language: null, ...x });
    await h.centre.store.putEntity('contact', contact('ann', 'Ann', peer.address));
    await h.centre.store.putEntity('contact', contact('bob', 'Bob', { phone: '+33600000002', email: 'bob@example.org' }));
    await h.centre.store.putEntity('ladder', { id: 'day', name: 'Day', steps: [{ contactId: 'ann', channel, timeoutS: 120 }, { contactId: 'bob', channel: other, timeoutS: 120 }], fallback: null });
    await h.centre.store.upsertSite({ id: SITE, name: 'Site A', ladderId: 'day' });
  }, 20_000);

  afterEach(async () => {
    await h.stop();
    await peer.notifier.stop();
    await peer.close();
  });

  const working = (): RecordingNotifier => (other === 'sms' ? h.sms : h.email);
  const openNotifierAlarms = async () => (await h.centre.store.listAlarms({ states: ['raised', 'acknowledged'] })).filter((a) => a.type === 'notifier_failed');

  it('moves the ladder on at once, retries with back-off, sets the notification aside, and raises one notifier_failed alarm', async () => {
    await h.frame('sos');
    const [alarm] = (await h.centre.store.listAlarms({ states: ['raised'] })).filter((a) => a.type === 'sos');
    expect(peer.attempts()).toBe(1);
    expect(working().sent.map((n) => n.to)).toEqual([other === 'sms' ? '+33600000002' : 'bob@example.org']); // Bob, without waiting 120 s for Ann
    await h.advance(5 * S - 1);
    expect(peer.attempts()).toBe(1);
    await h.advance(1);
    expect(peer.attempts()).toBe(2);
    await h.advance(15 * S);
    expect(peer.attempts()).toBe(3);
    await h.advance(600 * S);
    expect(peer.attempts()).toBe(3); // set aside: never again
    const ann = (await h.centre.store.listOutbox({ alarmId: alarm!.id })).filter((m) => m.contactName === 'Ann');
    expect(ann.map((m) => m.state)).toEqual(['failed']);
    const tries = (await h.centre.store.listAttempts(alarm!.id)).filter((a) => a.contactName === 'Ann');
    expect(tries.map((a) => [a.status, a.at - tries[0]!.at])).toEqual([['failed', 0], ['failed', 5 * S], ['failed', 20 * S]]);
    expect(tries.map((a) => a.detail!.endsWith('(will retry)'))).toEqual([true, true, false]);
    const failing = await openNotifierAlarms();
    expect(failing.map((a) => a.subject)).toEqual([`notifier:${channel}`]);
    expect(failing[0]!.text).toMatch(new RegExp(`^${channel}: 3 notifications in a row failed: `));

    // A second alarm fails on the same channel: still one technical alarm, and still three tries.
    await h.centre.alarms.resolve(alarm!.id, 'user:op', 'false_alarm', 'test');
    await h.frame('sos');
    await h.advance(600 * S);
    expect(peer.attempts()).toBe(6);
    expect((await openNotifierAlarms()).map((a) => a.subject)).toEqual([`notifier:${channel}`]);
  });
});

/** A RecordingNotifier that says when it was handed something. */
class SignallingNotifier extends RecordingNotifier {
  readonly handed = new EventEmitter<{ sent: [Notification] }>();
  override async send(n: Notification) {
    const r = await super.send(n);
    this.handed.emit('sent', n);
    return r;
  }
}

describe('channels that hang hold up no other delivery', () => {
  let clock: VirtualClock;
  let store: SqliteStore;
  let outbox: Outbox;
  let email: SignallingNotifier;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    clock = new VirtualClock();
    store = new SqliteStore(':memory:');
    await store.migrate();
    outbox = new Outbox({ store, clock, log: silent, instance: 'test', maxAttempts: 3 });
    email = new SignallingNotifier('email', () => clock.now());
    outbox.addNotifier(email);
  });
  afterEach(async () => {
    outbox.stop();
    for (const c of closers.splice(0).reverse()) await c();
  });

  const message = (channel: Channel, to: string, priority = 5) => outbox.message({ channel, to, contactName: to, subject: 's', text: 't', priority });
  const emailSent = (to: string) => until(email.handed, 'sent', () => email.sent.some((n) => n.to === to), 5000, `an e-mail to ${to}`);
  async function send(...m: ReturnType<typeof message>[]): Promise<void> {
    await outbox.enqueue(m);
    await clock.advanceAsync(0);
  }

  it('a webhook that never answers holds up neither the e-mail of another alarm nor the other webhooks', async () => {
    const stuck = await HookServer.start(500);
    const fine = await HookServer.start(200);
    closers.push(() => stuck.close(), () => fine.close());
    stuck.hold = true;
    const webhook = new WebhookNotifier({ secret: 'hang-test-secret-0123456789', timeoutMs: 20_000, answerUrl: null }, { clock });
    outbox.addNotifier(webhook);
    await outbox.start({ takeOver: true });
    const held = waitForEvent(stuck, 'request');
    await send(message('webhook', stuck.url));
    await held;
    const other = waitForEvent(fine, 'request');
    await send(message('email', 'bob@example.org', 1), message('webhook', fine.url));
    await emailSent('bob@example.org');
    await other;
    expect(stuck.held).toHaveLength(1); // still hanging while the others went
    stuck.release(); // answers 500 at last: failed, retried later
    await outbox.idle();
    expect((await store.listOutbox({ states: ['pending'] })).map((m) => m.to)).toEqual([stuck.url]);
  });

  it('rows of channels not configured here fail at once, in one lane beside the configured ones, and not again', async () => {
    await outbox.start({ takeOver: true });
    await send(message('push', 'sub-1'), message('webhook', 'https://hook.example.net/'), message('email', 'bob@example.org'));
    await emailSent('bob@example.org');
    await outbox.idle();
    const failed = await store.listOutbox({ states: ['failed'] });
    expect(failed.map((m) => [m.channel, m.attempts]).sort()).toEqual([['push', 1], ['webhook', 1]]);
    expect((await store.listOutbox({ states: ['pending', 'sending'] }))).toEqual([]);
  });

  it('a GSM modem that stops answering holds up neither the e-mail nor the console push', async () => {
    const pty = await ptyPair();
    const modem = await ScriptedModem.open(pty.b);
    closers.push(async () => {
      await modem.close();
      await pty.close();
    });
    // (no keep-alive AT within the test: it would queue behind the hanging send)
    const sms = new SmsNotifier({ path: pty.a, baudRate: 115200, commandTimeoutMs: 1000, sendTimeoutMs: 60_000, keepAliveMs: 3_600_000 }, { clock, log: silent });
    closers.push(() => sms.stop());
    const consoles = new SignallingNotifier('console', () => clock.now());
    outbox.addNotifier(sms);
    outbox.addNotifier(consoles);
    await sms.start();
    await outbox.start({ takeOver: true });
    modem.silent = true;
    const asked = waitForEvent(modem, 'command', (c: string) => c.startsWith('AT+CMGS'));
    await send(message('sms', '+33600000001'), message('sms', '+33600000002'));
    await asked;
    await send(message('email', 'bob@example.org'), message('console', 'operators'));
    await emailSent('bob@example.org');
    await until(consoles.handed, 'sent', () => consoles.sent.length === 1, 5000, 'the console push');
    // one SMS at a time goes to the modem; the second waits unclaimed instead of losing its lease in the modem's queue
    expect((await store.listOutbox({ states: ['sending'] })).map((m) => m.to)).toEqual(['+33600000001']);
    await clock.advanceAsync(60_000); // the modem's send timeout: failed, retried later
    await until(modem, 'command', () => modem.commands.filter((c) => c.startsWith('AT+CMGS')).length === 2, 5000, 'the second SMS tried');
  });
});
