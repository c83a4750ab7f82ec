/**
 * The monitoring-centre service, built here and nowhere else: store, scheduler, alarms, sessions,
 * supervision, positions, escalation with its outbox and notifiers, telemetry, registry, MQTT and the
 * HTTP API. Constructors do nothing; start() connects and rebuilds every timer from the store; stop()
 * releases everything. With `store: postgres://…` the centre is one worker of a cluster
 * (cluster/, docs/scale.md): it runs the rules and timers of the device buckets it leases.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, every, SystemClock } from '../../common/clock';
import { processFaults } from '../../common/process-guard';
import type { MessageBus, MessageHandler } from '../../common/bus';
import { MqttBus } from '../../common/mqtt-bus';
import { createLogger, type Logger } from '../../common/log';
import { type CentreStatusPayload, topic, topicFilter } from '../../protocol/src';
import { AlarmPublisher } from './domain/alarm-publisher';
import { AlarmService } from './domain/alarms';
import { Auth } from './auth/auth';
import { type CentreConfig, resolveCentreConfig, type ResolvedCentreConfig } from './config';
import { EscalationEngine } from './escalation/engine';
import { NotifierHealth } from './escalation/health';
import { duressGuard } from './escalation/duress-guard';
import { HttpSmsNotifier, twilioPreset } from './notify/sms/http-sms';
import { Outbox } from './escalation/outbox';
import { WORKER_CONTACT } from './store/records';
import { ResponderTokens } from './escalation/tokens';
import type { ApiContext } from './http/context';
import { type HttpServer, startHttp } from './http/server';
import { EventWriter } from './domain/event-writer';
import { Ingest } from './domain/ingest';
import { type LiveHub, MemoryLiveHub } from './domain/live';
import { ConsoleNotifier } from './notify/console';
import { EmailNotifier } from './notify/email';
import { SmsNotifier } from './notify/sms/sms-notifier';
import type { Notifier } from './notify/types';
import { WebhookNotifier } from './notify/webhook';
import { voiceNotifierFromConfig } from './notify/voice/setup';
import { Positions } from './domain/positions';
import { Registry } from './registry/registry';
import { RegistryAdmin } from './registry/admin';
import { Rules } from './domain/rules';
import { HeapScheduler, type Scheduler } from './domain/scheduler';
import { SessionService } from './domain/sessions';
import { SqliteStore } from './store/sqlite';
import { PostgresStore } from './store/postgres';
import { Cluster } from './cluster/cluster';
import { type Ownership, SOLE_OWNER } from './domain/ownership';
import { connectStatusShards, type ShardSubscriptions } from './cluster/shards';
import { ClusterRole } from './cluster/takeover';
import type { Store } from './store/types';
import { Supervision } from './domain/supervision';
import { TelemetryCollector } from './telemetry/collector';
import { InfluxTelemetrySink } from './telemetry/influx';
import { NullTelemetrySink, type TelemetrySink } from './telemetry/types';

export interface CentreDeps {
  clock?: Clock;
  log?: Logger;
  store?: Store;
  live?: LiveHub;
  /** A message bus instead of connecting to config.mqtt (tests with an in-memory bus). */
  bus?: MessageBus;
  /** Notifiers instead of those built from config.notifiers (the console one is always added). */
  notifiers?: Notifier[];
  telemetry?: TelemetrySink;
  /** False: serve no HTTP (benchmarks). */
  http?: boolean;
}

/** `postgres://…?schema=x`: the schema is ours to apply (search_path), not the driver's. */
function postgresTarget(url: string): { url: string; schema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return { url: u.toString(), ...(schema ? { schema } : {}) };
}

const DAY = 86_400_000;

export class Centre {
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: Store;
  readonly live: LiveHub;
  readonly auth: Auth;
  readonly config: ResolvedCentreConfig;
  /** Names this process's claims in the outbox. */
  readonly instance = `centre-${process.pid}-${randomBytes(4).toString('hex')}`;
  bus!: MessageBus;
  scheduler!: Scheduler;
  publisher!: AlarmPublisher;
  registry!: Registry;
  admin!: RegistryAdmin;
  alarms!: AlarmService;
  sessions!: SessionService;
  supervision!: Supervision;
  positions!: Positions;
  outbox!: Outbox;
  tokens!: ResponderTokens;
  escalation!: EscalationEngine;
  health!: NotifierHealth;
  ingest!: Ingest;
  writer!: EventWriter;
  readonly notifiers: Notifier[] = [];
  /** Set when this centre is one worker of a cluster (PostgreSQL store). */
  readonly cluster: Cluster | undefined;
  private readonly role: ClusterRole | undefined;
  private telemetry: TelemetrySink | undefined;
  private statusBus: { close(): Promise<void> } | undefined;
  private shards: ShardSubscriptions | undefined;
  private http: HttpServer | undefined;
  private readonly stoppers: (() => void)[] = [];

