/**
 * The last gate before a notification leaves (issue 20, "duress that never touches the worker"): a
 * message meant for the worker (contactId `@worker`: a ladder step at the worker, a session reminder,
 * an operator's SMS to the worker) is withheld while that worker has an open duress alarm, whenever it
 * was queued. The escalation engine cancels its own pending rows at the duress take-over; this catches
 * what it cannot see — rows queued by sessions or the console, and rows claimed a moment before.
 */
import type { Alarm, OutboxMessage, Store } from '../store/types';
import { WORKER_CONTACT } from '../store/types';
import { normalizePhone } from './plan';

/**
 * Whether a recipient of an alarm's messages is the worker — a ladder step at the worker, or any entry
 * at the worker's own numbers (registered, or the session's phone, e.g. "Me" in the call list). Under
 * duress such a recipient's responder link shows nothing and its answers change nothing: whoever holds
 * the worker's phone may be the threat.
 */
export async function isWorkerRecipient(store: Store, alarm: Alarm, r: { targetKey: string | null; address: string }): Promise<boolean> {
  if (r.targetKey?.startsWith('worker:')) return true;
  if (!alarm.workerId) return false;
  const worker = await store.getWorker(alarm.workerId);
  const session = alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : worker ? await store.findActiveWorkSession(worker.id) : undefined;
  const phones = new Set([worker?.phone, session?.phone].filter((p): p is string => !!p).map(normalizePhone));
  return phones.has(normalizePhone(r.address));
}

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
