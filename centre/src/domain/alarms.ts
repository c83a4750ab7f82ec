/**
 * Alarm lifecycle (SPEC §8.2): pending (pre-alarm) → raised → acknowledged (first acknowledgement
 * wins) → resolved with a reason and a mandatory comment; pending → cancelled by the worker, and only
 * then. Every transition is a conditional update in the store with its audit entry (actor and time),
 * then published (alarm-publisher.ts) and passed to the listeners (the escalation engine).
 *
 * One incident, one alarm: repeated frames of a device merge into its open alarm of that type, and
 * system alarms merge by subject (`gateway:<site>/<gw>`, `session:<id>`, …). A pre-alarm whose
 * pendant goes silent is raised by the server when its window plus grace has passed: a pendant that
 * dies during its cancel window must not end the incident silently.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { ALARM_TYPES, alarmPriority, type AlarmType, type PositionPayload, RESOLUTION_REASONS, type ResolutionReason } from '../../../protocol/src';
import type { AlarmPublisher } from './alarm-publisher';
import type { Scheduler } from './scheduler';
import type { Alarm, AuditEntry, DeviceRecord, NewAlarm, Store } from '../store/types';
import { alarmPartition } from './partition';

export type AlarmResult = { ok: true; alarm: Alarm } | { ok: false; code: 'not_found' | 'conflict' | 'invalid'; message: string };
/** `duress`: an open alarm of the device was taken over by a duress signal (same alarm, now type duress). */
export type AlarmAction = 'pending' | 'raised' | 'merged' | 'acknowledged' | 'resolved' | 'cancelled' | 'duress';
export type AlarmListener = (alarm: Alarm, action: AlarmAction) => Promise<void>;

const OPEN = ['pending', 'raised', 'acknowledged'] as const;

/** The alarms of a device that a duress signal takes over: every person alarm but duress itself. */
const TAKEN_OVER: readonly AlarmType[] = ALARM_TYPES.filter((t) => t.kind === 'person' && t.name !== 'duress').map((t) => t.name);

/** Technical alarm types: closed automatically on restore unless someone already took them. */
export const TECHNICAL: ReadonlySet<AlarmType> = new Set(['device_silent', 'gateway_offline', 'notifier_failed', 'integration_failed', 'backup_failed', 'low_battery']);

export interface DeviceAlarmInput {
  device: DeviceRecord;
  type: AlarmType;
  counter: number;
  incidentRef: number;
  at: number;
  position: PositionPayload | null;
}

export interface SystemAlarmInput {
  type: AlarmType;
  subject: string;
  at: number;
  siteId?: string | null;
  deviceId?: string | null;
  workerId?: string | null;
  sessionId?: string | null;
  text?: string | null;
  position?: PositionPayload | null;
  positionAt?: number | null;
  /** Audit data of the raise (e.g. which input, which notifier). */
  data?: Record<string, unknown>;
}

export interface LastPosition {
  (deviceId: string): Promise<{ position: PositionPayload; at: number } | undefined>;
}

export class AlarmService {
  private readonly listeners: AlarmListener[] = [];
  private readonly preAlarmMs: number;

  constructor(private readonly ctx: { store: Store; clock: Clock; log: Logger; publisher: AlarmPublisher; scheduler: Scheduler; preAlarmTimeoutS?: number; lastPosition?: LastPosition }) {
    this.preAlarmMs = (ctx.preAlarmTimeoutS ?? 75) * 1000;
    ctx.scheduler.on('pre_alarm', (id) => this.expirePending(id));
  }

  onChange(fn: AlarmListener): void {
    this.listeners.push(fn);
  }

  /** Re-arms pre-alarm expiry for every pending alarm (start-up). */
  async rebuildTimers(owns: (partition: string) => boolean = () => true): Promise<number> {
    const pending = (await this.ctx.store.listAlarms({ states: ['pending'], limit: 100_000 })).filter((a) => owns(alarmPartition(a)));
    for (const a of pending) this.ctx.scheduler.set(`prealarm:${a.id}`, a.createdAt + this.preAlarmMs, 'pre_alarm', a.id, alarmPartition(a));
    return pending.length;
  }