  constructor(config: CentreConfig, private readonly deps: CentreDeps = {}) {
    this.config = resolveCentreConfig(config);
    this.clock = deps.clock ?? new SystemClock();
    this.log = deps.log ?? createLogger('centre');
    const pg = this.config.store ? postgresTarget(this.config.store) : undefined;
    if (deps.store) {
      this.store = deps.store;
    } else if (pg) {
      this.store = new PostgresStore({ ...pg, name: this.instance });
    } else {
      mkdirSync(this.config.dataDir, { recursive: true });
      this.store = new SqliteStore(join(this.config.dataDir, 'centre.db'));
    }
    if (pg && this.store instanceof PostgresStore) {
      this.cluster = new Cluster({
        store: this.store, ...pg, nodeId: this.instance, clientId: this.config.mqtt.clientId, httpUrl: null, channels: () => [...this.outbox.channels()],
        config: this.config.cluster, clock: this.clock, log: this.log.child('cluster'),
      });
      this.role = new ClusterRole(this, this.cluster, this.log.child('cluster'));
    }
    this.live = deps.live ?? this.cluster?.live ?? new MemoryLiveHub();
    this.auth = new Auth({ store: this.store, clock: this.clock });
  }

  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  async start(): Promise<void> {
    const { store, clock, log, config, cluster, role } = this;
    await store.migrate();
    await cluster?.connect();
    this.bus = this.deps.bus ?? (await this.connect());
    if (cluster) this.shards = await this.connectShards();
    this.build();
    await this.startNotifiers();
    await this.rebuild();
    if (cluster && role) {
      // Leases before the outbox: only workers known dead lose their claims.
      await cluster.join(role.handlers());
      await cluster.settled();
      this.stoppers.push(role.startSweep(clock));
    }
    await this.outbox.start({ takeOver: !cluster });
    this.health.start();

    const bus = this.bus;
    const owned = (of: (t: string) => string | undefined, h: MessageHandler): MessageHandler => (role ? role.owned(of, h) : h);
    await bus.subscribe(topicFilter('uplink'), 1, (t, p) => this.ingest.handle(t, p));
    // Status frames: alone, every shard on the persistent session (a restart gets the backlog); in a cluster, the owned shards (cluster/shards.ts).
    if (!this.shards) await bus.subscribe(topicFilter('statusUplink'), 1, (t, p) => this.ingest.handle(t, p));
    await bus.subscribe(topicFilter('gatewayStatus'), 1, owned(ClusterRole.gatewayOf, (t, p) => this.supervision.onGatewayStatus(t, p)));
    // A wired panic button: every worker raises it (one open alarm per subject is a store constraint), none waits for an owner.
    await bus.subscribe(topicFilter('input'), 1, (t, p) => this.supervision.onInput(t, p));
    await bus.subscribe(topicFilter('integrationStatus'), 1, owned(ClusterRole.integrationOf, (t, p) => this.supervision.onIntegrationStatus(t, p)));
    const online: CentreStatusPayload = { v: 1, online: true, at: clock.now(), instance: this.instance };
    await bus.publish(topic.centreStatus(), JSON.stringify(online), { qos: 1, retain: true });
    await this.registry.publishAllKeyrings();
    this.stoppers.push(this.registry.watch(config.registryPollS * 1000, async () => {
      this.ingest.forget();
      await this.positions.refresh();
    }));
    const owns = (p: string): boolean => this.ownership.owns(p);
    this.stoppers.push(every(clock, 60_000, () => void this.escalation.reconcile(owns).catch((e: unknown) => log.error('reconcile failed', { error: e as Error }))));
    // One worker purges for the cluster: whoever holds bucket 0.
    this.stoppers.push(every(clock, 3600_000, () => void (!cluster || cluster.ownsBucket(0) ? this.purge() : undefined)));

    if (this.deps.http !== false) {
      this.http = await startHttp(this.apiContext(), config.http.host, config.http.port, log.child('http'));
    }
    log.info('centre started', {
      http: this.http ? `http://${config.http.host}:${this.http.port}` : 'off', mqtt: config.mqtt.url, instance: this.instance, timers: this.scheduler.size,
      ...(cluster ? { cluster: { buckets: cluster.leases.ownedBuckets().length, of: cluster.leases.buckets, workers: cluster.leases.liveNodes().length } } : {}),
    });
  }

