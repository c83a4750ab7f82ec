/**
 * The centre's services, built here in dependency order (constructors do nothing; centre.ts starts
 * them), and the one order in which their timers are rebuilt from the store: by a centre alone at
 * start, by a cluster worker for the buckets it takes over (cluster/takeover.ts).
 */
import { mkdirSync } from 'node:fs';
import type { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import type { Clock } from '../../common/clock';
import type { MessageBus } from '../../common/bus';
import type { Logger } from '../../common/log';
import type { PendantCommand } from './cluster/cluster';
import type { ResolvedCentreConfig } from './config';
import { AlarmPublisher } from './domain/alarm-publisher';
import { AlarmService } from './domain/alarms';
import { EventWriter } from './domain/event-writer';
import { Ingest } from './domain/ingest';
import type { LiveHub } from './domain/live';
import type { Ownership } from './domain/ownership';
import { Positions } from './domain/positions';
import { Rules } from './domain/rules';
import { HeapScheduler, type Scheduler } from './domain/scheduler';
import { SessionService } from './domain/sessions';
import { Supervision } from './domain/supervision';
import { duressGuard } from './escalation/duress-guard';
import { EscalationEngine } from './escalation/engine';
import { NotifierHealth } from './escalation/health';
import { PushAlerts, type PushWiring } from './escalation/push-alerts';
import { Outbox } from './escalation/outbox';
import { ResponderTokens } from './escalation/tokens';
import { ConsoleNotifier } from './notify/console';
import { EmailNotifier } from './notify/email';
import { PushNotifier, type PushSubscriptionBook } from './notify/push/push-notifier';
import { loadVapidKeys } from './notify/push/vapid';
import { HttpSmsNotifier, twilioPreset } from './notify/sms/http-sms';
import { SmsNotifier } from './notify/sms/sms-notifier';
import type { Notifier } from './notify/types';
import { voiceNotifierFromConfig } from './notify/voice/setup';
import { WebhookNotifier } from './notify/webhook';
import { Housekeeping } from './ops/housekeeping';
import { PendantSettings } from './settings/service';
import { RegistryAdmin } from './registry/admin';
import { Registry } from './registry/registry';
import { WORKER_CONTACT } from './store/records';
import type { Store } from './store/types';
import { TelemetryCollector } from './telemetry/collector';
import { InfluxTelemetrySink } from './telemetry/influx';
import { NullTelemetrySink, type TelemetrySink } from './telemetry/types';

export interface CentreServices {
  scheduler: Scheduler;
  publisher: AlarmPublisher;
  registry: Registry;
  admin: RegistryAdmin;
  alarms: AlarmService;
  sessions: SessionService;
  supervision: Supervision;
  positions: Positions;
  outbox: Outbox;
  tokens: ResponderTokens;
  escalation: EscalationEngine;
  health: NotifierHealth;
  ingest: Ingest;
  writer: EventWriter;
  /** The console's own notifier first, then the configured (or injected) ones. */
  notifiers: Notifier[];
  telemetry: TelemetrySink;
  /** Set when `push` is configured. */
  push: PushWiring | undefined;
  /** Retention and backups (ops/). */
  housekeeping: Housekeeping;
  /** Remote pendant settings (settings/). */
  settings: PendantSettings;
}

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  config: ResolvedCentreConfig;
  live: LiveHub;
  bus: MessageBus;
  /** Names this process's claims in the outbox. */
  instance: string;
  ownership: Ownership;
  /** A cluster worker's: timers of partitions it does not own go to their owners (cluster/takeover.ts). */
  wrapScheduler?: (s: Scheduler) => Scheduler;
  /** A cluster worker's: hands a pendant command to the worker that owns the device; true when handed on. */
  routeCommand?: (c: PendantCommand) => boolean;
  /** A cluster worker's: whether it keeps house for the cluster (retention, backups); alone, always. */
  leader?: () => boolean;
  /** A cluster worker's: the workers known dead, whose outbox claims may be taken. */
  deadClaimers?: () => readonly string[];
  /** Instead of those built from config.notifiers (tests). */
  notifiers?: Notifier[];
  telemetry?: TelemetrySink;
  /** Tests: the agent that trusts a push-service stand-in's certificate. */
  pushAgent?: HttpsAgent;
}

