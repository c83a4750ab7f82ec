/**
 * The monitoring-centre service: store, rules, alarms, registry, MQTT and the HTTP API/console,
 * built here and nowhere else. Constructors do nothing; start() connects, stop() releases.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, SystemClock } from '../../common/clock';
import type { MessageBus } from '../../common/bus';
import { MqttBus } from '../../common/mqtt-bus';
import { createLogger, type Logger } from '../../common/log';
import { type CentreStatusPayload, topic, topicFilter } from '../../protocol/src';
import { AlarmService } from './alarms';
import { Auth } from './auth';
import type { CentreConfig } from './config';
import { registerApi } from './http/api';
import { Router } from './http/router';
import { type HttpServer, startHttp } from './http/server';
import { Ingest } from './ingest';
import { type LiveHub, MemoryLiveHub } from './live';
import { Registry } from './registry';
import { Rules } from './rules';
import { SqliteStore } from './store/sqlite';
import type { Store } from './store/types';

export interface CentreDeps {
  clock?: Clock;
  log?: Logger;
  store?: Store;
  live?: LiveHub;
}

export class Centre {
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: Store;
  readonly live: LiveHub;
  readonly auth: Auth;
  bus!: MessageBus;
  registry!: Registry;
  alarms!: AlarmService;
  ingest!: Ingest;
  private http: HttpServer | undefined;
  private readonly instance = `centre-${process.pid}`;

  constructor(
    readonly config: CentreConfig,
    deps: CentreDeps = {},
  ) {
    this.clock = deps.clock ?? new SystemClock();
    this.log = deps.log ?? createLogger('centre');
    if (deps.store) {
      this.store = deps.store;
    } else {
      mkdirSync(config.dataDir, { recursive: true });
      this.store = new SqliteStore(join(config.dataDir, 'centre.db'));
    }
    this.live = deps.live ?? new MemoryLiveHub();
    this.auth = new Auth({ store: this.store, clock: this.clock });
  }

  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  async start(): Promise<void> {
    const { store, clock, log } = this;
    await store.migrate();
    const offline: CentreStatusPayload = { v: 1, online: false, at: clock.now(), instance: this.instance };
    this.bus = await MqttBus.connect({
      url: this.config.mqtt.url,
      clientId: this.config.mqtt.clientId,
      ...(this.config.mqtt.username ? { username: this.config.mqtt.username } : {}),
      ...(this.config.mqtt.password ? { password: this.config.mqtt.password } : {}),
      will: { topic: topic.centreStatus(), payload: JSON.stringify(offline), qos: 1, retain: true },
      log: log.child('mqtt'),
    });
    this.registry = new Registry({ store, clock, log, bus: this.bus });
    this.alarms = new AlarmService({ store, bus: this.bus, clock, log: log.child('alarms'), live: this.live });
    const rules = new Rules({ alarms: this.alarms });
    this.ingest = new Ingest({ store, log: log.child('ingest'), onEvent: (e, m, d) => rules.onEvent(e, m, d) });
    await this.bus.subscribe(topicFilter('uplink'), 1, (t, p) => this.ingest.handle(t, p));
    const online: CentreStatusPayload = { v: 1, online: true, at: clock.now(), instance: this.instance };
    await this.bus.publish(topic.centreStatus(), JSON.stringify(online), { qos: 1, retain: true });
    await this.registry.publishAllKeyrings();

    const router = new Router({ authenticate: (t) => this.auth.authenticate(t), log: log.child('http') });
    registerApi(router, {
      store, auth: this.auth, alarms: this.alarms, live: this.live, log,
      health: () => ({ mqtt: this.bus.connected, ingest: this.ingest.counters.snapshot() }),
    });
    this.http = await startHttp(router, this.config.http.host, this.config.http.port);
    log.info('centre started', { http: `http://${this.config.http.host}:${this.http.port}`, mqtt: this.config.mqtt.url });
  }

  async stop(): Promise<void> {
    await this.http?.close();
    this.http = undefined;
    if (this.bus) {
      try {
        const offline: CentreStatusPayload = { v: 1, online: false, at: this.clock.now(), instance: this.instance };
        if (this.bus.connected) await this.bus.publish(topic.centreStatus(), JSON.stringify(offline), { qos: 1, retain: true });
      } catch {
        // the last will covers it
      }
      await this.bus.close();
    }
    await this.store.close();
  }
}
