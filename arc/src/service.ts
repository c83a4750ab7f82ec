/**
 * The ARC output for one alarm-receiving centre: reads every alarm change from MQTT as an
 * `integrator` (persistent session, QoS 1), turns it into DC-09 events in its own durable queue,
 * delivers them (link.ts) and reports its health on the retained integration-status topic — the
 * centre raises an `integration_failed` alarm while it says `ok: false`. Its MQTT last will says
 * the same if the process dies. Runs inside the centre process or alone (`npx vigil arc`).
 *
 * An alarm message is acknowledged to the broker only after its events are committed to SQLite,
 * so a crash in between means a redelivery, which the queue recognises (queue.applyAlarm).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RetryLater } from '../../common/bus';
import { type Clock, SystemClock } from '../../common/clock';
import { Counters } from '../../common/counters';
import { createLogger, type Logger } from '../../common/log';
import { MqttBus } from '../../common/mqtt-bus';
import { type IntegrationStatusPayload, parsePayload, topic, topicFilter } from '../../protocol/src';
import type { Channel } from './channel';
import type { ArcConfig, ArcLinkConfig, ArcMqttConfig, ArcPathConfig } from './config';
import { alarmTransition } from './events';
import { ArcLink, type LinkStatus } from './link';
import { ArcQueue, type QueuedEvent } from './queue';

export const INTEGRATION_KIND = 'sia-dc09';

export interface ArcServiceOptions {
  link: ArcLinkConfig;
  dataDir: string;
  mqtt: ArcMqttConfig;
  clock?: Clock;
  log?: Logger;
  openChannel?: (path: ArcPathConfig) => Channel;
}

export type ArcServiceEvents = { status: [IntegrationStatusPayload]; enqueued: [QueuedEvent[]] };

/** The queue file of a link inside the data directory. */
export function queueFile(dataDir: string, linkId: string): string {
  return join(dataDir, `arc-${linkId}.db`);
}

export class ArcService extends EventEmitter<ArcServiceEvents> {
  readonly counters = new Counters();
  readonly clock: Clock;
  readonly log: Logger;
  queue!: ArcQueue;
  link!: ArcLink;
  private bus: MqttBus | undefined;
  private lastStatus: IntegrationStatusPayload | undefined;

  constructor(private readonly opts: ArcServiceOptions) {
    super();
    this.clock = opts.clock ?? new SystemClock();
    this.log = opts.log ?? createLogger(`arc.${opts.link.id}`);
  }

  get id(): string {
    return this.opts.link.id;
  }

  get status(): IntegrationStatusPayload | undefined {
    return this.lastStatus;
  }

  async start(): Promise<void> {
    const { link: config, dataDir, mqtt } = this.opts;
    mkdirSync(dataDir, { recursive: true });
    this.queue = new ArcQueue(queueFile(dataDir, config.id));
    this.link = new ArcLink({ config, queue: this.queue, clock: this.clock, log: this.log, ...(this.opts.openChannel ? { openChannel: this.opts.openChannel } : {}) });
    this.link.on('status', (s) => this.publishStatus(s));
    const will = this.payload({ ok: false, detail: 'ARC output offline: its process stopped answering the broker' });
    this.bus = await MqttBus.connect({
      url: mqtt.url,
      clientId: `${mqtt.clientId}-${config.id}`,
      ...(mqtt.username === undefined ? {} : { username: mqtt.username }),
      ...(mqtt.password === undefined ? {} : { password: mqtt.password }),
      clean: false,
      will: { topic: topic.integrationStatus(config.id), payload: JSON.stringify(will), qos: 1, retain: true },
      log: this.log.child('mqtt'),
    });
    await this.bus.subscribe(topicFilter('alarm'), 1, (t, payload) => this.onAlarm(t, payload));
    this.link.start();
    this.log.info('ARC output started', { paths: config.paths.map((p) => `${p.name} ${p.transport}://${p.host}:${p.port}`), format: config.format, encrypted: config.key !== undefined });
  }

  async stop(): Promise<void> {
    if (this.link) await this.link.stop();
    const bus = this.bus;
    this.bus = undefined;
    if (bus) {
      // Stopped on purpose is still "alarms do not reach the ARC": say so before leaving.
      const stopped = this.payload({ ok: false, detail: 'ARC output stopped', ...(this.lastStatus?.paths ? { paths: this.lastStatus.paths } : {}) });
      await this.within(bus.publish(topic.integrationStatus(this.id), JSON.stringify(stopped), { qos: 1, retain: true }), 2000);
      await this.within(bus.close(), 2000);
    }
    this.queue?.close();
  }

  private async within(p: Promise<void>, ms: number): Promise<void> {
    let timer: number | undefined;
    await Promise.race([p.catch((e: unknown) => this.log.warn('shutdown step failed', { error: e as Error })), new Promise<void>((r) => (timer = this.clock.setTimeout(r, ms)))]);
    this.clock.clearTimeout(timer);
  }

  private onAlarm(t: string, payload: Uint8Array): void {
    const parsed = parsePayload('alarm', payload);
    if (!parsed.ok) {
      this.counters.inc('alarm_invalid');
      this.log.warn('alarm message dropped: invalid payload', { topic: t, errors: parsed.errors.slice(0, 5) });
      return;
    }
    const alarm = parsed.value;
    let skipped: string | undefined;
    let events: QueuedEvent[];
    try {
      events = this.queue.applyAlarm(alarm.id, this.clock.now(), (prev) => {
        const tr = alarmTransition(alarm, prev, { link: this.opts.link, codes: this.link.codes });
        skipped = tr.skipped;
        return tr;
      });
    } catch (e) {
      // The queue could not be written (disk full…): do not acknowledge, the broker redelivers.
      this.log.error('cannot queue alarm event; asking for redelivery', { alarmId: alarm.id, error: e as Error });
      throw new RetryLater((e as Error).message);
    }
    this.counters.inc(skipped ? `alarm_skipped_${skipped}` : 'alarm_queued');
    if (events.length === 0) return;
    this.log.info('alarm queued for the ARC', { alarmId: alarm.id, state: alarm.state, events: events.map((e) => `${e.kind} ${e.data}`) });
    this.emit('enqueued', events);
    this.link.kick();
  }

  private payload(p: { ok: boolean; detail: string; paths?: IntegrationStatusPayload['paths'] }): IntegrationStatusPayload {
    return { v: 1, integrationId: this.id, kind: INTEGRATION_KIND, ok: p.ok, at: this.clock.now(), detail: p.detail.slice(0, 512), ...(p.paths ? { paths: p.paths } : {}) };
  }

  private publishStatus(s: LinkStatus): void {
    const status = this.payload({ ok: s.ok, detail: s.detail, paths: s.paths });
    this.lastStatus = status;
    (s.ok ? this.log.info : this.log.warn)('integration status', { ok: s.ok, detail: s.detail, queued: s.queued });
    this.bus?.send(topic.integrationStatus(this.id), JSON.stringify(status), { qos: 1, retain: true });
    this.emit('status', status);
  }
}

/** One service per configured ARC (each has its own MQTT session, queue and status). */
export function arcServices(config: ArcConfig, deps: { clock?: Clock; log?: Logger } = {}): ArcService[] {
  return config.arcs.map(
    (link) => new ArcService({ link, dataDir: config.dataDir, mqtt: config.mqtt, ...(deps.clock ? { clock: deps.clock } : {}), ...(deps.log ? { log: deps.log.child(link.id) } : {}) }),
  );
}
