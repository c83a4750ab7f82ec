/**
 * Telling the world about an alarm change: MQTT (`vigil/v1/alarms/<id>` for integrators and the
 * alarm-receiving-centre output, the site's retained state for sirens), the consoles' live stream,
 * and answers to the pendant. Duress is silent end to end: its payload text warns receivers not to
 * call the worker, and the pendant never gets a downlink that makes it buzz or light up.
 */
import type { Clock, TimerId } from '../../../common/clock';
import type { MessageBus } from '../../../common/bus';
import { type AlarmPayload, type DownlinkCommand, type DownlinkPayload, type SettingName, type SiteStatePayload, topic } from '../../../protocol/src';
import type { LiveHub } from './live';
import type { Alarm, Store } from '../store/types';
import { alarmView, type PlaceResolver } from './views';

const SITE_STATE_MS = 250;

/** Downlinks a duress alarm may send: `received` stops the pendant repeating (it shows nothing for duress), `closed` ends it. */
const DURESS_SAFE: ReadonlySet<DownlinkCommand> = new Set(['received', 'closed']);

/** Status commands in the order they go out when several wait for the same pendant. */
const COMMAND_ORDER: readonly DownlinkCommand[] = ['protection', 'check_in_request', 'session_reminder'];

/**
 * A pendant acts on at most one status command per counter, in counter order (SPEC §4.6): commands the
 * server starts (protection, check-in prompt, session reminder) answer the pendant's latest counter, so
 * this remembers which command went out on which (device, counter) and holds any other one until the
 * pendant sends a newer frame. Sending the same command again on the same counter is a harmless repeat
 * (identical bytes, SPEC §3.3).
 */
export class DownlinkGuard {
  private readonly sent = new Map<string, string>();
  held = 0;

  allow(deviceId: string, counter: number, command: DownlinkCommand, param: number, setting?: SettingName): boolean {
    const key = `${deviceId}|${counter}`;
    const what = `${command}:${setting ?? ''}:${param}`;
    const prev = this.sent.get(key);
    if (prev !== undefined && prev !== what) {
      this.held++;
      return false;
    }
    if (this.sent.size > 50_000) this.sent.clear();
    this.sent.set(key, what);
    return true;
  }
}

export class AlarmPublisher {
  readonly guard = new DownlinkGuard();
  private readonly siteStateAt = new Map<string, number>();
  private readonly siteStateTimers = new Map<string, TimerId>();
  /** Commands held by the guard, per device (latest per command), sent one per new frame of the pendant. */
  private readonly waiting = new Map<string, Map<DownlinkCommand, { siteId: string; param: number }>>();

  constructor(private readonly ctx: {
    store: Store; bus: MessageBus; clock: Clock; live: LiveHub; places?: PlaceResolver;
    /**
     * In a cluster: hands a command for a device another worker owns to that worker (true) — only the
     * owner answers a pendant, so the nonce guard below sees every command of the device.
     */
    route?: (c: { siteId: string; deviceId: string; counter: number; command: DownlinkCommand; param: number }) => boolean;
  }) {}

  async publish(alarm: Alarm): Promise<void> {
    const { bus, store, live } = this.ctx;
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    const place = this.ctx.places ? await this.ctx.places.describe(alarm.position ?? null) : null;
    live.publish({ type: 'alarm', alarm: alarmView(alarm, worker, place, this.ctx.clock.now()) });
    const payload: AlarmPayload = {
      v: 1, id: alarm.id, number: alarm.number, type: alarm.type, state: alarm.state, priority: alarm.priority,
      siteId: alarm.siteId, deviceId: alarm.deviceId, workerId: alarm.workerId, raisedAt: alarm.raisedAt ?? alarm.createdAt,
      updatedAt: alarm.updatedAt, acknowledgedAt: alarm.acknowledgedAt, resolvedAt: alarm.resolvedAt, resolution: alarm.resolution,
      position: alarm.position, positionAt: alarm.positionAt,
    };
    const text = payloadText(alarm, place?.label ?? null);
    if (text) payload.text = text;
    bus.send(topic.alarm(alarm.id), JSON.stringify(payload), { qos: 1 });
    if (alarm.siteId) await this.siteState(alarm.siteId);
  }

