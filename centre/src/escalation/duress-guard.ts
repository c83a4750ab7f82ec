/**
 * The last gate before a notification leaves (issue 20, "duress that never touches the worker"): a
 * message meant for the worker (contactId `@worker`: a ladder step at the worker, a session reminder,
 * an operator's SMS to the worker) is withheld while that worker has an open duress alarm, whenever it
 * was queued. The escalation engine cancels its own pending rows at the duress take-over; this catches
 * what it cannot see — rows queued by sessions or the console, and rows claimed a moment before.
 */
import type { OutboxMessage, Store } from '../store/types';
import { WORKER_CONTACT } from '../store/types';

export type Withhold = (m: OutboxMessage) => Promise<string | undefined>;

export function duressGuard(store: Store): Withhold {
  return async (m) => {
    if (m.contactId !== WORKER_CONTACT) return undefined;
    const alarm = m.alarmId ? await store.getAlarm(m.alarmId) : undefined;
    if (alarm?.type === 'duress') return 'withheld: the alarm is a duress alarm (never contact the worker)';
    const workerId = alarm?.workerId ?? (typeof m.data?.['workerId'] === 'string' ? m.data['workerId'] : null);
    if (!workerId) return undefined;
    for (const d of await store.listDevices({ workerId })) {
      if (await store.findOpenAlarm(d.id, 'duress')) return 'withheld: the worker has an open duress alarm (never contact the worker)';
    }
    return undefined;
  };
}
