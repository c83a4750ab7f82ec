/**
 * A site gateway, composed: its SQLite state (replay windows, keyring, outbox), the optional
 * embedded broker, the MQTT connection with its last will, the bridge and radio transports, site
 * I/O, the store-and-forward loop, the retained status heartbeat and the metrics endpoint.
 * Constructors do nothing; `start()` opens everything, `stop()` closes it in reverse.
 *
 * Every message for the centre goes through the outbox: the bridge's replay window advances only
 * after the frame is queued, and the queue entry is deleted only after the broker's PUBACK. So a
 * gateway killed mid-alarm, or cut off from the centre for hours, loses nothing.
 */
import { once } from 'node:events';
import { type Clock, every, SystemClock } from '../../common/clock';
import { createLogger, type Logger } from '../../common/log';
import { type GatewayStatusPayload, type InputPayload, messageTypeByName, parsePayload, topic, travelsOnShard, type UplinkPayload, uplinkShard } from '../../protocol/src';
import { EmbeddedBroker } from './broker/broker';
import { Bridge } from './bridge';
import type { GatewayConfig } from './config';
import { Forwarder } from './forward/forwarder';
import { SqliteOutbox } from './forward/outbox';
import { MetricsServer } from './health/metrics';
import type { HealthSnapshot, LinkHealth } from './health/snapshot';
import { Keyring, type KeyringCache } from './keyring';
import { GatewayMqtt } from './mqtt-client';
import type { ReplayStore } from './replay';
import { type InputEvent, SiteIoModule } from './siteio/site-io';
import { type Db, openGatewayDb } from './store/db';
import { GroupCommit } from './store/group-commit';
import { SqliteKeyringCache } from './store/keyring-sqlite';
import { SqliteReplayStore } from './store/replay-sqlite';
import { buildTransports } from './transport/factory';
import type { RadioTransport } from './transport/types';

export interface GatewayDeps {
  clock?: Clock;
  log?: Logger;
  /** Transports built by the caller (the simulator's virtual air); config transports are added to them. */
  transports?: RadioTransport[];
  replay?: ReplayStore;
  keyringCache?: KeyringCache;
  /** MQTT reconnect period (tests shorten it). */
  reconnectPeriodMs?: number;
}

export const GATEWAY_VERSION = '0.2.0';

export class Gateway {
  readonly clock: Clock;
  readonly log: Logger;
  readonly keyring: Keyring;
  readonly transports: RadioTransport[];
  readonly siteIo: SiteIoModule[] = [];
  broker: EmbeddedBroker | undefined;
  bridge!: Bridge;
  mqtt: GatewayMqtt | undefined;
  outbox: SqliteOutbox | undefined;
  forwarder: Forwarder | undefined;
  metrics: MetricsServer | undefined;
  private db: Db | undefined;
  private stopHeartbeat: (() => void) | undefined;
  private startedAt = 0;
  private uplinkTopic: string | undefined;

  constructor(
    readonly config: GatewayConfig,
    private readonly deps: GatewayDeps = {},
  ) {
    this.clock = deps.clock ?? new SystemClock();
    this.log = deps.log ?? createLogger(`gateway.${config.gatewayId}`);
    this.keyring = new Keyring();
    this.transports = [...(deps.transports ?? [])];
  }