  /** An alarm frame from a pendant: a new alarm, or one more frame of an open one (merged). */
  async deviceAlarm(input: DeviceAlarmInput): Promise<Alarm> {
    const { store } = this.ctx;
    const actor = `device:${input.device.id}`;
    const open = (await store.findOpenAlarm(input.device.id, input.type)) ?? (input.type === 'duress' ? await this.takeOver(input) : await this.openDuress(input));
    let alarm: Alarm;
    if (open) {
      const patch: Partial<Alarm> = { lastCounter: Math.max(open.lastCounter ?? 0, input.counter), updatedAt: input.at };
      if (input.position) Object.assign(patch, { position: input.position, positionAt: input.at });
      const raising = open.state === 'pending';
      if (raising) Object.assign(patch, { state: 'raised', raisedAt: input.at });
      const updated = await store.updateAlarm(open.id, raising ? ['pending'] : OPEN, patch, raising ? audit(input.at, actor, 'raised', open.id, { counter: input.counter }) : undefined);
      alarm = updated ?? open;
      if (raising && updated) {
        this.ctx.scheduler.clear(`prealarm:${open.id}`);
        await this.changed(updated, 'raised');
      } else if (updated && input.position) {
        await this.ctx.publisher.publish(updated);
      }
    } else {
      const located = await this.located(input);
      const fresh = { ...base(input), ...located, state: 'raised' as const, raisedAt: input.at };
      alarm = await this.create(fresh, actor, 'raised', { counter: input.counter });
      // Raised meanwhile by another worker (the store keeps one open alarm per subject): merge into it.
      if (alarm.id !== fresh.id) return this.deviceAlarm(input);
    }
    // Every alarm frame gets an answer, so a pendant that missed one keeps hearing the truth.
    this.ctx.publisher.downlink(alarm, input.counter, alarm.state === 'acknowledged' ? 'help_coming' : 'received');
    return alarm;
  }

  /**
   * Duress during an open SOS or pre-alarm of the same pendant (issue 20): one incident, not two. The
   * open alarm becomes the duress alarm — same id and number, duress priority, raised if it was still a
   * pre-alarm or already acknowledged — and the listeners hear `duress`: the escalation engine replaces
   * the rest of the ladder with the duress plan, and everything keyed on the alarm's type (worker app,
   * console Call button, responder page, SMS to the worker, pendant feedback) now treats it as duress.
   * Returns the converted alarm for deviceAlarm to merge the frame into, or undefined when there is none.
   */
  private async takeOver(input: DeviceAlarmInput): Promise<Alarm | undefined> {
    const { store } = this.ctx;
    for (const type of TAKEN_OVER) {
      const open = await store.findOpenAlarm(input.device.id, type);
      if (!open) continue;
      const at = input.at;
      const raised = open.state === 'raised' ? {} : { state: 'raised' as const, raisedAt: open.raisedAt ?? at, acknowledgedAt: null, acknowledgedBy: null };
      const patch: Partial<Alarm> = { type: 'duress', priority: alarmPriority('duress'), updatedAt: at, lastCounter: Math.max(open.lastCounter ?? 0, input.counter), ...raised };
      if (input.position) Object.assign(patch, { position: input.position, positionAt: at });
      const taken = await store.updateAlarm(open.id, OPEN, patch, audit(at, `device:${input.device.id}`, 'duress_takeover', open.id, { from: open.type, state: open.state, counter: input.counter }));
      if (!taken) continue; // closed meanwhile: look further, else a fresh duress alarm
      this.ctx.scheduler.clear(`prealarm:${open.id}`);
      await this.changed(taken, 'duress');
      return taken;
    }
    return undefined;
  }

  /** A person alarm of a device under duress is one more frame of the duress incident, never a second alarm that would reach the worker. */
  private async openDuress(input: DeviceAlarmInput): Promise<Alarm | undefined> {
    return TAKEN_OVER.includes(input.type) ? this.ctx.store.findOpenAlarm(input.device.id, 'duress') : undefined;
  }

