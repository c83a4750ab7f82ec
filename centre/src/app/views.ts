/**
 * What the worker app shows, and only to the worker it belongs to: their session, their pendant,
 * their own alarms and who is coming. Duress alarms are never shown in the app — whoever holds the
 * phone may be the threat — and neither are technical ones.
 */
import { ALARM_TYPES } from '../../../protocol/src';
import type { ResolvedCentreConfig } from '../config';
import type { Alarm, CallListEntry, DeviceRecord, Session, Store, Worker } from '../store/types';

const PERSON = new Set<string>(ALARM_TYPES.filter((t) => t.kind === 'person' && t.name !== 'duress').map((t) => t.name));
const OPEN = ['pending', 'raised', 'acknowledged'] as const;

export interface AppAlarm {
  id: string;
  number: string;
  type: Alarm['type'];
  state: Alarm['state'];
  createdAt: number;
  raisedAt: number | null;
  acknowledgedAt: number | null;
  /** Who is coming: a contact's name, or the operator's. */
  helper: { name: string; kind: 'contact' | 'operator' } | null;
  resolvedAt: number | null;
  resolution: Alarm['resolution'];
  fromThisPhone: boolean;
  position: Alarm['position'];
  positionAt: number | null;
}

export interface AppState {
  serverNow: number;
  worker: { id: string; name: string; phone: string | null };
  site: { id: string; name: string } | null;
  /** Called when the worker's own contacts do not answer: the ladder's fallback, else a supervisor. */
  fallback: { name: string; phone: string } | null;
  pendants: { id: string; board: DeviceRecord['board']; batteryPct: number | null; lastSeenAt: number | null }[];
  phoneDeviceId: string;
  session: (Session & { usesPhone: boolean }) | null;
  /** Remembered from the worker's last session: own phone, contacts in call order, check-in interval. */
  last: { phone: string | null; callList: CallListEntry[]; checkInIntervalMin: number; note: string | null } | null;
  alarms: AppAlarm[];
  settings: { reminderBeforeMin: number; checkInGraceS: number; maxDurationH: number; preAlarmS: number; heartbeatIntervalS: number; maxContacts: number };
}

/** The worker sees an alarm when it is theirs, about a person, and not a duress alarm. */
export function visibleToWorker(a: Alarm, workerId: string): boolean {
  return a.workerId === workerId && PERSON.has(a.type);
}

export async function appAlarm(store: Store, a: Alarm, phoneDeviceId: string): Promise<AppAlarm> {
  return {
    id: a.id, number: a.number, type: a.type, state: a.state, createdAt: a.createdAt, raisedAt: a.raisedAt, acknowledgedAt: a.acknowledgedAt,
    helper: await helper(store, a.acknowledgedBy), resolvedAt: a.resolvedAt, resolution: a.resolution, fromThisPhone: a.deviceId === phoneDeviceId,
    position: a.deviceId === phoneDeviceId ? a.position : null, positionAt: a.deviceId === phoneDeviceId ? a.positionAt : null,
  };
}

/** `contact:Sue Martin` → Sue Martin; `user:ana` → the operator's display name. */
export async function helper(store: Store, by: string | null): Promise<AppAlarm['helper']> {
  if (!by) return null;
  if (by.startsWith('contact:')) return { name: by.slice('contact:'.length), kind: 'contact' };
  if (by.startsWith('user:')) {
    const u = await store.getUserByName(by.slice('user:'.length));
    return { name: u?.name ?? by.slice('user:'.length), kind: 'operator' };
  }
  return null;
}

export async function fallbackContact(store: Store, config: ResolvedCentreConfig, worker: Worker): Promise<AppState['fallback']> {
  const site = worker.siteId ? await store.getSite(worker.siteId) : undefined;
  const ladderId = worker.ladderId ?? site?.ladderId ?? config.escalation.defaultLadderId;
  const ladder = ladderId ? await store.getEntity('ladder', ladderId) : undefined;
  const fb = ladder?.fallback?.contactId ? await store.getEntity('contact', ladder.fallback.contactId) : undefined;
  if (fb?.phone) return { name: fb.name, phone: fb.phone };
  const contacts = await store.listEntities('contact', worker.siteId ? { siteId: worker.siteId } : {});
  const sup = contacts.find((c) => c.kind === 'supervisor' && c.phone && c.siteId === worker.siteId) ?? contacts.find((c) => c.kind === 'supervisor' && c.phone);
  return sup?.phone ? { name: sup.name, phone: sup.phone } : null;
}

export async function appState(ctx: { store: Store; config: ResolvedCentreConfig; now: number }, worker: Worker, phone: DeviceRecord): Promise<AppState> {
  const { store, config } = ctx;
  const site = worker.siteId ? await store.getSite(worker.siteId) : undefined;
  const devices = await store.listDevices({ workerId: worker.id });
  const session = (await store.findActiveWorkSession(worker.id)) ?? null;
  const previous = (await store.listWorkSessions({ workerId: worker.id, limit: 1 }))[0];
  const mine = (await store.listAlarms({ states: [...OPEN] })).filter((a) => a.workerId === worker.id);
  // Under duress the app shows no alarm at all: an alarm screen (a session that ran out meanwhile) tells whoever holds the phone that the centre is on it.
  const open = mine.some((a) => a.type === 'duress') ? [] : mine.filter((a) => visibleToWorker(a, worker.id));
  return {
    serverNow: ctx.now,
    worker: { id: worker.id, name: worker.name, phone: worker.phone },
    site: site ? { id: site.id, name: site.name } : null,
    fallback: await fallbackContact(store, config, worker),
    pendants: devices.filter((d) => d.board !== 'phone').map((d) => ({ id: d.id, board: d.board, batteryPct: d.batteryPct, lastSeenAt: d.lastSeenAt })),
    phoneDeviceId: phone.id,
    session: session ? { ...session, usesPhone: session.deviceId === phone.id } : null,
    last: previous ? { phone: previous.phone, callList: previous.callList, checkInIntervalMin: Math.round((previous.checkInIntervalS ?? 0) / 60), note: previous.note } : null,
    alarms: await Promise.all(open.map((a) => appAlarm(store, a, phone.id))),
    settings: {
      reminderBeforeMin: config.sessions.reminderBeforeMin, checkInGraceS: config.sessions.checkInGraceS, maxDurationH: config.sessions.maxDurationH,
      // The pendant's default pre-alarm for automatic alarms (docs/firmware.md `pre`), within DGUV's 45 s.
      preAlarmS: 20, heartbeatIntervalS: config.supervision.heartbeatIntervalS, maxContacts: 3,
    },
  };
}