  async start(): Promise<void> {
    const { config, log, clock } = this;
    this.startedAt = clock.now();
    const db = (this.db = openGatewayDb(config.dataDir, config.storage?.synchronous ? { synchronous: config.storage.synchronous } : {}));
    this.keyring.useCache(this.deps.keyringCache ?? new SqliteKeyringCache(db));
    const group = new GroupCommit(db); // one commit for the outbox and the replay windows of the same moment
    const outbox = (this.outbox = new SqliteOutbox(db, { clock, group, ...(config.forward?.maxQueued ? { maxQueued: config.forward.maxQueued } : {}) }));
    if (config.broker) {
      const b = config.broker;
      this.broker = new EmbeddedBroker({ listeners: b, users: b.users, log: log.child('broker'), ...(b.persistence === 'memory' ? {} : { dataDir: config.dataDir }) });
      await this.broker.start();
    }
    const mqtt = (this.mqtt = new GatewayMqtt({
      url: this.brokerUrl(),
      clientId: `vigil-gw-${config.siteId}-${config.gatewayId}`,
      ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
      ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
      ...(config.mqtt.caFile ? { caFile: config.mqtt.caFile } : {}),
      ...(this.deps.reconnectPeriodMs ? { reconnectPeriodMs: this.deps.reconnectPeriodMs } : {}),
      will: { topic: topic.gatewayStatus(config.siteId, config.gatewayId), payload: JSON.stringify(this.status(false)) },
      log: log.child('mqtt'),
    }));
    const forwarder = (this.forwarder = new Forwarder({ outbox, bus: mqtt, log: log.child('forward'), ...(config.forward?.window ? { window: config.forward.window } : {}) }));
    this.bridge = new Bridge({
      siteId: config.siteId, gatewayId: config.gatewayId, clock, log: log.child('bridge'),
      transports: this.transports, keyring: this.keyring,
      replay: this.deps.replay ?? new SqliteReplayStore(db, group),
      sink: (p) => this.queueUplink(p),
    });
    this.subscribe(mqtt);
    mqtt.on('connect', () => void this.publishStatus());
    mqtt.on('state', (state, detail) => log.info('mqtt', { state, detail: detail ?? null }));
    const firstConnect = once(mqtt, 'connect');
    mqtt.start();
    forwarder.start();

    this.transports.push(...buildTransports(config.transports, clock, log.child('radio')));
    this.bridge.start(); // listens to every transport, the configured ones included
    for (const t of this.transports) {
      t.on('status', (s) => log.info('transport status', { transport: t.id, state: s.state, detail: s.detail ?? null }));
      await t.start();
    }
    for (const c of config.siteIo ?? []) {
      const m = new SiteIoModule({ config: c, clock, log: log.child(`io.${c.id}`) });
      m.on('input', (e) => this.queueInput(e));
      m.on('status', (s) => log.info('site I/O status', { module: m.id, state: s.state, detail: s.detail ?? null }));
      this.siteIo.push(m);
      await m.start();
    }
    if (config.metrics) {
      this.metrics = new MetricsServer(config.metrics, () => this.health());
      await this.metrics.start();
    }
    this.stopHeartbeat = every(clock, config.heartbeatS * 1000, () => void this.publishStatus());
    // Our own broker is local and must answer; a remote one may be away — we queue meanwhile.
    if (config.mqtt.url === 'embedded') await firstConnect;
    log.info('gateway started', { siteId: config.siteId, gatewayId: config.gatewayId, transports: this.transports.map((t) => t.id), queued: outbox.depth });
  }

