/** MessageBus over MQTT 3.1.1 with mqtt.js: persistent session, last will, failover across broker URLs. */
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from './log';
import { createLogger } from './log';
import { type MessageBus, type MessageHandler, type PublishOptions, topicMatches } from './bus';

export interface MqttBusOptions {
  /** One broker URL, or several to fail over between (tried in order). */
  url: string | string[];
  clientId: string;
  username?: string;
  password?: string;
  /** false (default) keeps the session and queued QoS 1 messages across disconnects. */
  clean?: boolean;
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  keepaliveS?: number;
  /** Extra TLS options (ca, rejectUnauthorized) for mqtts:// URLs. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  log?: Logger;
  /** How long a message with no matching handler waits for one to be registered (start-up race). */
  unhandledHoldMs?: number;
  /**
   * QoS 0 messages (nothing to acknowledge) may run this many handlers at once (default 1: one at a
   * time, like QoS 1). Handlers must then keep their own order where it matters (ingest does, per device).
   */
  parallel?: number;
}

type BusEvents = { connect: []; offline: [] };

export class MqttBus extends EventEmitter<BusEvents> implements MessageBus {
  private readonly client: MqttClient;
  private readonly handlers: { filter: string; handler: MessageHandler }[] = [];
  private readonly log: Logger;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly unhandledHoldMs: number;

  private constructor(client: MqttClient, log: Logger, unhandledHoldMs: number, parallel: number) {
    super();
    this.unhandledHoldMs = unhandledHoldMs;
    this.client = client;
    this.log = log;
    client.on('connect', () => this.emit('connect'));
    client.on('offline', () => this.emit('offline'));
    client.on('error', (e) => this.log.warn('mqtt error', { error: e.message }));
    let running = 0;
    let waiting: (() => void) | undefined;
    // One message at a time; the callback sends the PUBACK, so it runs after the handler (mqtt.js handlePublish).
    // mqtt.js reads the next message only after the callback: a QoS 0 message lets it go on at once, up to `parallel` handlers.
    client.handleMessage = (packet, callback) => {
      if (parallel > 1 && packet.qos === 0) {
        running++;
        void this.dispatch(packet.topic, packet.payload as Buffer).finally(() => {
          running--;
          const next = waiting;
          waiting = undefined;
          next?.();
        });
        if (running < parallel) callback();
        else waiting = () => callback();
        return;
      }
      void this.dispatch(packet.topic, packet.payload as Buffer).then((retry) => {
        if (retry) {
          // Do not acknowledge: drop the connection so the broker redelivers the message later.
          this.log.warn('handler asked for redelivery; reconnecting', { topic: packet.topic });
          this.client.stream.destroy();
          return;
        }
        callback();
      });
    };
  }

  /** Connects, resolving at the first CONNACK; rejects if the first attempt fails within the timeout. */
  static connect(opts: MqttBusOptions): Promise<MqttBus> {
    const urls = Array.isArray(opts.url) ? opts.url : [opts.url];
    const first = new URL(urls[0]!);
    const options: IClientOptions = {
      clientId: opts.clientId,
      clean: opts.clean ?? false,
      protocolVersion: 4,
      reconnectPeriod: opts.reconnectPeriodMs ?? 1000,
      connectTimeout: opts.connectTimeoutMs ?? 10000,
      keepalive: opts.keepaliveS ?? 30,
      resubscribe: true,
      ...(opts.username === undefined ? {} : { username: opts.username }),
      ...(opts.password === undefined ? {} : { password: opts.password }),
      ...(opts.will ? { will: { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), qos: opts.will.qos, retain: opts.will.retain } } : {}),
      ...(opts.tls ?? {}),
    };
    if (urls.length > 1) {
      options.servers = urls.map((u) => {
        const p = new URL(u);
        return { host: p.hostname, port: Number(p.port || (p.protocol === 'mqtts:' ? 8883 : 1883)), protocol: p.protocol.replace(':', '') as 'mqtt' | 'mqtts' };
      });
    }
    const client = mqtt.connect(first.toString(), options);
    const bus = new MqttBus(client, opts.log ?? createLogger('mqtt'), opts.unhandledHoldMs ?? 10_000, opts.parallel ?? 1);
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        client.off('error', onError);
        resolve(bus);
      };
      const onError = (e: Error): void => {
        client.off('connect', onConnect);
        client.end(true);
        reject(e);
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  publish(topic: string, payload: string | Uint8Array, opts: PublishOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos: opts.qos, retain: opts.retain ?? false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  send(topic: string, payload: string | Uint8Array, opts: PublishOptions): void {
    this.publish(topic, payload, opts).catch((e: unknown) => this.log.warn('publish failed', { topic, error: e as Error }));
  }

  async subscribe(filter: string, qos: 0 | 1, handler: MessageHandler): Promise<void> {
    this.handlers.push({ filter, handler });
    for (const w of [...this.waiters]) w();
    await new Promise<void>((resolve, reject) => {
      this.client.subscribe(filter, { qos }, (err, granted) => {
        if (err) return reject(err);
        if (granted?.some((g) => g.qos === 128)) return reject(new Error(`Subscription to ${filter} refused by the broker`));
        resolve();
      });
    });
  }

  /** Stops the subscription and its handlers; a message of it still in flight finds no handler (see `unhandledHoldMs`). */
  async unsubscribe(filter: string): Promise<void> {
    for (let i = this.handlers.length - 1; i >= 0; i--) if (this.handlers[i]!.filter === filter) this.handlers.splice(i, 1);
    await new Promise<void>((resolve, reject) => {
      this.client.unsubscribe(filter, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.client.end(false, {}, () => resolve()));
  }

  /**
   * Runs every matching handler; returns true when one asked for redelivery. A persistent session
   * delivers queued messages right after CONNACK, before `subscribe()` has registered the handlers:
   * such a message is held (not acknowledged) until a matching handler appears, for up to
   * `unhandledHoldMs`, so start-up never drops an alarm.
   */
  private async dispatch(topic: string, payload: Buffer): Promise<boolean> {
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    if (!this.handlers.some((h) => topicMatches(h.filter, topic))) {
      const found = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.waiters.delete(check);
          resolve(false);
        }, this.unhandledHoldMs);
        const check = (): void => {
          if (!this.handlers.some((h) => topicMatches(h.filter, topic))) return;
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(true);
        };
        this.waiters.add(check);
      });
      if (!found) {
        // Without a hold, a message of a subscription just ended (a status shard handed on) is expected.
        if (this.unhandledHoldMs > 0) this.log.warn('message for a topic nobody handles was dropped', { topic });
        else this.log.debug('message of an ended subscription dropped', { topic });
        return false;
      }
    }
    for (const { filter, handler } of this.handlers) {
      if (!topicMatches(filter, topic)) continue;
      try {
        await handler(topic, bytes);
      } catch (e) {
        if ((e as { retry?: boolean }).retry) return true;
        this.log.error('message handler failed; message dropped', { topic, error: e as Error });
      }
    }
    return false;
  }
}