export function buildServices(d: ServiceDeps): CentreServices {
  const { store, clock, log, config, live, bus } = d;
  const heap = new HeapScheduler({ clock, log: log.child('timers') });
  const scheduler = d.wrapScheduler ? d.wrapScheduler(heap) : heap;
  const registry = new Registry({ store, clock, log: log.child('registry'), bus });
  const admin = new RegistryAdmin({ store, clock });
  // `positions` and `ingest` are built further down: the services built before them ask them only later, at run time.
  const publisher = new AlarmPublisher({
    store, bus, clock, live, places: { describe: (p) => positions.describe(p) }, ...(d.routeCommand ? { route: d.routeCommand } : {}),
  });
  const alarms = new AlarmService({
    store, clock, log: log.child('alarms'), publisher, scheduler, preAlarmTimeoutS: config.supervision.preAlarmTimeoutS,
    lastPosition: (id) => positions.last(id),
  });
  const outbox = new Outbox({
    store, clock, log: log.child('outbox'), instance: d.instance, maxAttempts: config.escalation.maxAttempts,
    ...(d.deadClaimers ? { deadClaimers: d.deadClaimers } : {}), withhold: duressGuard(store),
  });
  const writer = new EventWriter({ store, clock, log: log.child('events') });
  const currentDevice = async (id: string) => ingest.known(id) ?? (await store.getDevice(id));
  const sessions = new SessionService({
    store, clock, log: log.child('sessions'), scheduler, alarms, publisher, live, config: config.sessions, currentDevice,
    defaultLanguage: config.escalation.defaultLanguage ?? 'en',
    notice: async (to, subject, text, workerId) => {
      if (!outbox.channels().has('sms')) return false;
      await outbox.enqueue([outbox.message({ channel: 'sms', to, contactName: 'worker', contactId: WORKER_CONTACT, data: { workerId }, subject, text, priority: 3 })]);
      return true;
    },
  });
  const positions: Positions = new Positions({ store, clock, log: log.child('positions'), sessions, alarms, live });
  const supervision = new Supervision({ store, clock, log: log.child('supervision'), scheduler, alarms, sessions, config: config.supervision, currentDevice, ingestLagMs: () => ingest.lagMs() });
  const tokens = new ResponderTokens({ store, clock, ttlH: config.escalation.responderTokenTtlH, publicUrl: config.escalation.publicUrl });
  const escalation = new EscalationEngine({ store, clock, log: log.child('escalation'), scheduler, alarms, outbox, tokens, live, config: config.escalation, places: positions });
  // One worker keeps house for a cluster (d.leader: whoever holds bucket 0).
  const housekeeping = new Housekeeping({ store, clock, log: log.child('housekeeping'), scheduler, alarms, config, leader: d.leader ?? (() => true) });
  const health = new NotifierHealth({ clock, log: log.child('notifiers'), alarms, outbox, threshold: config.escalation.notifierFailuresBeforeAlarm });
  const telemetry = d.telemetry ?? (config.telemetry?.influx ? new InfluxTelemetrySink({ ...config.telemetry.influx, retentionDays: config.retention.telemetryDays }, { clock, log: log.child('influx') }) : new NullTelemetrySink());
  const collector = new TelemetryCollector(telemetry);
  alarms.onChange(async (a, action) => {
    if (action === 'raised' || (action === 'acknowledged' && a.raisedAt === null)) collector.alarm(a);
  });
  const settings = new PendantSettings({ settings: store, store, publisher, clock, log: log.child('settings'), ownership: d.ownership, live, currentDevice });
  const rules = new Rules({ alarms, publisher, sessions, supervision, positions, telemetry: collector, settings });
  const ingest: Ingest = new Ingest({ store, clock, log: log.child('ingest'), writer, onEvent: (e, dev, m) => rules.onEvent(e, dev, m), positionAllowed: (dev, t) => positions.allowed(dev, t), ownership: d.ownership });
  const notifiers: Notifier[] = [new ConsoleNotifier({ live, clock }), ...(d.notifiers ?? configuredNotifiers(d, outbox, escalation))];
  const push = buildPush(d, scheduler, outbox, alarms);
  if (push) notifiers.push(push.notifier);
  for (const n of notifiers) {
    outbox.addNotifier(n);
    n.onEvent((e) => {
      if (e.kind !== 'accepted' && e.kind !== 'rejected') {
        // What became of a notification later on (a phone call answered, busy, not picked up).
        if (e.notificationId) void escalation.receipt({ ...e, kind: e.kind, notificationId: e.notificationId }).catch((err: unknown) => log.error('receipt not processed', { channel: e.channel, error: err as Error }));
        return;
      }
      void escalation.answer({ kind: e.kind, channel: e.channel, at: e.at, via: e.channel, ...(e.notificationId ? { notificationId: e.notificationId } : {}), from: e.from, ...(e.alarmNumber ? { alarmNumber: e.alarmNumber } : {}), ...(e.text ? { text: e.text } : {}) })
        .then((r) => (r.ok ? undefined : log.info('answer matched no open alarm', { channel: e.channel, code: r.code })))
        .catch((err: unknown) => log.error('answer not processed', { channel: e.channel, error: err as Error }));
    });
  }
  return { scheduler, publisher, registry, admin, alarms, sessions, supervision, positions, outbox, tokens, escalation, health, ingest, writer, notifiers, telemetry, push, housekeeping, settings };
}