  /** Who runs which device's rules: the cluster's leases, or this process alone. */
  get ownership(): Ownership {
    return this.cluster ?? SOLE_OWNER;
  }

  /** The status shards follow the buckets this worker owns (after every lease move). */
  async followBuckets(): Promise<void> {
    const leases = this.cluster?.leases;
    if (leases && this.shards) await this.shards.update(leases.ownedBuckets(), leases.buckets);
  }

  async stop(): Promise<void> {
    await this.http?.close();
    this.http = undefined;
    await this.statusBus?.close();
    this.statusBus = undefined;
    this.stoppers.splice(0).forEach((s) => s());
    this.health?.stop();
    this.outbox?.stop();
    this.scheduler?.stop();
    // Let work under way finish before the store closes (no new timers or deliveries start).
    await this.scheduler?.idle();
    await this.outbox?.idle();
    await this.writer?.flush();
    // Leases handed back once our work is done: the other workers take over at once.
    const others = (this.cluster?.leases.liveNodes().filter((n) => n.id !== this.instance).length ?? 0) > 0;
    await this.cluster?.stop().catch((e: unknown) => this.log.warn('cluster not left cleanly', { error: e as Error }));
    for (const n of this.notifiers) await n.stop().catch(() => undefined);
    await this.telemetry?.close().catch(() => undefined);
    if (this.bus && !this.deps.bus) {
      try {
        const offline: CentreStatusPayload = { v: 1, online: false, at: this.clock.now(), instance: this.instance };
        if (this.bus.connected && !others) await this.bus.publish(topic.centreStatus(), JSON.stringify(offline), { qos: 1, retain: true });
      } catch {
        // the last will covers it
      }
      await this.bus.close();
    }
    await this.store.close();
  }

  /** Runs the retention purge (hourly by itself); `now` lets a test look from the future. */
  async purge(now = this.clock.now()): Promise<void> {
    const r = this.config.retention;
    try {
      const n = await this.store.purge({ positionsBefore: now - r.positionsDays * DAY, eventsBefore: now - r.eventsDays * DAY, attemptsBefore: now - r.attemptsDays * DAY });
      if (n.positions + n.events + n.attempts > 0) this.log.info('retention purge', n);
    } catch (e) {
      this.log.error('retention purge failed', { error: e as Error });
    }
  }

  private async connectShards(): Promise<ShardSubscriptions | undefined> {
    const r = await connectStatusShards({ injected: this.deps.bus, mqtt: this.config.mqtt, log: this.log, handler: (t, p) => this.ingest.handle(t, p) });
    this.statusBus = r?.bus;
    return r?.subscriptions;
  }

  private async connect(): Promise<MessageBus> {
    const offline: CentreStatusPayload = { v: 1, online: false, at: this.clock.now(), instance: this.instance };
    const m = this.config.mqtt;
    return MqttBus.connect({
      url: m.url, clientId: m.clientId, ...(m.username ? { username: m.username } : {}), ...(m.password ? { password: m.password } : {}),
      will: { topic: topic.centreStatus(), payload: JSON.stringify(offline), qos: 1, retain: true }, log: this.log.child('mqtt'),
    });
  }

