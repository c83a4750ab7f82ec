/**
 * Device events → what they mean. Alarm frames raise or merge into an alarm; a pre-alarm opens a
 * pending alarm; a cancel closes the pending one it refers to; protection and check-in frames drive
 * the worker's session; every frame is a sign of life and a battery reading (supervision), may carry
 * a position (positions), and feeds telemetry.
 */
import { type AlarmType, type Flags, isAlarmType, messageTypeByCode, type UplinkMessage } from '../../../protocol/src';
import type { AlarmPublisher } from './alarm-publisher';
import type { AlarmService } from './alarms';
import type { Positions } from './positions';
import type { SessionService } from './sessions';
import type { DeviceRecord, EventRecord } from '../store/types';
import type { Supervision } from './supervision';
import type { PendantSettings } from '../settings/service';
import type { TelemetryCollector } from '../telemetry/collector';

const NO_FLAGS: Flags = { protection: false, charging: false, lowBattery: false, pending: false };

export class Rules {
  constructor(private readonly ctx: { alarms: AlarmService; publisher?: AlarmPublisher; sessions?: SessionService; supervision?: Supervision; positions?: Positions; telemetry?: TelemetryCollector; settings?: PendantSettings }) {}

  /** `msg` is absent when re-running a stored event after a restart (its flags were not stored). */
  async onEvent(event: EventRecord, device: DeviceRecord, msg: UplinkMessage | undefined): Promise<void> {
    const { alarms, sessions, supervision, positions, telemetry } = this.ctx;
    telemetry?.event(event, device);
    this.ctx.publisher?.heard(device.id, event.counter);
    const input = { device, counter: event.counter, incidentRef: msg?.ref ?? event.ref, at: event.receivedAt, position: event.position };
    const type = event.type;
    // Every frame carries the protection flag: the newest frame of a pendant that says "protected"
    // starts protection here too, so a lost protection_on (or a pendant that boots protected) never
    // leaves it unsupervised. Turning protection off needs the explicit frame.
    const impliedOn = msg?.flags.protection === true && type !== 'protection_off' && event.counter > device.lastCounter && sessions !== undefined && !sessions.isProtected(device.id);
    if (type === 'protection_on' || impliedOn) await sessions?.deviceOn(device, event.receivedAt);
    if (isAlarmType(type)) {
      await alarms.deviceAlarm({ ...input, type });
    } else if (type === 'pre_alarm' || type === 'cancel') {
      const about = messageTypeByCode(event.detail)?.name as AlarmType | undefined;
      if (about) {
        if (type === 'pre_alarm') await alarms.devicePending({ ...input, type: about });
        else await alarms.deviceCancel({ ...input, type: about });
      }
    } else if (type === 'check_in') {
      await sessions?.deviceCheckIn(device, event.receivedAt);
    }
    await supervision?.onDeviceFrame(device, { at: event.receivedAt, type, batteryPct: event.batteryPct, flags: msg?.flags ?? NO_FLAGS });
    await positions?.onEvent(event, device);
    if (type === 'protection_off') await sessions?.deviceOff(device);
    // Last: a setting goes out only once a status command held for this frame has answered it.
    await this.ctx.settings?.onFrame(event, device, msg);
  }
}