  async stop(): Promise<void> {
    this.stopHeartbeat?.();
    this.stopHeartbeat = undefined;
    await this.metrics?.stop();
    for (const m of this.siteIo) await m.stop();
    this.bridge?.stop();
    for (const t of this.transports) await t.stop();
    this.forwarder?.stop();
    const mqtt = this.mqtt;
    if (mqtt?.connected) {
      const offline = this.status(false);
      await Promise.race([mqtt.publish(topic.gatewayStatus(this.config.siteId, this.config.gatewayId), JSON.stringify(offline), { qos: 1, retain: true }), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
    }
    await mqtt?.close();
    await this.broker?.stop();
    this.outbox?.flush();
    this.db?.close();
    this.db = undefined;
  }

  /** Everything about the gateway's health at this moment (status topic, /metrics, /health). */
  health(): HealthSnapshot {
    const links: LinkHealth[] = [
      ...this.transports.map((t): LinkHealth => ({ id: t.id, kind: t.kind, state: t.status().state, ...(t.status().detail ? { detail: t.status().detail! } : {}), counters: countersOf(t) })),
      ...this.siteIo.map((m): LinkHealth => ({ id: m.id, kind: 'modbus', state: m.status().state, ...(m.status().detail ? { detail: m.status().detail! } : {}), counters: m.counters.snapshot() })),
    ];
    const fwd = this.forwarder?.counters;
    return {
      siteId: this.config.siteId, gatewayId: this.config.gatewayId, version: GATEWAY_VERSION, at: this.clock.now(),
      uptimeS: Math.round((this.clock.now() - this.startedAt) / 1000),
      mqtt: { state: this.mqtt?.state ?? 'closed', connected: this.mqtt?.connected ?? false, connects: this.mqtt?.connects ?? 0, ...(this.mqtt?.detail ? { detail: this.mqtt.detail } : {}) },
      links,
      outputs: Object.fromEntries(this.siteIo.map((m) => [m.id, m.wantedOutputs()])),
      bridge: this.bridge ? this.bridge.counters.snapshot() : {},
      outbox: { depth: this.outbox?.depth ?? 0, oldestAgeMs: this.outbox?.oldestAgeMs() ?? null, shed: this.outbox?.shed ?? 0, forwarded: fwd?.get('forwarded') ?? 0, inFlight: this.forwarder?.inFlight ?? 0 },
      ...(this.broker ? { broker: { clients: this.broker.connectedClients, counters: { ...this.broker.counters } } } : {}),
      keyringDevices: this.keyring.size,
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
    };
  }

  private subscribe(mqtt: GatewayMqtt): void {
    const { config, log } = this;
    void mqtt.subscribe(topic.keyring(config.siteId), 1, (_t, raw) => {
      const p = parsePayload('keyring', raw);
      if (!p.ok || p.value.siteId !== config.siteId) return log.warn('keyring ignored', { errors: p.ok ? ['wrong site'] : p.errors });
      if (this.keyring.apply(p.value)) log.info('keyring loaded', { devices: this.keyring.size });
    });
    // A radio downlink can take seconds (BLE connection, LoRa receive window): never hold up the client.
    void mqtt.subscribe(topic.downlink(config.siteId), 1, (_t, raw) => {
      const p = parsePayload('downlink', raw);
      if (!p.ok) return this.bridge.counters.inc('downlinks_invalid');
      void this.bridge.handleDownlink(p.value);
    });
    if ((config.siteIo ?? []).length > 0) {
      void mqtt.subscribe(topic.siteState(config.siteId), 1, (_t, raw) => {
        const p = parsePayload('siteState', raw);
        if (!p.ok || p.value.siteId !== config.siteId) return log.warn('site state ignored', { errors: p.ok ? ['wrong site'] : p.errors });
        for (const m of this.siteIo) m.setSiteState(p.value);
      });
    }
  }

  /** The bridge's sink: durably queued before the bridge advances the replay window. */
  private async queueUplink(p: UplinkPayload): Promise<void> {
    const cls = messageTypeByName(p.decoded.type)?.cls;
    // Heartbeats and positions go to their device's shard topic (a centre worker subscribes to the shards it owns), the rest to the one uplink topic every worker hears.
    const to = travelsOnShard(p.decoded.type) ? topic.statusUplink(this.config.siteId, this.config.gatewayId, uplinkShard(p.decoded.deviceId)) : (this.uplinkTopic ??= topic.uplink(this.config.siteId, this.config.gatewayId));
    await this.outbox!.enqueue(to, JSON.stringify(p), p.decoded.deviceId, cls === 'status' ? 0 : 1);
    this.forwarder!.kick();
    if (cls !== 'status') this.log.info('alarm frame queued', { deviceId: p.decoded.deviceId, counter: p.decoded.counter, type: p.decoded.type, transport: p.transport, rssiDbm: p.rssiDbm, queued: this.outbox!.depth });
  }

  private queueInput(e: InputEvent): void {
    const payload: InputPayload = { v: 1, siteId: this.config.siteId, gatewayId: this.config.gatewayId, inputId: e.inputId, active: e.active, at: e.at };
    this.outbox!.enqueue(topic.input(this.config.siteId, this.config.gatewayId), JSON.stringify(payload), `input:${e.inputId}`, 1).then(
      () => this.forwarder!.kick(),
      (err: unknown) => this.log.error('wired input could not be queued', { input: e.inputId, error: err as Error }),
    );
    this.log.info('wired input', { input: e.inputId, active: e.active });
  }

  /** `embedded` means the gateway's own broker, on whatever port its TCP listener got. */
  private brokerUrl(): string | string[] {
    if (this.config.mqtt.url !== 'embedded') return this.config.mqtt.url;
    const port = this.broker?.ports.tcp;
    if (port === undefined) throw new Error("mqtt.url is 'embedded' but no embedded broker with a TCP listener is configured");
    return `mqtt://127.0.0.1:${port}`;
  }

  private status(online: boolean): GatewayStatusPayload {
    const h = this.bridge ? this.health() : undefined;
    const counters: Record<string, number> = { ...(h?.bridge ?? {}) };
    if (h) {
      counters['outbox_depth'] = h.outbox.depth;
      counters['forwarded'] = h.outbox.forwarded;
      for (const l of h.links) for (const [k, v] of Object.entries(l.counters)) counters[`${l.id}.${k}`] = v;
    }
    return {
      v: 1, siteId: this.config.siteId, gatewayId: this.config.gatewayId, online, at: this.clock.now(), version: GATEWAY_VERSION,
      heartbeatS: this.config.heartbeatS,
      // Radios and site I/O modules alike: anything not `running` needs attention.
      transports: Object.fromEntries((h?.links ?? []).map((l) => [l.id, { state: l.state, ...(l.detail ? { detail: l.detail } : {}) }])),
      counters,
    };
  }

  private async publishStatus(): Promise<void> {
    const mqtt = this.mqtt;
    if (!mqtt?.connected) return; // the last will says offline; the next connection publishes afresh
    try {
      await mqtt.publish(topic.gatewayStatus(this.config.siteId, this.config.gatewayId), JSON.stringify(this.status(true)), { qos: 1, retain: true });
    } catch (e) {
      this.log.warn('status not published', { error: e as Error });
    }
  }
}

function countersOf(t: RadioTransport): Record<string, number> {
  const c = (t as { counters?: { snapshot(): Record<string, number> } }).counters;
  return c ? c.snapshot() : {};
}
