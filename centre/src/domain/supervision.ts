/**
 * Silence is a state we detect (principle 2). A protected pendant that sends nothing for
 * `silentAfterHeartbeats` heartbeat periods raises `device_silent`; a gateway whose retained status says
 * `online: false` (its last will, or a clean stop) or that misses `gatewayMissedHeartbeats` of its own
 * heartbeats raises `gateway_offline` (30 s heartbeats → 90 s, inside UK Grade 4's 3 minutes); a low
 * battery raises a warning; an integration reporting `ok: false` raises `integration_failed`; a wired
 * panic input raises `sos` for its configured point. The end of each condition restores its alarm
 * (alarms.ts: closed if nobody took it yet, annotated otherwise).
 *
 * The timers are derived from durable rows — a device's `lastSeenAt` and its active session, a
 * gateway's `lastSeenAt` — and rebuilt from them on start.
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { Counters } from '../../../common/counters';
import { type Flags, parsePayload, parseTopic } from '../../../protocol/src';
import type { AlarmService } from './alarms';
import type { SupervisionConfig } from '../config';
import type { Scheduler } from './scheduler';
import { devicePartition, gatewayPartition } from './partition';
import type { SessionService } from './sessions';
import type { DeviceRecord, GatewayRecord, Store } from '../store/types';

/** Frames arriving this late (gateway to centre) mean a backlog, not a network's jitter. */
const LAG_TOLERANCE_MS = 10_000;

export class Supervision {
  readonly counters = new Counters();
  /** Devices with an open alarm of these types, so a frame needs no query to know whether it restores one. */
  private readonly open = { device_silent: new Set<string>(), low_battery: new Set<string>() };

  constructor(private readonly ctx: {
    store: Store; clock: Clock; log: Logger; scheduler: Scheduler; alarms: AlarmService; sessions: SessionService; config: SupervisionConfig;
    /** The device as known now (the ingest's cache is ahead of the store for heartbeats). */
    currentDevice?: (id: string) => Promise<DeviceRecord | undefined>;
    /** How far behind the gateways frames reach this process (ingest.ts `lagMs`). */
    ingestLagMs?: () => number;
  }) {
    ctx.scheduler.on('device_silent', (id) => this.deviceSilentDue(id));
    ctx.scheduler.on('gateway_silent', (id) => this.gatewaySilentDue(id));
    ctx.alarms.onChange(async (a, action) => {
      if ((a.type !== 'device_silent' && a.type !== 'low_battery') || !a.deviceId) return;
      if (action === 'resolved' || action === 'cancelled') this.open[a.type].delete(a.deviceId);
    });
    ctx.sessions.onChange((s, action) => {
      if (!s.deviceId) return;
      if (action === 'started') this.armDevice(s.deviceId, Math.max(this.ctx.clock.now(), s.startedAt));
      if (action === 'stopped' || action === 'expired') {
        this.ctx.scheduler.clear(`silent:${s.deviceId}`);
        if (action === 'stopped') void this.ctx.alarms.restore(`device:${s.deviceId}`, 'device_silent', 'protection ended').catch((e: unknown) => this.ctx.log.warn('restore failed', { error: e as Error }));
      }
    });
  }

  private get silentMs(): number {
    return this.ctx.config.heartbeatIntervalS * this.ctx.config.silentAfterHeartbeats * 1000;
  }

  /**
   * Start-up (and, in a cluster, taking over buckets): silence timers for protected pendants and online
   * gateways, from their last-seen times — for the partitions `owns` accepts.
   */
  async rebuild(owns: (partition: string) => boolean = () => true): Promise<void> {
    for (const a of await this.ctx.store.listAlarms({ states: ['raised', 'acknowledged'], limit: 100_000 })) {
      if ((a.type === 'device_silent' || a.type === 'low_battery') && a.deviceId && owns(devicePartition(a.deviceId))) this.open[a.type].add(a.deviceId);
    }
    for (const id of this.ctx.sessions.protectedDeviceIds()) {
      if (!owns(devicePartition(id))) continue;
      const d = await this.ctx.store.getDevice(id);
      const s = await this.ctx.store.findActiveWorkSession(d?.workerId ?? `device:${id}`);
      if (d && s) this.armDevice(id, Math.max(d.lastSeenAt ?? 0, s.startedAt));
    }
    for (const g of await this.ctx.store.listEntities('gateway')) if (g.online && g.lastSeenAt !== null && g.heartbeatS && owns(gatewayPartition(g.id))) this.armGateway(g);
  }

