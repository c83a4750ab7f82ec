/**
 * A site gateway: optional embedded broker, the MQTT connection (with last will), the bridge, and
 * the radio transports, plus the retained health status. Built here; the CLI only passes config
 * and, for the simulator, extra transports.
 */
import { type Clock, every, SystemClock } from '../../common/clock';
import { MqttBus } from '../../common/mqtt-bus';
import { createLogger, type Logger } from '../../common/log';
import { type GatewayStatusPayload, parsePayload, topic } from '../../protocol/src';
import { EmbeddedBroker } from './broker/broker';
import { Bridge } from './bridge';
import type { GatewayConfig } from './config';
import { Keyring, type KeyringCache } from './keyring';
import { MemoryReplayStore, type ReplayStore } from './replay';
import type { RadioTransport } from './transport/types';

export interface GatewayDeps {
  clock?: Clock;
  log?: Logger;
  /** Transports built by the caller (the simulator's virtual air); config transports are added to them. */
  transports?: RadioTransport[];
  replay?: ReplayStore;
  keyringCache?: KeyringCache;
}

export const GATEWAY_VERSION = '0.1.0';

export class Gateway {
  readonly clock: Clock;
  readonly log: Logger;
  readonly keyring: Keyring;
  readonly transports: RadioTransport[];
  broker: EmbeddedBroker | undefined;
  bridge!: Bridge;
  private bus: MqttBus | undefined;
  private stopHeartbeat: (() => void) | undefined;

  constructor(
    readonly config: GatewayConfig,
    private readonly deps: GatewayDeps = {},
  ) {
    this.clock = deps.clock ?? new SystemClock();
    this.log = deps.log ?? createLogger(`gateway.${config.gatewayId}`);
    this.keyring = new Keyring(deps.keyringCache);
    this.transports = [...(deps.transports ?? [])];
  }

  async start(): Promise<void> {
    const { config, log } = this;
    if (config.broker) {
      this.broker = new EmbeddedBroker({ listeners: config.broker, users: config.broker.users, log: log.child('broker') });
      await this.broker.start();
    }
    const offline = this.status(false);
    this.bus = await MqttBus.connect({
      url: this.brokerUrl(),
      clientId: `vigil-gw-${config.siteId}-${config.gatewayId}`,
      ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
      ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
      will: { topic: topic.gatewayStatus(config.siteId, config.gatewayId), payload: JSON.stringify(offline), qos: 1, retain: true },
      log: log.child('mqtt'),
    });
    const bus = this.bus;
    this.bridge = new Bridge({
      siteId: config.siteId,
      gatewayId: config.gatewayId,
      clock: this.clock,
      log: log.child('bridge'),
      transports: this.transports,
      keyring: this.keyring,
      replay: this.deps.replay ?? new MemoryReplayStore(),
      sink: (p) => bus.publish(topic.uplink(config.siteId, config.gatewayId), JSON.stringify(p), { qos: 1 }),
    });
    await bus.subscribe(topic.keyring(config.siteId), 1, (_t, raw) => {
      const p = parsePayload('keyring', raw);
      if (!p.ok || p.value.siteId !== config.siteId) return log.warn('keyring ignored', { errors: p.ok ? ['wrong site'] : p.errors });
      if (this.keyring.apply(p.value)) log.info('keyring loaded', { devices: this.keyring.size });
    });
    // A radio downlink can take seconds (BLE connection); it must not hold up the MQTT client.
    await bus.subscribe(topic.downlink(config.siteId), 1, (_t, raw) => {
      const p = parsePayload('downlink', raw);
      if (!p.ok) {
        this.bridge.counters.inc('downlinks_invalid');
        return;
      }
      void this.bridge.handleDownlink(p.value);
    });
    this.bridge.start();
    for (const t of this.transports) {
      t.on('status', (s) => log.info('transport status', { transport: t.id, state: s.state, detail: s.detail }));
      await t.start();
    }
    await this.publishStatus();
    this.stopHeartbeat = every(this.clock, config.heartbeatS * 1000, () => void this.publishStatus());
    log.info('gateway started', { siteId: config.siteId, gatewayId: config.gatewayId, transports: this.transports.map((t) => t.id) });
  }

  async stop(): Promise<void> {
    this.stopHeartbeat?.();
    this.bridge?.stop();
    for (const t of this.transports) await t.stop();
    if (this.bus) {
      try {
        if (this.bus.connected) await this.bus.publish(topic.gatewayStatus(this.config.siteId, this.config.gatewayId), JSON.stringify(this.status(false)), { qos: 1, retain: true });
      } catch {
        // the last will says it
      }
      await this.bus.close();
    }
    await this.broker?.stop();
  }

  /** `embedded` means the gateway's own broker, on whatever port its TCP listener got. */
  private brokerUrl(): string | string[] {
    if (this.config.mqtt.url !== 'embedded') return this.config.mqtt.url;
    const port = this.broker?.ports.tcp;
    if (port === undefined) throw new Error("mqtt.url is 'embedded' but no embedded broker with a TCP listener is configured");
    return `mqtt://127.0.0.1:${port}`;
  }

  private status(online: boolean): GatewayStatusPayload {
    return {
      v: 1, siteId: this.config.siteId, gatewayId: this.config.gatewayId, online, at: this.clock.now(), version: GATEWAY_VERSION,
      heartbeatS: this.config.heartbeatS,
      transports: Object.fromEntries(this.transports.map((t) => [t.id, { state: t.status().state, ...(t.status().detail ? { detail: t.status().detail! } : {}) }])),
      counters: this.bridge ? this.bridge.counters.snapshot() : {},
    };
  }

  private async publishStatus(): Promise<void> {
    try {
      await this.bus?.publish(topic.gatewayStatus(this.config.siteId, this.config.gatewayId), JSON.stringify(this.status(true)), { qos: 1, retain: true });
    } catch (e) {
      this.log.warn('status not published', { error: e as Error });
    }
  }
}