  private build(): void {
    const { store, clock, log, config, live, bus } = this;
    const heap = new HeapScheduler({ clock, log: log.child('timers') });
    this.scheduler = this.role ? this.role.wrap(heap) : heap;
    const scheduler = this.scheduler;
    const cluster = this.cluster;
    this.registry = new Registry({ store, clock, log: log.child('registry'), bus });
    this.admin = new RegistryAdmin({ store, clock });
    this.publisher = new AlarmPublisher({
      store, bus, clock, live, places: { describe: (p) => this.positions.describe(p) },
      ...(cluster ? { route: (c) => (cluster.owns(c.deviceId) ? false : (cluster.command(c), true)) } : {}),
    });
    this.alarms = new AlarmService({
      store, clock, log: log.child('alarms'), publisher: this.publisher, scheduler, preAlarmTimeoutS: config.supervision.preAlarmTimeoutS,
      lastPosition: (id) => this.positions.last(id),
    });
    this.outbox = new Outbox({
      store, clock, log: log.child('outbox'), instance: this.instance, maxAttempts: config.escalation.maxAttempts,
      ...(cluster ? { deadClaimers: () => cluster.deadNodeIds() } : {}), withhold: duressGuard(store),
    });
    this.writer = new EventWriter({ store, clock, log: log.child('events') });
    const currentDevice = async (id: string) => this.ingest.known(id) ?? (await store.getDevice(id));
    this.sessions = new SessionService({
      store, clock, log: log.child('sessions'), scheduler, alarms: this.alarms, publisher: this.publisher, live, config: config.sessions, currentDevice,
      defaultLanguage: config.escalation.defaultLanguage ?? 'en',
      notice: async (to, subject, text, workerId) => {
        if (!this.outbox.channels().has('sms')) return false;
        await this.outbox.enqueue([this.outbox.message({ channel: 'sms', to, contactName: 'worker', contactId: WORKER_CONTACT, data: { workerId }, subject, text, priority: 3 })]);
        return true;
      },
    });
    const positions = new Positions({ store, clock, log: log.child('positions'), sessions: this.sessions, alarms: this.alarms });
    this.positions = positions;
    this.supervision = new Supervision({ store, clock, log: log.child('supervision'), scheduler, alarms: this.alarms, sessions: this.sessions, config: config.supervision, currentDevice, ingestLagMs: () => this.ingest.lagMs() });
    this.tokens = new ResponderTokens({ store, clock, ttlH: config.escalation.responderTokenTtlH, publicUrl: config.escalation.publicUrl });
    this.escalation = new EscalationEngine({ store, clock, log: log.child('escalation'), scheduler, alarms: this.alarms, outbox: this.outbox, tokens: this.tokens, live, config: config.escalation, places: positions });
    this.health = new NotifierHealth({ clock, log: log.child('notifiers'), alarms: this.alarms, outbox: this.outbox, threshold: config.escalation.notifierFailuresBeforeAlarm });
    this.telemetry = this.deps.telemetry ?? (config.telemetry?.influx ? new InfluxTelemetrySink({ ...config.telemetry.influx, retentionDays: config.retention.telemetryDays }, { clock, log: log.child('influx') }) : new NullTelemetrySink());
    const collector = new TelemetryCollector(this.telemetry);
    this.alarms.onChange(async (a, action) => {
      if (action === 'raised' || (action === 'acknowledged' && a.raisedAt === null)) collector.alarm(a);
    });
    const rules = new Rules({ alarms: this.alarms, publisher: this.publisher, sessions: this.sessions, supervision: this.supervision, positions, telemetry: collector });
    this.ingest = new Ingest({ store, clock, log: log.child('ingest'), writer: this.writer, onEvent: (e, d, m) => rules.onEvent(e, d, m), positionAllowed: (d, t) => positions.allowed(d, t), ownership: this.ownership });
    this.notifiers.push(new ConsoleNotifier({ live, clock }), ...(this.deps.notifiers ?? this.configuredNotifiers()));
    for (const n of this.notifiers) {
      this.outbox.addNotifier(n);
      n.onEvent((e) => {
        if (e.kind !== 'accepted' && e.kind !== 'rejected') {
          // What became of a notification later on (a phone call answered, busy, not picked up).
          if (e.notificationId) void this.escalation.receipt({ ...e, kind: e.kind, notificationId: e.notificationId }).catch((err: unknown) => log.error('receipt not processed', { channel: e.channel, error: err as Error }));
          return;
        }
        void this.escalation.answer({ kind: e.kind, channel: e.channel, at: e.at, via: e.channel, ...(e.notificationId ? { notificationId: e.notificationId } : {}), from: e.from, ...(e.alarmNumber ? { alarmNumber: e.alarmNumber } : {}), ...(e.text ? { text: e.text } : {}) })
          .then((r) => (r.ok ? undefined : log.info('answer matched no open alarm', { channel: e.channel, code: r.code })))
          .catch((err: unknown) => log.error('answer not processed', { channel: e.channel, error: err as Error }));
      });
    }
  }