  /** Any authenticated frame is a sign of life; battery level travels in every frame. */
  async onDeviceFrame(device: DeviceRecord, frame: { at: number; type: string; batteryPct: number | null; flags: Flags }): Promise<void> {
    if (this.ctx.sessions.isProtected(device.id)) {
      this.armDevice(device.id, frame.at);
      if (this.open.device_silent.delete(device.id)) await this.ctx.alarms.restore(`device:${device.id}`, 'device_silent', 'the pendant was heard again');
    }
    await this.battery(device, frame);
  }

  private async battery(device: DeviceRecord, f: { at: number; type: string; batteryPct: number | null; flags: Flags }): Promise<void> {
    const limit = this.ctx.config.lowBatteryPct;
    const low = f.type === 'low_battery' || (f.flags.lowBattery && !f.flags.charging) || (f.batteryPct !== null && f.batteryPct <= limit && !f.flags.charging);
    if (low) {
      if (this.open.low_battery.has(device.id)) return;
      this.open.low_battery.add(device.id);
      await this.ctx.alarms.raiseSystem({
        type: 'low_battery', subject: `device:${device.id}`, at: f.at, siteId: device.siteId, deviceId: device.id, workerId: device.workerId,
        text: `Battery ${f.batteryPct === null ? 'low' : `${f.batteryPct} %`}: charge or swap the pendant`, data: { batteryPct: f.batteryPct },
      });
    } else if ((f.flags.charging || (f.batteryPct !== null && f.batteryPct >= limit + 10)) && this.open.low_battery.delete(device.id)) {
      await this.ctx.alarms.restore(`device:${device.id}`, 'low_battery', f.flags.charging ? 'charging' : `battery ${f.batteryPct} %`);
    }
  }

  private armDevice(deviceId: string, lastHeardAt: number): void {
    this.ctx.scheduler.set(`silent:${deviceId}`, lastHeardAt + this.silentMs, 'device_silent', deviceId, devicePartition(deviceId));
  }

  private async deviceSilentDue(deviceId: string): Promise<void> {
    if (!this.ctx.sessions.isProtected(deviceId)) return;
    const d = await (this.ctx.currentDevice ?? ((id: string) => this.ctx.store.getDevice(id)))(deviceId);
    const s = d ? await this.ctx.store.findActiveWorkSession(d.workerId ?? `device:${d.id}`) : undefined;
    if (!d || !s) return;
    const lastHeard = Math.max(d.lastSeenAt ?? 0, s.startedAt);
    const now = this.ctx.clock.now();
    if (now < lastHeard + this.silentMs) return this.armDevice(deviceId, lastHeard);
    // Frames reach us late (a backlog: a storm of heartbeats, a worker catching up): the ones that
    // would show the pendant alive may be on their way. Wait as long as they take — up to a second
    // silence period, then the alarm goes out whatever the lag (fail loud).
    const lagMs = this.ctx.ingestLagMs?.() ?? 0;
    if (lagMs > LAG_TOLERANCE_MS && now < lastHeard + 2 * this.silentMs) {
      this.counters.inc('device_silent_postponed');
      this.ctx.log.debug('device silence postponed: frames reach the centre late', { deviceId, lagMs });
      return this.armDevice(deviceId, Math.min(now + lagMs, lastHeard + 2 * this.silentMs) - this.silentMs);
    }
    this.open.device_silent.add(d.id);
    await this.ctx.alarms.raiseSystem({
      type: 'device_silent', subject: `device:${d.id}`, at: now, siteId: d.siteId, deviceId: d.id, workerId: d.workerId, sessionId: s.id,
      text: `No frame from the pendant for ${Math.round((now - lastHeard) / 60_000)} min while protected`, data: { lastSeenAt: d.lastSeenAt },
    });
  }

  /** `vigil/v1/sites/<site>/gateways/<gw>/status` (retained; also the gateway's last will). */
  async onGatewayStatus(topicName: string, raw: Uint8Array): Promise<void> {
    const t = parseTopic(topicName);
    const p = parsePayload('gatewayStatus', raw);
    if (!t || !p.ok || p.value.siteId !== t.params['siteId'] || p.value.gatewayId !== t.params['gatewayId']) {
      this.counters.inc('gateway_status_invalid');
      return;
    }
    const s = p.value;
    const { store, clock } = this.ctx;
    const id = `${s.siteId}/${s.gatewayId}`;
    const known = await store.getEntity('gateway', id);
    // A retained status delivered again (a reconnect, a restart) is the same payload: no news about liveness.
    // (A last will carries the `at` of the gateway's connection, older than its heartbeats: compare, don't order.)
    const fresh = !known || known.online !== s.online || known.lastStatusAt !== s.at;
    const now = clock.now();
    const g: GatewayRecord = {
      id, siteId: s.siteId, gatewayId: s.gatewayId, name: known?.name ?? null, online: s.online,
      lastSeenAt: fresh ? now : known.lastSeenAt, lastStatusAt: s.at, heartbeatS: s.heartbeatS ?? known?.heartbeatS ?? 30,
    };
    await store.putEntity('gateway', g);
    if (!s.online) {
      this.ctx.scheduler.clear(`gateway:${id}`);
      await this.raiseGateway(g, `Gateway ${s.gatewayId} is offline (${fresh ? 'its status or last will says so' : 'as last reported'})`);
    } else {
      this.armGateway(g);
      if (fresh) await this.ctx.alarms.restore(`gateway:${id}`, 'gateway_offline', 'the gateway is online again');
    }
  }