  /** A pre-alarm: the pendant's cancel window is running. */
  async devicePending(input: DeviceAlarmInput): Promise<Alarm> {
    const open = (await this.ctx.store.findOpenAlarm(input.device.id, input.type)) ?? (await this.openDuress(input));
    if (open) return open;
    const located = await this.located(input);
    const fresh = { ...base(input), ...located, state: 'pending' as const, raisedAt: null };
    const alarm = await this.create(fresh, `device:${input.device.id}`, 'pending', { counter: input.counter });
    if (alarm.id !== fresh.id) return alarm;
    this.ctx.scheduler.set(`prealarm:${alarm.id}`, alarm.createdAt + this.preAlarmMs, 'pre_alarm', alarm.id, alarmPartition(alarm));
    return alarm;
  }

  /** The worker cancelled during the pre-alarm; a raised alarm cannot be cancelled from the pendant. */
  async deviceCancel(input: DeviceAlarmInput): Promise<Alarm | undefined> {
    const { store } = this.ctx;
    const open = await store.findOpenAlarm(input.device.id, input.type);
    if (!open || open.incidentRef !== input.incidentRef) return undefined;
    const actor = `device:${input.device.id}`;
    const updated = await store.updateAlarm(open.id, ['pending'], { state: 'cancelled', updatedAt: input.at, resolvedAt: input.at, lastCounter: input.counter }, audit(input.at, actor, 'cancelled', open.id, { counter: input.counter }));
    if (!updated) {
      // Too late: the alarm was raised (window over, or raised by the server). It stays open.
      await store.appendAudit(audit(input.at, actor, 'cancel_refused', open.id, { counter: input.counter, state: open.state }));
      return undefined;
    }
    this.ctx.scheduler.clear(`prealarm:${open.id}`);
    await this.changed(updated, 'cancelled');
    this.ctx.publisher.downlink(updated, input.counter, 'closed');
    return updated;
  }

  /** Raises (or merges into the open alarm of the same subject and type) an alarm the server detected. */
  async raiseSystem(input: SystemAlarmInput): Promise<{ alarm: Alarm; created: boolean }> {
    const open = await this.ctx.store.findOpenAlarmBySubject(input.subject, input.type);
    if (open) return { alarm: open, created: false };
    const a: NewAlarm = {
      id: randomUUID(), type: input.type, state: 'raised', priority: alarmPriority(input.type), siteId: input.siteId ?? null,
      deviceId: input.deviceId ?? null, workerId: input.workerId ?? null, incidentRef: null, lastCounter: null,
      position: input.position ?? null, positionAt: input.position ? (input.positionAt ?? input.at) : null, createdAt: input.at, raisedAt: input.at,
      updatedAt: input.at, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null,
      subject: input.subject, text: input.text ?? null, sessionId: input.sessionId ?? null,
    };
    if (!a.position && a.deviceId) Object.assign(a, await this.located({ position: null, device: { id: a.deviceId } as DeviceRecord }));
    const alarm = await this.create(a, 'system', 'raised', input.data);
    return { alarm, created: alarm.id === a.id };
  }

  /**
   * The condition behind a technical alarm ended (gateway back, notifier works again). An alarm nobody
   * has taken yet is resolved automatically; one an operator acknowledged is annotated for them to close.
   */
  async restore(subject: string, type: AlarmType, detail: string): Promise<Alarm | undefined> {
    const { store, clock } = this.ctx;
    const open = await store.findOpenAlarmBySubject(subject, type);
    if (!open) return undefined;
    const now = clock.now();
    if (TECHNICAL.has(type) && open.state === 'raised') {
      const comment = `Restored automatically: ${detail}`;
      const resolved = await store.updateAlarm(open.id, ['raised'], { state: 'resolved', resolvedAt: now, resolvedBy: 'system', resolution: 'genuine', comment, updatedAt: now }, audit(now, 'system', 'resolved', open.id, { reason: 'genuine', comment, restored: true }));
      if (resolved) {
        await this.changed(resolved, 'resolved');
        return resolved;
      }
    }
    await store.appendAudit(audit(now, 'system', 'restored', open.id, { detail }));
    return open;
  }

