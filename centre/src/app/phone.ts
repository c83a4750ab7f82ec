/**
 * The phone as a device. A worker's phone gets a device record (board `phone`, at the worker's site;
 * never in a gateway's keyring) and what the app sends becomes that device's events: heartbeats while
 * it watches for falls, pre-alarms, cancels and alarms — stored with the next counter and handed to
 * the same rules as a pendant's radio frames (rules.ts: pre-alarm → pending alarm → raised unless
 * cancelled, the server raising it after `preAlarmTimeoutS` if the phone goes quiet). Radio frames
 * are authenticated by the pendant's key; these by the worker's login.
 *
 * Every event carries the phone's idempotency key: a retry (lost answer, queue flushed twice) returns
 * what the first one got and changes nothing, so an alarm is never raised twice. An event the rules
 * did not finish (crash) is stored unhandled and re-run at start by the ingest's recovery. In a
 * cluster the rules run on the worker that owns the phone's device (under its lease); a request that
 * reaches another worker is stored unhandled for the owner's sweep (docs/scale.md).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { type AlarmType, isAlarmType, type MessageType, messageTypeByName, type PositionPayload } from '../../../protocol/src';
import type { Rules } from '../domain/rules';
import { type Ownership, SOLE_OWNER } from '../domain/ownership';
import { devicePartition } from '../domain/partition';
import type { Alarm, DeviceRecord, EventRecord, Store, Worker } from '../store/types';

/** Alarm types a phone raises: the button (sos) and the detectors' three. */
export const PHONE_ALARM_TYPES = ['sos', 'fall', 'man_down', 'no_motion'] as const;
export type PhoneAlarmType = (typeof PHONE_ALARM_TYPES)[number];
export type PhoneEventKind = 'pre_alarm' | 'alarm' | 'cancel' | 'heartbeat';

export interface PhoneEvent {
  key: string;
  kind: PhoneEventKind;
  alarmType?: PhoneAlarmType;
  /** Key of the pre-alarm that opened this incident (for its alarm or cancel). */
  incidentKey?: string;
  position?: { lat: number; lon: number; accuracyM?: number; takenAt?: number };
  batteryPct?: number;
}

export type PhoneEventResult =
  | { ok: true; duplicate: boolean; counter: number; alarm: Alarm | null }
  | { ok: false; code: 'invalid' | 'conflict'; message: string };

export class PhoneDevices {
  constructor(private readonly ctx: { store: Store; clock: Clock; log: Logger; rules: Rules; ownership?: Ownership }) {}

  /** The worker's phone device, created on first use (and moved to the worker's site if that changed). */
  async ensure(worker: Worker): Promise<DeviceRecord> {
    const { store, clock } = this.ctx;
    const mine = (await store.listDevices({ workerId: worker.id })).find((d) => d.board === 'phone');
    if (mine) {
      if (mine.siteId === worker.siteId) return mine;
      return (await store.updateDevice(mine.id, { siteId: worker.siteId })) ?? mine;
    }
    for (;;) {
      const id = randomBytes(4).toString('hex');
      if (await store.getDevice(id)) continue;
      const d: DeviceRecord = { id, key: randomBytes(16).toString('hex'), board: 'phone', workerId: worker.id, siteId: worker.siteId, createdAt: clock.now(), lastCounter: -1, lastSeenAt: null, batteryPct: null };
      await store.addDevice(d);
      await store.appendAudit({ at: d.createdAt, actor: `worker:${worker.id}`, action: 'phone_device_created', entity: 'device', entityId: id });
      return d;
    }
  }

  async event(worker: Worker, e: PhoneEvent): Promise<PhoneEventResult> {
    const { store, clock, rules } = this.ctx;
    const type = messageType(e);
    if (!type) return { ok: false, code: 'invalid', message: `${e.kind} needs alarmType: one of ${PHONE_ALARM_TYPES.join(', ')}` };
    const device = await this.ensure(worker);
    const at = clock.now();
    const alarmish = isAlarmType(type) || type === 'pre_alarm';
    // Privacy: a position travels only with an alarm (taken at that moment, never tracked).
    const position: PositionPayload | null = e.position && isAlarmType(type) ? { kind: 'gps', lat: e.position.lat, lon: e.position.lon } : null;
    const detail = type === 'pre_alarm' || type === 'cancel' ? messageTypeByName(e.alarmType!)!.code : 0;
    // In a cluster only the device's owner runs its rules (under its lease). Another worker stores the
    // event unhandled and the owner's sweep of unhandled events runs it (cluster/takeover.ts, every 3 s).
    const ownership = this.ctx.ownership ?? SOLE_OWNER;
    const partition = devicePartition(device.id);
    const owner = ownership.owns(partition);
    const mustHandle = alarmish || type === 'cancel' || !owner;
    const r = await store.recordAppEvent({
      key: e.key, workerId: worker.id, deviceId: device.id, type, at, siteId: device.siteId ?? '', batteryPct: e.batteryPct ?? null, position, detail,
      ...(e.incidentKey ? { incidentKey: e.incidentKey } : {}), mustHandle,
    });
    if (r.verdict === 'foreign') return { ok: false, code: 'conflict', message: 'This key was used for another action' };
    if (r.verdict === 'unknown_device') return { ok: false, code: 'conflict', message: 'The phone device was removed; sign in again' };
    if (r.verdict !== 'duplicate') {
      const event: EventRecord = {
        deviceId: device.id, counter: r.counter, type, receivedAt: at, gatewayId: 'app', siteId: device.siteId ?? '', rssiDbm: null,
        batteryPct: e.batteryPct ?? null, position, detail, ref: r.ref, mustHandle,
      };
      if (owner) {
        await ownership.run(partition, async () => {
          await rules.onEvent(event, device, undefined);
          if (event.mustHandle) await store.markEventHandled(device.id, r.counter);
        });
      } else {
        this.ctx.log.info('phone event left to its device\'s owner', { deviceId: device.id, counter: r.counter, type });
      }
      if (position && e.position?.accuracyM !== undefined) await this.noteAccuracy(device, r.ref, e.position.accuracyM, e.position.takenAt ?? null);
    }
    return { ok: true, duplicate: r.verdict === 'duplicate', counter: r.counter, alarm: e.kind === 'heartbeat' ? null : await this.incident(device.id, r.ref) };
  }

  /** The alarm of the phone's incident `ref` (the pre-alarm's counter, or the alarm's own). */
  async incident(deviceId: string, ref: number): Promise<Alarm | null> {
    const list = await this.ctx.store.listAlarms({ deviceId, limit: 50 });
    return list.filter((a) => a.incidentRef === ref).sort((a, b) => b.createdAt - a.createdAt)[0] ?? null;
  }

  /** How precise the phone's fix was: on the alarm's timeline, for the operator and the responder page. */
  private async noteAccuracy(device: DeviceRecord, ref: number, accuracyM: number, takenAt: number | null): Promise<void> {
    const alarm = await this.incident(device.id, ref);
    if (!alarm) return;
    await this.ctx.store.appendAudit({ at: this.ctx.clock.now(), actor: `device:${device.id}`, action: 'phone_position', entity: 'alarm', entityId: alarm.id, data: { accuracyM: Math.round(accuracyM), takenAt } });
  }
}

function messageType(e: PhoneEvent): MessageType | undefined {
  if (e.kind === 'heartbeat') return 'heartbeat';
  if (!e.alarmType || !(PHONE_ALARM_TYPES as readonly string[]).includes(e.alarmType)) return undefined;
  if (e.kind === 'alarm') return e.alarmType satisfies AlarmType;
  return e.kind;
}