  private armGateway(g: GatewayRecord): void {
    this.ctx.scheduler.set(`gateway:${g.id}`, (g.lastSeenAt ?? 0) + (g.heartbeatS ?? 30) * this.ctx.config.gatewayMissedHeartbeats * 1000, 'gateway_silent', g.id, gatewayPartition(g.id));
  }

  private async gatewaySilentDue(id: string): Promise<void> {
    const g = await this.ctx.store.getEntity('gateway', id);
    if (!g || g.online === false || g.lastSeenAt === null) return;
    const now = this.ctx.clock.now();
    const due = g.lastSeenAt + (g.heartbeatS ?? 30) * this.ctx.config.gatewayMissedHeartbeats * 1000;
    if (now < due) return this.armGateway(g);
    await this.raiseGateway(g, `No status from gateway ${g.gatewayId} for ${Math.round((now - g.lastSeenAt) / 1000)} s`);
  }

  private async raiseGateway(g: GatewayRecord, text: string): Promise<void> {
    await this.ctx.alarms.raiseSystem({ type: 'gateway_offline', subject: `gateway:${g.id}`, at: this.ctx.clock.now(), siteId: g.siteId, text, data: { gatewayId: g.gatewayId } });
  }

  /** `vigil/v1/integrations/<id>/status`: an integration (the ARC link) reports its health. */
  async onIntegrationStatus(topicName: string, raw: Uint8Array): Promise<void> {
    const t = parseTopic(topicName);
    const p = parsePayload('integrationStatus', raw);
    if (!t || !p.ok || p.value.integrationId !== t.params['integrationId']) {
      this.counters.inc('integration_status_invalid');
      return;
    }
    const s = p.value;
    const subject = `integration:${s.integrationId}`;
    if (s.ok) await this.ctx.alarms.restore(subject, 'integration_failed', s.detail ?? 'the integration reports ok');
    else await this.ctx.alarms.raiseSystem({ type: 'integration_failed', subject, at: this.ctx.clock.now(), text: `${s.kind} ${s.integrationId}: ${s.detail ?? 'failing'}`.slice(0, 200), data: { kind: s.kind, paths: s.paths ?? null } });
  }

  /** `vigil/v1/sites/<site>/gateways/<gw>/input`: a wired panic button or pull-cord. */
  async onInput(topicName: string, raw: Uint8Array): Promise<void> {
    const t = parseTopic(topicName);
    const p = parsePayload('input', raw);
    if (!t || !p.ok || p.value.siteId !== t.params['siteId'] || p.value.gatewayId !== t.params['gatewayId']) {
      this.counters.inc('input_invalid');
      return;
    }
    const i = p.value;
    const id = `${i.siteId}/${i.gatewayId}/${i.inputId}`;
    const point = await this.ctx.store.getEntity('input', id);
    const zone = point?.zoneId ? await this.ctx.store.getEntity('zone', point.zoneId) : undefined;
    const subject = `input:${id}`;
    if (!i.active) {
      const open = await this.ctx.store.findOpenAlarmBySubject(subject, 'sos');
      if (open) await this.ctx.store.appendAudit({ at: this.ctx.clock.now(), actor: `gateway:${i.gatewayId}`, action: 'input_released', entity: 'alarm', entityId: open.id });
      return;
    }
    // An input nobody configured is still a panic button someone pressed: raise it, say so.
    if (!point) this.ctx.log.warn('unconfigured input raised an alarm', { id });
    const name = point?.name ?? `unconfigured input ${i.inputId} on ${i.gatewayId}`;
    await this.ctx.alarms.raiseSystem({
      type: 'sos', subject, at: this.ctx.clock.now(), siteId: i.siteId, workerId: point?.workerId ?? null,
      text: `Wired panic input: ${name}${zone ? ` (${zone.name}${zone.floor ? `, floor ${zone.floor}` : ''})` : ''}`, data: { input: id, gatewayAt: i.at },
    });
  }
}