  async acknowledge(id: string, actor: string, data?: Record<string, unknown>): Promise<AlarmResult> {
    const now = this.ctx.clock.now();
    const alarm = await this.ctx.store.updateAlarm(id, ['pending', 'raised'], { state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: actor, updatedAt: now }, audit(now, actor, 'acknowledged', id, data));
    if (!alarm) return this.failure(id, 'acknowledged');
    this.ctx.scheduler.clear(`prealarm:${id}`);
    await this.changed(alarm, 'acknowledged');
    this.ctx.publisher.downlink(alarm, alarm.lastCounter, 'help_coming');
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
    this.ctx.scheduler.clear(`prealarm:${id}`);
    await this.changed(alarm, 'resolved');
    this.ctx.publisher.downlink(alarm, alarm.lastCounter, 'closed');
    return { ok: true, alarm };
  }

  /** Attaches a newer position to an open alarm (positions keep coming during an alarm). */
  async updatePosition(alarm: Alarm, position: PositionPayload, at: number): Promise<void> {
    if (alarm.positionAt !== null && alarm.positionAt >= at) return;
    const updated = await this.ctx.store.updateAlarm(alarm.id, OPEN, { position, positionAt: at, updatedAt: Math.max(alarm.updatedAt, at) }, undefined);
    if (updated) await this.ctx.publisher.publish(updated);
  }

  /** The pre-alarm window plus grace passed without an alarm or cancel frame: the server raises it. */
  private async expirePending(id: string): Promise<void> {
    const now = this.ctx.clock.now();
    const alarm = await this.ctx.store.updateAlarm(id, ['pending'], { state: 'raised', raisedAt: now, updatedAt: now }, audit(now, 'system', 'raised', id, { reason: 'pre_alarm_expired', afterS: this.preAlarmMs / 1000 }));
    if (alarm) await this.changed(alarm, 'raised');
  }

  private async failure(id: string, what: string): Promise<AlarmResult> {
    const current = await this.ctx.store.getAlarm(id);
    if (!current) return { ok: false, code: 'not_found', message: `Unknown alarm '${id}'` };
    return { ok: false, code: 'conflict', message: `Alarm ${current.number} cannot be ${what}: it is ${current.state}` };
  }

  /** Without a position in the frame, the device's last stored one (with its own time, so its age shows). */
  private async located(input: { position: PositionPayload | null; device: DeviceRecord }): Promise<Partial<Alarm>> {
    if (input.position || !this.ctx.lastPosition) return {};
    const last = await this.ctx.lastPosition(input.device.id);
    return last ? { position: last.position, positionAt: last.at } : {};
  }

  private async create(a: NewAlarm, actor: string, action: 'raised' | 'pending', data?: Record<string, unknown>): Promise<Alarm> {
    const alarm = await this.ctx.store.createAlarm(a, audit(a.createdAt, actor, action, a.id, { type: a.type, ...(data ?? {}) }));
    if (alarm.id !== a.id) return alarm; // the open alarm of this subject, raised by another worker: the caller merges
    await this.changed(alarm, action);
    return alarm;
  }

  private async changed(alarm: Alarm, action: AlarmAction): Promise<void> {
    await this.ctx.publisher.publish(alarm);
    for (const fn of this.listeners) {
      try {
        await fn(alarm, action);
      } catch (e) {
        // The escalation engine reconciles open alarms periodically, so a failure here delays, never loses.
        this.ctx.log.error('alarm listener failed', { alarmId: alarm.id, action, error: e as Error });
      }
    }
  }
}

function base(input: DeviceAlarmInput): NewAlarm {
  return {
    id: randomUUID(), type: input.type, state: 'raised', priority: alarmPriority(input.type),
    siteId: input.device.siteId, deviceId: input.device.id, workerId: input.device.workerId,
    incidentRef: input.incidentRef, lastCounter: input.counter, position: input.position, positionAt: input.position ? input.at : null,
    createdAt: input.at, raisedAt: null, updatedAt: input.at, acknowledgedAt: null, acknowledgedBy: null,
    resolvedAt: null, resolvedBy: null, resolution: null, comment: null, subject: `device:${input.device.id}`, text: null, sessionId: null,
  };
}

export function audit(at: number, actor: string, action: string, alarmId: string, data?: Record<string, unknown>): AuditEntry {
  return { at, actor, action, entity: 'alarm', entityId: alarmId, ...(data && Object.keys(data).length ? { data } : {}) };
}