function configuredNotifiers(d: ServiceDeps, outbox: Outbox, escalation: EscalationEngine): Notifier[] {
  const n = d.config.notifiers ?? {};
  const { clock, log } = d;
  const out: Notifier[] = [];
  if (n.sms) out.push(new SmsNotifier({ path: n.sms.port, baudRate: n.sms.baudRate, ...(n.sms.pin ? { pin: n.sms.pin } : {}) }, { clock, log: log.child('sms') }));
  if (n.smsHttp) out.push(new HttpSmsNotifier(n.smsHttp.twilio ? twilioPreset({ ...n.smsHttp.twilio, timeoutMs: n.smsHttp.timeoutMs }) : { url: n.smsHttp.url!, format: n.smsHttp.format, body: n.smsHttp.body!, timeoutMs: n.smsHttp.timeoutMs, ...(n.smsHttp.auth ? { auth: n.smsHttp.auth } : {}), ...(n.smsHttp.idField ? { idField: n.smsHttp.idField } : {}) }));
  if (n.email) out.push(new EmailNotifier(n.email));
  const pub = d.config.escalation.publicUrl;
  if (n.voice) {
    out.push(voiceNotifierFromConfig(n.voice, {
      clock, log: log.child('voice'), promptDir: n.voice.promptDir ?? join(d.config.dataDir, 'voice-prompts'),
      sms: { available: (m) => !!m.link && outbox.channels().has('sms'), send: (m) => escalation.smsFollowUp(m) },
    }));
  }
  if (n.webhook) out.push(new WebhookNotifier({ secret: n.webhook.secret, timeoutMs: n.webhook.timeoutMs, answerUrl: pub ? `${pub.replace(/\/$/, '')}/api/webhooks/answer` : null }, { clock }));
  return out;
}

function buildPush(d: ServiceDeps, scheduler: Scheduler, outbox: Outbox, alarms: AlarmService): PushWiring | undefined {
  const p = d.config.push;
  if (!p) return undefined;
  const { store, clock, log } = d;
  if (!p.vapid) mkdirSync(d.config.dataDir, { recursive: true });
  const { keys, source, file } = loadVapidKeys({ configured: p.vapid, dataDir: d.config.dataDir });
  if (source === 'generated') log.info('push: VAPID key pair made; back it up with the database', { file });
  const book: PushSubscriptionBook = store;
  const notifier = new PushNotifier({ keys, subject: p.subject, ttlS: p.ttlS, timeoutMs: p.timeoutMs }, { book, clock, log: log.child('push'), ...(d.pushAgent ? { agent: d.pushAgent } : {}) });
  const alerts = new PushAlerts({ store, book, clock, log: log.child('push'), scheduler, outbox, config: p });
  alerts.attach(alarms);
  return { notifier, alerts, book, publicKey: keys.publicKey, endpointHosts: p.endpointHosts };
}

export interface RebuildCounts {
  sessions: number;
  pendingAlarms: number;
  escalations: number;
  /** Events stored but not handled, run now. */
  events: number;
  timers: number;
}

/**
 * The one rebuild order, for the partitions `owns` accepts (absent: all): sessions first (who is
 * protected decides what a frame means), pending pre-alarms, device and gateway silence, escalation
 * steps; then the events stored but never handled, which run against those rebuilt timers.
 */
export async function rebuildPartitions(s: CentreServices, owns?: (partition: string) => boolean): Promise<RebuildCounts> {
  const sessions = await s.sessions.rebuild(owns);
  const pendingAlarms = await s.alarms.rebuildTimers(owns);
  await s.supervision.rebuild(owns);
  const escalations = await s.escalation.rebuild(owns);
  await s.push?.alerts.rebuild(owns);
  const events = await s.ingest.recover(owns);
  return { sessions, pendingAlarms, escalations, events, timers: s.scheduler.size };
}
