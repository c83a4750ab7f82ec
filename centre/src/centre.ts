/**
 * The monitoring-centre service, built here and nowhere else: store, scheduler, alarms, sessions,
 * supervision, positions, escalation with its outbox and notifiers, telemetry, registry, MQTT and the
 * HTTP API. Constructors do nothing; start() connects and rebuilds every timer from the store; stop()
 * releases everything. With `store: postgres://…` the centre is one worker of a cluster
 * (cluster/, docs/scale.md): it runs the rules and timers of the device buckets it leases.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { type Clock, every, SystemClock } from '../../common/clock';
import { processFaults } from '../../common/process-guard';
import type { MessageBus, MessageHandler } from '../../common/bus';
import { MqttBus } from '../../common/mqtt-bus';
import { createLogger, type Logger } from '../../common/log';
import { type CentreStatusPayload, topic, topicFilter } from '../../protocol/src';
import type { Ownership } from './domain/ownership';
import { SOLE_OWNER } from './domain/ownership';
import type { AlarmService } from './domain/alarms';
import type { EventWriter } from './domain/event-writer';
import type { Ingest } from './domain/ingest';
import { type LiveHub, MemoryLiveHub } from './domain/live';
import type { Positions } from './domain/positions';
import type { Scheduler } from './domain/scheduler';
import type { SessionService } from './domain/sessions';
import type { Supervision } from './domain/supervision';
import { Auth } from './auth/auth';
import { type CentreConfig, resolveCentreConfig, type ResolvedCentreConfig } from './config';
import type { EscalationEngine } from './escalation/engine';
import type { Outbox } from './escalation/outbox';
import type { PushWiring } from './escalation/push-alerts';
import type { ApiContext } from './http/context';
import { securityHeaders } from './http/security-headers';
import { type HttpServer, startHttp } from './http/server';
import type { Notifier } from './notify/types';
import type { Housekeeping } from './ops/housekeeping';
import type { RegistryAdmin } from './registry/admin';
import type { Registry } from './registry/registry';
import type { PendantSettings } from './settings/service';
import { buildServices, type CentreServices, rebuildPartitions } from './services';
import { SqliteStore } from './store/sqlite';
import { PostgresStore, postgresTarget } from './store/postgres';
import { Cluster, type PendantCommand } from './cluster/cluster';
import { connectStatusShards, type ShardSubscriptions } from './cluster/shards';
import { ClusterRole, type WorkerSide } from './cluster/takeover';
import type { Store } from './store/types';
import { InfluxTelemetrySink } from './telemetry/influx';
import type { TelemetrySink } from './telemetry/types';

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
  /** Tests: the agent that trusts a push-service stand-in's certificate. */
  pushAgent?: HttpsAgent;
}

