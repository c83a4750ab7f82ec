/**
 * One person's data (issue 21 part 3; GDPR articles 15 and 17), as the admins' routes
 * (http/admin/people.ts) and `npx vigil centre person` both do it: the export of everything held about
 * a worker, and the worker's erasure, which keeps the alarm statistics under a random pseudonym and
 * removes the person (store/repositories/erasure.ts). Both are audited under the caller's name. A
 * worker whose registry record is gone still has alarms and sessions: the id is taken as it is.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../common/clock';
import type { ErasureCounts, WorkerData } from '../store/ops-records';
import type { Store } from '../store/types';

export interface PeopleContext {
  store: Store;
  clock: Clock;
}

/** Whether the centre holds anything about the worker. */
export function isKnown(d: WorkerData): boolean {
  return !!(d.worker || d.alarms.length || d.sessions.length || d.positions.length || d.devices.length || d.audit.length);
}

export const notHeld = (workerId: string): string => `Nothing is held about worker '${workerId}'`;

/**
 * Which of what is held the caller may reach: the routes pass the caller's organisation (an
 * organisation's admin reaches only their workers), the CLI reaches every worker.
 */
export type Reach = (d: WorkerData) => boolean;
const everywhere: Reach = () => true;

/** Everything held about the worker, the export audited (`worker_data_exported` with its format); undefined when nothing is (within reach). */
export async function exportPerson(ctx: PeopleContext, workerId: string, format: string, actor: string, reach: Reach = everywhere): Promise<WorkerData | undefined> {
  const d = await ctx.store.workerData(workerId);
  if (!isKnown(d) || !reach(d)) return undefined;
  await ctx.store.appendAudit({ at: ctx.clock.now(), actor, action: 'worker_data_exported', entity: 'worker', entityId: workerId, data: { format } });
  return d;
}

export type ErasePersonResult =
  | { ok: true; pseudonym: string; counts: ErasureCounts; /** The devices the worker had: now unassigned. */ devices: string[] }
  | { ok: false; code: 'not_found' | 'open_alarm' | 'active_session'; message: string };

/** Erases the worker in one transaction, audited (`worker_erased`, with the counts, under the pseudonym). */
export async function erasePerson(ctx: PeopleContext, workerId: string, actor: string, reach: Reach = everywhere): Promise<ErasePersonResult> {
  const before = await ctx.store.workerData(workerId);
  if (!isKnown(before) || !reach(before)) return { ok: false, code: 'not_found', message: notHeld(workerId) };
  const at = ctx.clock.now();
  const pseudonym = `erased-${randomBytes(6).toString('hex')}`;
  const r = await ctx.store.eraseWorker({ workerId, at, pseudonym, audit: { at, actor, action: 'worker_erased', entity: 'worker', entityId: pseudonym, data: {} } });
  if (!r.ok) return r;
  return { ok: true, pseudonym, counts: r.counts, devices: before.devices.map((d) => d.id) };
}
