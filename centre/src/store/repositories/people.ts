/**
 * People repository: everything the centre holds about one worker, gathered for its export (GDPR
 * article 15) — and found the same way by its erasure (erasure.ts). A worker leaves traces in:
 * the registry (profile, devices, worker-app login), their sessions and alarms, positions, the
 * messages sent to their phones and the attempts to deliver them, and audit entries about them,
 * their alarms and sessions, or done by them. The registry record may be gone already: alarms and
 * sessions of a deleted worker are still theirs.
 */
import type { Engine, Q } from '../engine';
import { jsonContains } from '../engine';
import type { WorkerData } from '../ops-records';
import { codec, decode } from '../schema';
import type { Alarm, Session, StoredAuditEntry, Worker } from '../types';
import { toAlarm } from './alarms';
import { toAuditEntry } from './audit';

const SESSIONS = codec('work_sessions', { json: ['callList'] });
const OUTBOX = codec('outbox', { json: ['data'], rename: { recipient: 'to', body: 'text' }, hidden: ['seq'] });

export const OPEN_STATES = ['pending', 'raised', 'acknowledged'];

/** The worker's own records, from which the rest is found. */
export interface Traces {
  worker: Worker | undefined;
  alarms: Alarm[];
  sessions: Session[];
  /** The worker's phone numbers: registered, and any a session gave. */
  phones: string[];
}

export async function traces(q: Q, workerId: string): Promise<Traces> {
  const worker = await q.selectFrom('workers').selectAll().where('id', '=', workerId).executeTakeFirst();
  const alarms = (await q.selectFrom('alarms').selectAll().where('workerId', '=', workerId).orderBy('createdAt').orderBy('number').execute()).map(toAlarm);
  const sessions = (await q.selectFrom('work_sessions').selectAll().where((w) => w.or([w('workerId', '=', workerId), w('owner', '=', workerId)]))
    .orderBy('startedAt').orderBy('id').execute()).map((r) => decode<Session>(SESSIONS, r));
  const phones = [...new Set([worker?.phone, ...sessions.map((s) => s.phone)].filter((p): p is string => !!p))];
  return { worker, alarms, sessions, phones };
}

/** Audit entries about the worker, their alarms and sessions, done by them, or naming their id in their data. */
export async function auditAbout(e: Engine, q: Q, workerId: string, t: Traces, extra: string[] = []): Promise<StoredAuditEntry[]> {
  const alarmIds = t.alarms.map((a) => a.id);
  const sessionIds = t.sessions.map((s) => s.id);
  const rows = await q.selectFrom('audit').selectAll().where((w) => w.or([
    w.and([w('entity', '=', 'worker'), w('entityId', '=', workerId)]),
    w('actor', '=', `worker:${workerId}`),
    ...(alarmIds.length ? [w.and([w('entity', 'in', ['alarm', 'escalation']), w('entityId', 'in', alarmIds)])] : []),
    ...(sessionIds.length ? [w.and([w('entity', '=', 'session'), w('entityId', 'in', sessionIds)])] : []),
    // device assignments and the like name the worker's id in their data; an erasure also looks for the name and
    // numbers — as whole JSON strings, so a short name never matches inside other words
    ...[workerId, ...extra].map((x) => jsonContains(e.dialect, 'data', JSON.stringify(x))),
  ])).orderBy('seq').execute();
  return rows.map(toAuditEntry);
}

export function peopleRepository(e: Engine) {
  const { db } = e;
  return {
    /** Everything held about a worker, oldest first in each list; a worker the centre never knew gives empty lists. */
    workerData: async (workerId: string): Promise<WorkerData> => {
      const t = await traces(db, workerId);
      const alarmIds = t.alarms.map((a) => a.id);
      const cred = await db.selectFrom('worker_credentials').select(['username', 'createdAt', 'createdBy']).where('workerId', '=', workerId).executeTakeFirst();
      const appSessions = await db.selectFrom('worker_logins').select(['via', 'createdAt', 'expiresAt']).where('workerId', '=', workerId).orderBy('createdAt').execute();
      const appActions = await db.selectFrom('app_actions').select(['at', 'action', 'deviceId']).where('workerId', '=', workerId).orderBy('at').execute();
      const devices = await db.selectFrom('devices').select(['id', 'board', 'createdAt', 'lastSeenAt']).where('workerId', '=', workerId).orderBy('id').execute();
      const positions = await db.selectFrom('positions').selectAll().where('workerId', '=', workerId).orderBy('at').execute();
      const toWorker = t.phones.length || alarmIds.length
        ? (await db.selectFrom('outbox').selectAll().where((w) => w.or([
          ...(t.phones.length ? [w('recipient', 'in', t.phones)] : []),
          ...(alarmIds.length ? [w.and([w('contactId', '=', '@worker'), w('alarmId', 'in', alarmIds)])] : []),
        ])).orderBy('createdAt').execute()).map((r) => decode<{ createdAt: number; channel: string; to: string; subject: string; text: string; state: string; alarmId: string | null }>(OUTBOX, r))
        : [];
      const attempts = t.phones.length
        ? (await db.selectFrom('attempts').selectAll().where('recipient', 'in', t.phones).orderBy('seq').execute())
          .map(({ recipient, redactedAt: _r, ...a }) => ({ ...a, to: recipient } as WorkerData['attempts'][number]))
        : [];
      return {
        workerId, worker: t.worker ?? null, appLogin: cred ?? null, appSessions, appActions, devices, sessions: t.sessions, alarms: t.alarms, positions,
        notifications: toWorker.map((m) => ({ at: m.createdAt, channel: m.channel, to: m.to, subject: m.subject, text: m.text, state: m.state, alarmId: m.alarmId })),
        attempts, audit: await auditAbout(e, db, workerId, t),
      };
    },
  };
}