  /**
   * The site's retained state (sirens, strobes): published at once when the site was quiet, else at
   * most every SITE_STATE_MS with the latest summary — a burst of alarms at one site costs one query
   * per period, not one per alarm, and the first alarm still reaches the siren immediately.
   */
  private async siteState(siteId: string): Promise<void> {
    const now = this.ctx.clock.now();
    const last = this.siteStateAt.get(siteId) ?? -Infinity;
    if (now - last >= SITE_STATE_MS) {
      this.siteStateAt.set(siteId, now);
      await this.sendSiteState(siteId);
      return;
    }
    if (this.siteStateTimers.has(siteId)) return;
    this.siteStateTimers.set(siteId, this.ctx.clock.setTimeout(() => {
      this.siteStateTimers.delete(siteId);
      this.siteStateAt.set(siteId, this.ctx.clock.now());
      void this.sendSiteState(siteId).catch(() => undefined);
    }, last + SITE_STATE_MS - now));
  }

  private async sendSiteState(siteId: string): Promise<void> {
    const summary = await this.ctx.store.siteAlarmSummary(siteId);
    const state: SiteStatePayload = { v: 1, siteId, ...summary, at: this.ctx.clock.now() };
    this.ctx.bus.send(topic.siteState(siteId), JSON.stringify(state), { qos: 1, retain: true });
  }

  /**
   * Answers the pendant's frame `counter`. For duress, a command that would buzz (`help_coming`)
   * becomes `received`: the pendant still stops repeating, and shows nothing.
   */
  downlink(alarm: Alarm, counter: number | null, command: DownlinkCommand): void {
    if (!alarm.deviceId || !alarm.siteId || counter === null) return;
    // Answers to an incident are accepted for any of its counters (SPEC §4.6): no guard needed.
    this.send(alarm.siteId, alarm.deviceId, counter, alarm.type === 'duress' && !DURESS_SAFE.has(command) ? 'received' : command, 0);
  }

  /**
   * A command for a pendant (session reminder, check-in prompt, protection, a setting). When the guard
   * holds it (another command already answers this counter), it waits for the pendant's next frame —
   * a setting does not wait here: the settings service offers it again with every frame.
   */
  command(siteId: string, deviceId: string, counter: number, command: DownlinkCommand, param: number, setting?: SettingName): boolean {
    if (setting !== undefined) {
      if (!this.guard.allow(deviceId, counter, command, param, setting)) return false;
      this.send(siteId, deviceId, counter, command, param, setting);
      return true;
    }
    if (this.ctx.route?.({ siteId, deviceId, counter, command, param })) return true;
    if (!this.guard.allow(deviceId, counter, command, param)) {
      const q = this.waiting.get(deviceId) ?? new Map<DownlinkCommand, { siteId: string; param: number }>();
      q.set(command, { siteId, param });
      this.waiting.set(deviceId, q);
      return false;
    }
    this.waiting.get(deviceId)?.delete(command);
    this.send(siteId, deviceId, counter, command, param);
    return true;
  }

  private send(siteId: string, deviceId: string, counter: number, command: DownlinkCommand, param: number, setting?: SettingName): void {
    const payload: DownlinkPayload = { v: 1, deviceId, counter, command, param, ...(setting === undefined ? {} : { setting }) };
    this.ctx.bus.send(topic.downlink(siteId), JSON.stringify(payload), { qos: 1 });
  }

  /** A new frame from the pendant: the most important waiting command goes out with it, the others wait for the next ones. */
  heard(deviceId: string, counter: number): void {
    const q = this.waiting.get(deviceId);
    if (!q) return;
    const command = COMMAND_ORDER.find((c) => q.has(c));
    if (!command) return;
    const c = q.get(command)!;
    q.delete(command);
    if (q.size === 0) this.waiting.delete(deviceId);
    this.command(c.siteId, deviceId, counter, command, c.param);
  }
}

/** At most 256 characters (the payload schema's limit). */
export function payloadText(alarm: Alarm, place: string | null): string | undefined {
  const parts: string[] = [];
  if (alarm.type === 'duress') parts.push('SILENT ALARM (duress): do not call the worker');
  if (alarm.text) parts.push(alarm.text);
  if (place) parts.push(place);
  const text = parts.join(' · ');
  return text ? text.slice(0, 256) : undefined;
}
