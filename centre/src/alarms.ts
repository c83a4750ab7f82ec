/**
 * Alarm lifecycle (SPEC §8.2): pending (pre-alarm) → raised → acknowledged (first acknowledgement
 * wins) → resolved with a reason and a mandatory comment; pending → cancelled by the worker. Every
 * transition is a conditional update in the store with its audit entry, then published on MQTT,
 * to the live stream, and — for device alarms — as a downlink to the pendant.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock';
import type { MessageBus } from '../../common/bus';
import type { Logger } from '../../common/log';
import {
  type AlarmPayload,
  alarmPriority,
  type AlarmType,
  type DownlinkCommand,
  type DownlinkPayload,
  type PositionPayload,
  RESOLUTION_REASONS,
  type ResolutionReason,
  type SiteStatePayload,
  topic,
} from '../../protocol/src';
import type { LiveHub } from './live';
import type { Alarm, DeviceRecord, NewAlarm, Store } from './store/types';
import { alarmView } from './views';

export type AlarmResult = { ok: true; alarm: Alarm } | { ok: false; code: 'not_found' | 'conflict' | 'invalid'; message: string };

const OPEN = ['pending', 'raised', 'acknowledged'] as const;

export interface DeviceAlarmInput {
  device: DeviceRecord;
  type: AlarmType;
  counter: number;
  incidentRef: number;
  at: number;
  position: PositionPayload | null;
}

export class AlarmService {
  constructor(private readonly ctx: { store: Store; bus: MessageBus; clock: Clock; log: Logger; live: LiveHub }) {}

  /** An alarm frame from a pendant: a new alarm, or one more frame of an open one (merged). */
  async deviceAlarm(input: DeviceAlarmInput): Promise<Alarm> {
    const { store } = this.ctx;
    const open = await store.findOpenAlarm(input.device.id, input.type);
    let alarm: Alarm;
    if (open) {
      const patch: Partial<Alarm> = { lastCounter: Math.max(open.lastCounter ?? 0, input.counter), updatedAt: input.at };
      if (input.position) Object.assign(patch, { position: input.position, positionAt: input.at });
      if (open.state === 'pending') Object.assign(patch, { state: 'raised', raisedAt: input.at });
      const updated = await store.updateAlarm(open.id, OPEN, patch, open.state === 'pending' ? audit(input.at, `device:${input.device.id}`, 'raised', open.id, { counter: input.counter }) : undefined);
      alarm = updated ?? open;
      if (open.state === 'pending' && updated) await this.published(updated);
    } else {
      alarm = await this.create({ ...base(input), state: 'raised', raisedAt: input.at }, `device:${input.device.id}`, 'raised');
    }
    // Every alarm frame gets an answer, so a pendant that missed one keeps hearing the truth.
    this.downlink(alarm, input.counter, alarm.state === 'acknowledged' ? 'help_coming' : 'received');
    return alarm;
  }

  /** A pre-alarm: the pendant's cancel window is running. */
  async devicePending(input: DeviceAlarmInput): Promise<Alarm> {
    const open = await this.ctx.store.findOpenAlarm(input.device.id, input.type);
    if (open) return open;
    return this.create({ ...base(input), state: 'pending', raisedAt: null }, `device:${input.device.id}`, 'pending');
  }

  /** The worker cancelled during the pre-alarm; a raised alarm cannot be cancelled from the pendant. */
  async deviceCancel(input: DeviceAlarmInput): Promise<Alarm | undefined> {
    const open = await this.ctx.store.findOpenAlarm(input.device.id, input.type);
    if (!open || open.incidentRef !== input.incidentRef) return undefined;
    const updated = await this.ctx.store.updateAlarm(open.id, ['pending'], { state: 'cancelled', updatedAt: input.at, resolvedAt: input.at, lastCounter: input.counter }, audit(input.at, `device:${input.device.id}`, 'cancelled', open.id, { counter: input.counter }));
    if (!updated) return undefined;
    await this.published(updated);
    this.downlink(updated, input.counter, 'closed');
    return updated;
  }

  async acknowledge(id: string, actor: string): Promise<AlarmResult> {
    const now = this.ctx.clock.now();
    const alarm = await this.ctx.store.updateAlarm(id, ['pending', 'raised'], { state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: actor, updatedAt: now }, audit(now, actor, 'acknowledged', id));
    if (!alarm) return this.failure(id, 'acknowledged');
    await this.published(alarm);
    if (alarm.lastCounter !== null) this.downlink(alarm, alarm.lastCounter, 'help_coming');
    return { ok: true, alarm };
  }

  async resolve(id: string, actor: string, reason: unknown, comment: unknown): Promise<AlarmResult> {
    if (typeof reason !== 'string' || !(RESOLUTION_REASONS as readonly string[]).includes(reason)) {
      return { ok: false, code: 'invalid', message: `reason must be one of ${RESOLUTION_REASONS.join(', ')}` };
    }
    if (typeof comment !== 'string' || comment.trim().length === 0) return { ok: false, code: 'invalid', message: 'a comment is required to resolve an alarm' };
    const now = this.ctx.clock.now();
    const alarm = await this.ctx.store.updateAlarm(
      id, OPEN,
      { state: 'resolved', resolvedAt: now, resolvedBy: actor, resolution: reason as ResolutionReason, comment: comment.trim(), updatedAt: now },
      audit(now, actor, 'resolved', id, { reason, comment: comment.trim() }),
    );
    if (!alarm) return this.failure(id, 'resolved');
    await this.published(alarm);
    if (alarm.lastCounter !== null) this.downlink(alarm, alarm.lastCounter, 'closed');
    return { ok: true, alarm };
  }

  private async failure(id: string, what: string): Promise<AlarmResult> {
    const current = await this.ctx.store.getAlarm(id);
    if (!current) return { ok: false, code: 'not_found', message: `Unknown alarm '${id}'` };
    return { ok: false, code: 'conflict', message: `Alarm ${current.number} cannot be ${what}: it is ${current.state}` };
  }

  private async create(a: NewAlarm, actor: string, action: string): Promise<Alarm> {
    const alarm = await this.ctx.store.createAlarm(a, audit(a.createdAt, actor, action, a.id, { type: a.type }));
    await this.published(alarm);
    return alarm;
  }

  /** Tells MQTT subscribers, the site's gateways (sirens) and the consoles. */
  private async published(alarm: Alarm): Promise<void> {
    const { bus, store, live } = this.ctx;
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    live.publish({ type: 'alarm', alarm: alarmView(alarm, worker) });
    const payload: AlarmPayload = {
      v: 1, id: alarm.id, number: alarm.number, type: alarm.type, state: alarm.state, priority: alarm.priority,
      siteId: alarm.siteId, deviceId: alarm.deviceId, workerId: alarm.workerId, raisedAt: alarm.raisedAt ?? alarm.createdAt,
      updatedAt: alarm.updatedAt, acknowledgedAt: alarm.acknowledgedAt, resolvedAt: alarm.resolvedAt, resolution: alarm.resolution,
      position: alarm.position, positionAt: alarm.positionAt,
    };
    bus.send(topic.alarm(alarm.id), JSON.stringify(payload), { qos: 1 });
    if (alarm.siteId) {
      const open = (await store.listAlarms({ states: ['raised', 'acknowledged'] })).filter((a) => a.siteId === alarm.siteId);
      const state: SiteStatePayload = { v: 1, siteId: alarm.siteId, openAlarms: open.length, types: [...new Set(open.map((a) => a.type))], at: this.ctx.clock.now() };
      bus.send(topic.siteState(alarm.siteId), JSON.stringify(state), { qos: 1, retain: true });
    }
  }

  private downlink(alarm: Alarm, counter: number, command: DownlinkCommand): void {
    if (!alarm.deviceId || !alarm.siteId) return;
    const payload: DownlinkPayload = { v: 1, deviceId: alarm.deviceId, counter, command, param: 0 };
    this.ctx.bus.send(topic.downlink(alarm.siteId), JSON.stringify(payload), { qos: 1 });
  }
}

function base(input: DeviceAlarmInput): NewAlarm {
  return {
    id: randomUUID(), type: input.type, state: 'raised', priority: alarmPriority(input.type),
    siteId: input.device.siteId, deviceId: input.device.id, workerId: input.device.workerId,
    incidentRef: input.incidentRef, lastCounter: input.counter, position: input.position, positionAt: input.position ? input.at : null,
    createdAt: input.at, raisedAt: null, updatedAt: input.at, acknowledgedAt: null, acknowledgedBy: null,
    resolvedAt: null, resolvedBy: null, resolution: null, comment: null,
  };
}

function audit(at: number, actor: string, action: string, alarmId: string, data?: Record<string, unknown>) {
  return { at, actor, action, entity: 'alarm', entityId: alarmId, ...(data ? { data } : {}) };
}