export class Centre {
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: Store;
  readonly live: LiveHub;
  readonly auth: Auth;
  readonly config: ResolvedCentreConfig;
  /** Names this process's claims in the outbox. */
  readonly instance = `centre-${process.pid}-${randomBytes(4).toString('hex')}`;
  /** Set when this centre is one worker of a cluster (PostgreSQL store). */
  readonly cluster: Cluster | undefined;
  private readonly role: ClusterRole | undefined;
  private bus: MessageBus | undefined;
  /** Built at start(), after the bus is connected. */
  private built: CentreServices | undefined;
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
        store: this.store, ...pg, nodeId: this.instance, clientId: this.config.mqtt.clientId, httpUrl: null, channels: () => [...(this.built?.outbox.channels() ?? [])],
        config: this.config.cluster, clock: this.clock, log: this.log.child('cluster'),
      });
      this.role = new ClusterRole(this.cluster, this.log.child('cluster'));
    }
    this.live = deps.live ?? this.cluster?.live ?? new MemoryLiveHub();
    this.auth = new Auth({ store: this.store, clock: this.clock });
  }

  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  /** The running services; a call before start() is a programmer's error. */
  get services(): CentreServices {
    if (!this.built) throw new Error('The centre has not started: its services are built by start()');
    return this.built;
  }

  get scheduler(): Scheduler { return this.services.scheduler; }
  get registry(): Registry { return this.services.registry; }
  get admin(): RegistryAdmin { return this.services.admin; }
  get alarms(): AlarmService { return this.services.alarms; }
  get sessions(): SessionService { return this.services.sessions; }
  get supervision(): Supervision { return this.services.supervision; }
  get positions(): Positions { return this.services.positions; }
  get outbox(): Outbox { return this.services.outbox; }
  get escalation(): EscalationEngine { return this.services.escalation; }
  get ingest(): Ingest { return this.services.ingest; }
  get writer(): EventWriter { return this.services.writer; }
  get housekeeping(): Housekeeping { return this.services.housekeeping; }
  get settings(): PendantSettings { return this.services.settings; }
  /** Set when `push` is configured. */
  get push(): PushWiring | undefined { return this.built?.push; }
  get notifiers(): readonly Notifier[] { return this.built?.notifiers ?? []; }

  async start(): Promise<void> {
    const { store, clock, log, config, cluster, role } = this;
    await store.migrate();
    await cluster?.connect();
    const bus = this.deps.bus ?? (await this.connect());
    this.bus = bus;
    if (cluster) this.shards = await this.connectShards();
    const s = buildServices({
      store, clock, log, config, live: this.live, bus, instance: this.instance, ownership: this.ownership,
      ...(this.deps.notifiers ? { notifiers: this.deps.notifiers } : {}), ...(this.deps.telemetry ? { telemetry: this.deps.telemetry } : {}),
      ...(this.deps.pushAgent ? { pushAgent: this.deps.pushAgent } : {}),
      ...(cluster && role ? {
        wrapScheduler: (heap: Scheduler) => role.wrap(heap),
        routeCommand: (c: PendantCommand) => (cluster.owns(c.deviceId) ? false : (cluster.command(c), true)),
        deadClaimers: () => cluster.deadNodeIds(),
        leader: () => cluster.ownsBucket(0),
      } : {}),
    });
    this.built = s;
    await this.startNotifiers(s);
    await this.rebuild(s);
    if (cluster && role) {
      // Leases before the outbox: only workers known dead lose their claims.
      await cluster.join(role.handlers(this.workerSide(s, bus)));
      await cluster.settled();
      this.stoppers.push(role.startSweep(clock, s.ingest));
    }
    await s.outbox.start({ takeOver: !cluster });
    s.health.start();

    const owned = (of: (t: string) => string | undefined, h: MessageHandler): MessageHandler => (role ? role.owned(of, h) : h);
    await bus.subscribe(topicFilter('uplink'), 1, (t, p) => s.ingest.handle(t, p));
    // Status frames: alone, every shard on the persistent session (a restart gets the backlog); in a cluster, the owned shards (cluster/shards.ts).
    if (!this.shards) await bus.subscribe(topicFilter('statusUplink'), 1, (t, p) => s.ingest.handle(t, p));
    await bus.subscribe(topicFilter('gatewayStatus'), 1, owned(ClusterRole.gatewayOf, (t, p) => s.supervision.onGatewayStatus(t, p)));
    // A wired panic button: every worker raises it (one open alarm per subject is a store constraint), none waits for an owner.
    await bus.subscribe(topicFilter('input'), 1, (t, p) => s.supervision.onInput(t, p));
    await bus.subscribe(topicFilter('integrationStatus'), 1, owned(ClusterRole.integrationOf, (t, p) => s.supervision.onIntegrationStatus(t, p)));
    await bus.publish(topic.centreStatus(), this.status(true), { qos: 1, retain: true });
    await s.registry.publishAllKeyrings();
    this.stoppers.push(s.registry.watch(config.registryPollS * 1000, async () => {
      s.ingest.forget();
      await s.positions.refresh();
      await s.settings.reload();
    }));
    const owns = (p: string): boolean => this.ownership.owns(p);
    this.stoppers.push(every(clock, 60_000, () => void s.escalation.reconcile(owns).catch((e: unknown) => log.error('reconcile failed', { error: e as Error }))));
    s.housekeeping.start();

    if (this.deps.http !== false) {
      const tls = config.http.tls ? { cert: readFileSync(config.http.tls.certFile), key: readFileSync(config.http.tls.keyFile) } : undefined;
      this.http = await startHttp(this.apiContext(s, bus), config.http.host, config.http.port, log.child('http'), {
        headers: securityHeaders({ tileUrl: config.console.tileUrl, tls: tls !== undefined }), ...(tls ? { tls } : {}),
      });
    }
    log.info('centre started', {
      http: this.http ? `${config.http.tls ? 'https' : 'http'}://${config.http.host}:${this.http.port}` : 'off', mqtt: config.mqtt.url, instance: this.instance, timers: s.scheduler.size,
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
    this.stoppers.splice(0).forEach((stop) => stop());
    const s = this.built;
    s?.health.stop();
    s?.outbox.stop();
    s?.scheduler.stop();
    // Let work under way finish before the store closes (no new timers or deliveries start).
    await s?.scheduler.idle();
    await s?.outbox.idle();
    await s?.writer.flush();
    // Leases handed back once our work is done: the other workers take over at once.
    const others = (this.cluster?.leases.liveNodes().filter((n) => n.id !== this.instance).length ?? 0) > 0;
    await this.cluster?.stop().catch((e: unknown) => this.log.warn('cluster not left cleanly', { error: e as Error }));
    for (const n of s?.notifiers ?? []) await n.stop().catch(() => undefined);
    await s?.telemetry.close().catch(() => undefined);
    if (this.bus && !this.deps.bus) {
      try {
        if (this.bus.connected && !others) await this.bus.publish(topic.centreStatus(), this.status(false), { qos: 1, retain: true });
      } catch {
        // the last will covers it
      }
      await this.bus.close();
    }
    await this.store.close();
  }

  /** Runs the retention purge (hourly by itself); `now` lets a test look from the future. */
  async purge(now = this.clock.now()): Promise<void> {
    await this.services.housekeeping.purge(now);
  }

  private async connectShards(): Promise<ShardSubscriptions | undefined> {
    const r = await connectStatusShards({ injected: this.deps.bus, mqtt: this.config.mqtt, log: this.log, handler: (t, p) => this.ingest.handle(t, p) });
    this.statusBus = r?.bus;
    return r?.subscriptions;
  }

  private async connect(): Promise<MessageBus> {
    const m = this.config.mqtt;
    return MqttBus.connect({
      url: m.url, clientId: m.clientId, ...(m.username ? { username: m.username } : {}), ...(m.password ? { password: m.password } : {}),
      will: { topic: topic.centreStatus(), payload: this.status(false), qos: 1, retain: true }, log: this.log.child('mqtt'),
    });
  }

  /** This centre's retained status message (online at start, offline at stop and as the last will). */
  private status(online: boolean): string {
    const p: CentreStatusPayload = { v: 1, online, at: this.clock.now(), instance: this.instance };
    return JSON.stringify(p);
  }

  /** All the cluster role sees of this worker (cluster/takeover.ts). */
  private workerSide(s: CentreServices, bus: MessageBus): WorkerSide {
    return {
      ingest: s.ingest, positions: s.positions, publisher: s.publisher,
      rebuild: (owns) => rebuildPartitions(s, owns),
      announceOnline: () => (bus.connected ? bus.send(topic.centreStatus(), this.status(true), { qos: 1, retain: true }) : undefined),
      followBuckets: () => this.followBuckets(),
      settingsChanged: (id) => s.settings.changed(id),
    };
  }

  private apiContext(s: CentreServices, bus: MessageBus): ApiContext {
    return {
      store: this.store, auth: this.auth, alarms: s.alarms, live: this.live, log: this.log, clock: this.clock, sessions: s.sessions,
      admin: s.admin, registry: s.registry, escalation: s.escalation, tokens: s.tokens, positions: s.positions, notifiers: s.notifiers,
      config: this.config, outbox: s.outbox, supervision: s.supervision, ownership: this.ownership, settings: s.settings, ...(s.push ? { push: s.push } : {}),
      devicesChanged: (id) => {
        s.ingest.forget(id);
        this.cluster?.forget(id);
      },
      health: () => ({
        mqtt: bus.connected, ingest: s.ingest.counters.snapshot(), ingestLagMs: s.ingest.lagMs(), events: s.writer.counters.snapshot(), outbox: s.outbox.counters.snapshot(),
        timers: s.scheduler.size, notifiers: Object.fromEntries(s.notifiers.map((n) => [n.channel, n.healthy()])), faults: processFaults.snapshot(),
        http: this.http?.counters.snapshot() ?? {},
        ...s.housekeeping.health(),
      }),
    };
  }

  private async startNotifiers(s: CentreServices): Promise<void> {
    if (s.telemetry instanceof InfluxTelemetrySink) await s.telemetry.start();
    for (const n of s.notifiers) {
      // A channel that cannot start is a notifier_failed alarm (health check), not a centre that will not start.
      await n.start().catch((e: unknown) => this.log.error('notifier did not start', { channel: n.channel, error: e as Error }));
    }
  }

  /**
   * Every timer from the store, in the one rebuild order (services.ts), then unfinished events. In a
   * cluster only who is protected: timers come with the buckets as they are taken (takeover.ts).
   */
  private async rebuild(s: CentreServices): Promise<void> {
    await s.positions.refresh();
    await s.settings.reload();
    await s.health.rebuild(await this.store.listAlarms({ states: ['raised', 'acknowledged'], limit: 10_000 }));
    if (this.cluster) {
      await s.sessions.rebuild(() => false); // who is protected, everywhere; timers come with buckets
      return;
    }
    const r = await rebuildPartitions(s);
    this.log.info('timers rebuilt from the store', { sessions: r.sessions, pendingAlarms: r.pendingAlarms, escalations: r.escalations, recoveredEvents: r.events, timers: r.timers });
  }
}
