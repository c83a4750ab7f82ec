/**
 * The gateway's MQTT connection to the centre's broker (or its own). Unlike a client that must
 * connect before anything else happens, a gateway has to work while the centre is unreachable —
 * at start-up too — so this client starts in the background, reconnects forever, re-subscribes on
 * every connection, and reports its state for the health endpoint. Messages are acknowledged to the
 * broker only after their handler ran (mqtt.js sends the PUBACK from the handleMessage callback).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type MessageBus, type MessageHandler, type PublishOptions, topicMatches } from '../../common/bus';
import type { Logger } from '../../common/log';

export interface GatewayMqttOptions {
  url: string | string[];
  clientId: string;
  username?: string;
  password?: string;
  /** PEM file of the CA that signed the broker's certificate (mqtts://, wss://). */
  caFile?: string;
  will: { topic: string; payload: string };
  reconnectPeriodMs?: number;
  keepaliveS?: number;
  log: Logger;
}

export type MqttState = 'connecting' | 'connected' | 'offline' | 'refused' | 'closed';

type Events = { connect: []; offline: []; state: [MqttState, string | undefined] };

export class GatewayMqtt extends EventEmitter<Events> implements MessageBus {
  private client: MqttClient | undefined;
  private readonly handlers: { filter: string; qos: 0 | 1; handler: MessageHandler }[] = [];
  state: MqttState = 'closed';
  detail: string | undefined;
  connects = 0;

  constructor(private readonly opts: GatewayMqttOptions) {
    super();
  }

  /** Starts connecting; returns at once. `connect` is emitted on every (re)connection. */
  start(): void {
    if (this.client) return;
    const urls = Array.isArray(this.opts.url) ? this.opts.url : [this.opts.url];
    const options: IClientOptions = {
      clientId: this.opts.clientId,
      clean: false, // the broker keeps our subscriptions and queued downlinks while we are away
      protocolVersion: 4,
      reconnectPeriod: this.opts.reconnectPeriodMs ?? 2000,
      connectTimeout: 10_000,
      keepalive: this.opts.keepaliveS ?? 30,
      resubscribe: false,
      will: { topic: this.opts.will.topic, payload: Buffer.from(this.opts.will.payload), qos: 1, retain: true },
      ...(this.opts.username === undefined ? {} : { username: this.opts.username }),
      ...(this.opts.password === undefined ? {} : { password: this.opts.password }),
      ...(this.opts.caFile ? { ca: readFileSync(this.opts.caFile) } : {}),
    };
    if (urls.length > 1) {
      options.servers = urls.map((u) => {
        const p = new URL(u);
        return { host: p.hostname, port: Number(p.port || (p.protocol === 'mqtts:' ? 8883 : 1883)), protocol: p.protocol.replace(':', '') as 'mqtt' | 'mqtts' };
      });
    }
    this.setState('connecting', urls.join(', '));
    const client = mqtt.connect(urls[0]!, options);
    this.client = client;
    client.on('connect', () => {
      // Small packets both ways: no Nagle delay on PUBACKs (see broker.ts).
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.connects++;
      this.setState('connected', undefined);
      this.resubscribe(client);
      this.emit('connect');
    });
    client.on('offline', () => {
      if (this.state === 'connected') this.emit('offline');
      if (this.state !== 'refused') this.setState('offline', 'broker unreachable; retrying');
    });
    client.on('error', (e: Error & { code?: number | string }) => {
      // CONNACK refusals (bad credentials, not authorised) are configuration problems: say so loudly.
      if (typeof e.code === 'number') {
        this.setState('refused', `broker refused the connection: ${e.message}`);
        this.opts.log.error('mqtt connection refused', { error: e.message });
      } else {
        this.opts.log.debug('mqtt error', { error: e.message });
      }
    });
    client.handleMessage = (packet, callback) => {
      void this.dispatch(packet.topic, packet.payload as Buffer).then(() => callback());
    };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  publish(topic: string, payload: string | Uint8Array, opts: PublishOptions): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('mqtt client not started'));
    return new Promise((resolve, reject) => {
      client.publish(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos: opts.qos, retain: opts.retain ?? false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Runs `fn`, which publishes several messages, with the socket corked: the packets leave in one
   * write instead of one system call each.
   */
  batch(fn: () => void): void {
    const stream = this.client?.stream as { cork?: () => void; uncork?: () => void } | undefined;
    stream?.cork?.();
    try {
      fn();
    } finally {
      if (stream?.uncork) process.nextTick(() => stream.uncork!());
    }
  }

  send(topic: string, payload: string | Uint8Array, opts: PublishOptions): void {
    this.publish(topic, payload, opts).catch((e: unknown) => this.opts.log.warn('publish failed', { topic, error: e as Error }));
  }

  /** Registers the handler; the subscription is made now if connected, and again on every connection. */
  async subscribe(filter: string, qos: 0 | 1, handler: MessageHandler): Promise<void> {
    this.handlers.push({ filter, qos, handler });
    const client = this.client;
    if (client?.connected) await this.subscribeOne(client, filter, qos);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    this.setState('closed', undefined);
    await new Promise<void>((resolve) => client.end(!client.connected, {}, () => resolve()));
  }

  private resubscribe(client: MqttClient): void {
    for (const h of this.handlers) {
      this.subscribeOne(client, h.filter, h.qos).catch((e: unknown) => this.opts.log.error('subscription refused', { filter: h.filter, error: e as Error }));
    }
  }

  private subscribeOne(client: MqttClient, filter: string, qos: 0 | 1): Promise<void> {
    return new Promise((resolve, reject) => {
      client.subscribe(filter, { qos }, (err, granted) => {
        if (err) return reject(err);
        if (granted?.some((g) => g.qos === 128)) return reject(new Error(`subscription to ${filter} refused by the broker`));
        resolve();
      });
    });
  }

  private async dispatch(topic: string, payload: Buffer): Promise<void> {
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    for (const { filter, handler } of this.handlers) {
      if (!topicMatches(filter, topic)) continue;
      try {
        await handler(topic, bytes);
      } catch (e) {
        this.opts.log.error('message handler failed; message dropped', { topic, error: e as Error });
      }
    }
  }

  private setState(state: MqttState, detail: string | undefined): void {
    if (this.state === state && this.detail === detail) return;
    this.state = state;
    this.detail = detail;
    this.emit('state', state, detail);
  }
}