  private apiContext(): ApiContext {
    return {
      store: this.store, auth: this.auth, alarms: this.alarms, live: this.live, log: this.log, clock: this.clock, sessions: this.sessions,
      admin: this.admin, registry: this.registry, escalation: this.escalation, tokens: this.tokens, positions: this.positions, notifiers: this.notifiers,
      config: this.config, outbox: this.outbox, supervision: this.supervision, ownership: this.ownership,
      devicesChanged: (id) => {
        this.ingest.forget(id);
        this.cluster?.forget(id);
      },
      health: () => ({
        mqtt: this.bus.connected, ingest: this.ingest.counters.snapshot(), ingestLagMs: this.ingest.lagMs(), events: this.writer.counters.snapshot(), outbox: this.outbox.counters.snapshot(),
        timers: this.scheduler.size, notifiers: Object.fromEntries(this.notifiers.map((n) => [n.channel, n.healthy()])), faults: processFaults.snapshot(),
      }),
    };
  }

  private configuredNotifiers(): Notifier[] {
    const n = this.config.notifiers ?? {};
    const { clock, log } = this;
    const out: Notifier[] = [];
    if (n.sms) out.push(new SmsNotifier({ path: n.sms.port, baudRate: n.sms.baudRate, ...(n.sms.pin ? { pin: n.sms.pin } : {}) }, { clock, log: log.child('sms') }));
    if (n.smsHttp) out.push(new HttpSmsNotifier(n.smsHttp.twilio ? twilioPreset({ ...n.smsHttp.twilio, timeoutMs: n.smsHttp.timeoutMs }) : { url: n.smsHttp.url!, format: n.smsHttp.format, body: n.smsHttp.body!, timeoutMs: n.smsHttp.timeoutMs, ...(n.smsHttp.auth ? { auth: n.smsHttp.auth } : {}), ...(n.smsHttp.idField ? { idField: n.smsHttp.idField } : {}) }));
    if (n.email) out.push(new EmailNotifier(n.email));
    const pub = this.config.escalation.publicUrl;
    if (n.voice) {
      out.push(voiceNotifierFromConfig(n.voice, {
        clock, log: log.child('voice'), promptDir: n.voice.promptDir ?? join(this.config.dataDir, 'voice-prompts'),
        sms: { available: (m) => !!m.link && this.outbox.channels().has('sms'), send: (m) => this.escalation.smsFollowUp(m) },
      }));
    }
    if (n.webhook) out.push(new WebhookNotifier({ secret: n.webhook.secret, timeoutMs: n.webhook.timeoutMs, answerUrl: pub ? `${pub.replace(/\/$/, '')}/api/webhooks/answer` : null }, { clock }));
    return out;
  }

  private async startNotifiers(): Promise<void> {
    if (this.telemetry instanceof InfluxTelemetrySink) await this.telemetry.start();
    for (const n of this.notifiers) {
      // A channel that cannot start is a notifier_failed alarm (health check), not a centre that will not start.
      await n.start().catch((e: unknown) => this.log.error('notifier did not start', { channel: n.channel, error: e as Error }));
    }
  }

  /**
   * Every timer from the store: sessions, pre-alarms, supervision, escalations; then unfinished events.
   * In a cluster only what belongs to no bucket: buckets are rebuilt as they are taken (takeover.ts).
   */
  private async rebuild(): Promise<void> {
    await this.positions.refresh();
    if (this.cluster) {
      await this.sessions.rebuild(() => false); // who is protected, everywhere; timers come with buckets
      await this.health.rebuild(await this.store.listAlarms({ states: ['raised', 'acknowledged'], limit: 10_000 }));
      return;
    }
    const sessions = await this.sessions.rebuild();
    const pending = await this.alarms.rebuildTimers();
    await this.supervision.rebuild();
    const escalations = await this.escalation.rebuild();
    await this.health.rebuild(await this.store.listAlarms({ states: ['raised', 'acknowledged'], limit: 10_000 }));
    const events = await this.ingest.recover();
    this.log.info('timers rebuilt from the store', { sessions, pendingAlarms: pending, escalations, recoveredEvents: events, timers: this.scheduler.size });
  }
}
