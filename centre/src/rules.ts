/**
 * Device events → alarms. Alarm frames raise or merge into an alarm; a pre-alarm opens a pending
 * alarm; a cancel closes the pending one it refers to. Status frames update the device (sessions,
 * supervision and check-ins are layered on these in the rules issue).
 */
import { type AlarmType, isAlarmType, messageTypeByCode, type UplinkMessage } from '../../protocol/src';
import type { AlarmService } from './alarms';
import type { DeviceRecord, EventRecord } from './store/types';

export class Rules {
  constructor(private readonly ctx: { alarms: AlarmService }) {}

  async onEvent(event: EventRecord, msg: UplinkMessage, device: DeviceRecord): Promise<void> {
    const input = { device, counter: event.counter, incidentRef: msg.ref, at: event.receivedAt, position: event.position };
    if (isAlarmType(msg.type)) {
      await this.ctx.alarms.deviceAlarm({ ...input, type: msg.type });
      return;
    }
    if (msg.type === 'pre_alarm' || msg.type === 'cancel') {
      const about = messageTypeByCode(msg.detail)!.name as AlarmType;
      if (msg.type === 'pre_alarm') await this.ctx.alarms.devicePending({ ...input, type: about });
      else await this.ctx.alarms.deviceCancel({ ...input, type: about });
    }
  }
}
