/** What the API and the live stream show of an alarm: the stored alarm plus who and where. */
import type { Alarm, Worker } from './store/types';

export interface AlarmView extends Alarm {
  worker: { id: string; name: string; phone: string | null } | null;
}

export function alarmView(alarm: Alarm, worker: Worker | undefined): AlarmView {
  return { ...alarm, worker: worker ? { id: worker.id, name: worker.name, phone: worker.phone } : null };
}
