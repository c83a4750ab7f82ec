/**
 * The operator screen's picture of the workers: for each worker the user may see, one status —
 * alarm, pending (a pre-alarm runs), silent (protected but nothing heard), protected, off — with
 * battery, last seen and, only while protected or in an alarm (privacy), the last position and its
 * time. A supervisor sees the position and the session's times and note only while an alarm of the
 * worker is open (centre/src/domain/privacy.ts). Computed from the store and the live session state at each
 * request.
 */
import type { Scope } from '../../auth/scope';
import type { Positions } from '../../domain/positions';
import type { SessionService } from '../../domain/sessions';
import type { Alarm, Session, Store, Worker } from '../../store/types';
import type { Place } from '../../domain/views';
import { ALARM_TYPES } from '../../../../protocol/src';

export type WorkerStatus = 'alarm' | 'pending' | 'silent' | 'protected' | 'off';

export interface WorkerStatusView {
  id: string;
  name: string;
  phone: string | null;
  siteId: string | null;
  teamId: string | null;
  /** The customer organisation (the console of the centre's staff filters by it). */
  organisationId: string | null;
  status: WorkerStatus;
  /** The most urgent open alarm of the worker, if any. */
  alarmId: string | null;
  batteryPct: number | null;
  lastSeenAt: number | null;
  /** Position and its time: only while the worker is protected or in an alarm. */
  positionAt: number | null;
  place: Place | null;
  /** `withheld`: a supervisor outside an alarm of the worker learns only that a session runs. */
  session: Pick<Session, 'id' | 'kind' | 'startedAt' | 'plannedEndAt' | 'nextCheckInAt' | 'note'> | { id: string; kind: Session['kind']; withheld: true } | null;
  devices: { id: string; board: string; batteryPct: number | null; lastSeenAt: number | null }[];
}

const PERSON = new Set<string>(ALARM_TYPES.filter((t) => t.kind === 'person').map((t) => t.name));
const OPEN = ['pending', 'raised', 'acknowledged'] as const;

export async function workerStatuses(ctx: {
  store: Store; sessions: SessionService; positions: Positions; now: number; silentAfterMs: number; scope: Scope; openAlarms?: Alarm[];
  /** A supervisor's view: whereabouts only during an alarm of the worker. */
  whereaboutsOnlyInAlarm?: boolean;
}): Promise<WorkerStatusView[]> {
  const { store, scope } = ctx;
  const workers = (await store.listWorkers()).filter((w) => scope.worker(w.id));
  const devices = await store.listDevices();
  const active = await store.listWorkSessions({ states: ['active'] });
  const alarms = ctx.openAlarms ?? (await store.listAlarms({ states: [...OPEN], limit: 10_000 }));
  const out: WorkerStatusView[] = [];
  for (const w of workers) {
    const own = { devices: devices.filter((d) => d.workerId === w.id), session: active.find((s) => s.workerId === w.id), alarms: alarms.filter((a) => a.workerId === w.id) };
    out.push(await statusOf(w, { ...ctx, ...own }));
  }
  return out;
}

async function statusOf(
  w: Worker,
  ctx: {
    sessions: SessionService; positions: Positions; now: number; silentAfterMs: number; whereaboutsOnlyInAlarm?: boolean;
    devices: Awaited<ReturnType<Store['listDevices']>>; session: Session | undefined; alarms: Alarm[];
  },
): Promise<WorkerStatusView> {
  const { devices, session, alarms } = ctx;
  const protectedNow = !!session || devices.some((d) => ctx.sessions.isProtected(d.id));
  const lastSeenAt = devices.reduce<number | null>((m, d) => (d.lastSeenAt !== null && (m === null || d.lastSeenAt > m) ? d.lastSeenAt : m), null);
  const batteries = devices.map((d) => d.batteryPct).filter((b): b is number => b !== null);
  const sorted = [...alarms].sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt);
  const person = sorted.filter((a) => PERSON.has(a.type));
  const silent = protectedNow && (alarms.some((a) => a.type === 'device_silent') || lastSeenAt === null || ctx.now - lastSeenAt > ctx.silentAfterMs);
  const status: WorkerStatus = person.some((a) => a.state !== 'pending') ? 'alarm' : person.length ? 'pending' : silent ? 'silent' : protectedNow ? 'protected' : 'off';
  let positionAt: number | null = null;
  let place: Place | null = null;
  const shown = ctx.whereaboutsOnlyInAlarm ? alarms.length > 0 : protectedNow || person.length > 0;
  if (shown) {
    // The newest of the alarm's position and the device's last stored one.
    for (const a of person) if (a.position && a.positionAt !== null && (positionAt === null || a.positionAt > positionAt)) [positionAt, place] = [a.positionAt, await ctx.positions.describe(a.position)];
    for (const d of devices) {
      const last = await ctx.positions.last(d.id);
      if (last && (positionAt === null || last.at > positionAt)) [positionAt, place] = [last.at, await ctx.positions.describe(last.position)];
    }
  }
  return {
    id: w.id, name: w.name, phone: w.phone, siteId: w.siteId, teamId: w.teamId ?? null, organisationId: w.organisationId ?? null, status, alarmId: sorted[0]?.id ?? null,
    batteryPct: batteries.length ? Math.min(...batteries) : null, lastSeenAt, positionAt, place,
    session: !session ? null : shown || !ctx.whereaboutsOnlyInAlarm
      ? { id: session.id, kind: session.kind, startedAt: session.startedAt, plannedEndAt: session.plannedEndAt, nextCheckInAt: session.nextCheckInAt, note: session.note }
      : { id: session.id, kind: session.kind, withheld: true },
    devices: devices.map((d) => ({ id: d.id, board: d.board, batteryPct: d.batteryPct, lastSeenAt: d.lastSeenAt })),
  };
}
