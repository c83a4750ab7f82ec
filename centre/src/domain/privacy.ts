/**
 * Whereabouts are not for time sheets (issue 11 §4, Principle 4). A supervisor — a line manager, not
 * the monitoring centre — sees a worker's whereabouts only while an alarm of that worker is open:
 * the last position, and when the worker's session started, ends or checks in, with its note.
 * Outside an alarm a supervisor sees that the worker is protected, nothing more. Operators, admins
 * and read-only users (the monitoring centre's staff and auditors) see positions while the worker is
 * protected; the worker sees their own sessions in the app. An alarm's own record (its position, its
 * session) stays with the alarm: it is the incident, not the working day.
 */
import type { Scope } from '../auth/scope';
import type { LivePosition } from './live';
import type { Session } from '../store/operations';
import type { Store, User } from '../store/types';

const OPEN = ['pending', 'raised', 'acknowledged'] as const;

/** A session as a supervisor sees it outside an alarm: that it runs, not when or where. */
export interface SessionWithheld {
  id: string;
  workerId: string | null;
  deviceId: string | null;
  siteId: string | null;
  kind: Session['kind'];
  state: Session['state'];
  withheld: true;
}

/** True when this user sees a worker's whereabouts only during an alarm of that worker. */
export function whereaboutsOnlyInAlarm(user: Pick<User, 'role'> | undefined): boolean {
  return user?.role === 'supervisor';
}

export function withholdSession(s: Session): SessionWithheld {
  return { id: s.id, workerId: s.workerId, deviceId: s.deviceId, siteId: s.siteId, kind: s.kind, state: s.state, withheld: true };
}

/** The workers (and pendants without a worker) that have an open alarm now. */
export async function subjectsInAlarm(store: Store): Promise<{ workers: Set<string>; devices: Set<string> }> {
  const open = await store.listAlarms({ states: [...OPEN], limit: 10_000 });
  return {
    workers: new Set(open.flatMap((a) => (a.workerId ? [a.workerId] : []))),
    devices: new Set(open.flatMap((a) => (a.deviceId ? [a.deviceId] : []))),
  };
}

/** The sessions as `user` may see them: whole, or withheld for a supervisor outside an alarm. */
export async function sessionsFor(user: Pick<User, 'role'> | undefined, sessions: Session[], store: Store): Promise<(Session | SessionWithheld)[]> {
  if (!whereaboutsOnlyInAlarm(user) || sessions.length === 0) return sessions;
  const inAlarm = await subjectsInAlarm(store);
  return sessions.map((s) => ((s.workerId && inAlarm.workers.has(s.workerId)) || (!s.workerId && s.deviceId && inAlarm.devices.has(s.deviceId)) ? s : withholdSession(s)));
}

/**
 * Whether a live position (the live map) may reach this user: within their scope, and for a supervisor
 * only while an alarm of the worker (or of the pendant, without a worker) is open — as the console's
 * worker list shows positions (http/console/worker-status.ts).
 */
export async function positionVisible(user: Pick<User, 'role'> | undefined, scope: Scope, p: LivePosition, store: Store): Promise<boolean> {
  if (!scope.covers(p)) return false;
  if (!whereaboutsOnlyInAlarm(user)) return true;
  if ((await store.listAlarms({ deviceId: p.deviceId, states: [...OPEN], limit: 1 })).length > 0) return true;
  if (!p.workerId) return false;
  return (await subjectsInAlarm(store)).workers.has(p.workerId);
}
