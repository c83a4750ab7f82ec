/**
 * Erasure of one worker (GDPR article 17), in one transaction, keeping what the alarm statistics
 * and the record of the service need and nothing that identifies the person:
 * - alarms keep type, state, site, times, who acknowledged and resolved, the reason; the worker's id
 *   becomes a random pseudonym (one per erasure, linked to nothing), position, text and comment go;
 * - sessions keep kind, site and times under the pseudonym; note, phone and call list go;
 * - positions go, and so do the positions in the device frames of their sessions and alarms;
 * - escalations, messages and attempts keep channels, steps and outcomes; the worker's (and their call
 *   list's) names, numbers and every message text about their alarms go; responder links go;
 * - audit entries keep sequence, time, action and kind; those about the worker, their alarms and
 *   sessions, by them, or naming them are **redacted** (migrations/ops.ts): personal data out of
 *   `data`, the worker's id replaced by the pseudonym;
 * - the worker-app login, phones and app records go; devices and wired inputs are unassigned; the
 *   registry record goes;
 * - their full name and numbers in free text about other people (another alarm's comment or text, a
 *   note on another alarm, another session's note, any audit entry) become `(erased)` (free-text.ts).
 * Refused while an alarm of the worker is open or a session runs (finish the incident first).
 */
import { sql } from 'kysely';
import { changed, type Engine, type Q } from '../engine';
import type { ErasureCounts, ErasureRequest, ErasureResult } from '../ops-records';
import type { EscalationTarget, StoredAuditEntry } from '../types';
import { insertAudit } from '../engine';
import { ERASED, redactFreeText } from './free-text';
import { auditAbout, OPEN_STATES, traces, type Traces } from './people';

export { ERASED };

/** Audit data that names no one: what happened (reason, step, channel…), never who, where or what was written. */
const NEUTRAL_KEYS = new Set(['reason', 'type', 'counter', 'step', 'of', 'channel', 'role', 'state', 'from', 'afterS', 'restored', 'kind', 'was', 'round',
  'board', 'siteId', 'floor', 'phones', 'via', 'accuracyM', 'plannedEndAt', 'deviceId', 'ladderId', 'format', 'counts', 'after', 'withheld']);

export function scrub(data: Record<string, unknown> | undefined, personal: ReadonlySet<string>): Record<string, unknown> | null {
  if (!data) return null;
  const out = Object.fromEntries(Object.entries(data).filter(([k, v]) => {
    if (typeof v === 'string' && personal.has(v)) return false;
    // another contact's name (who answered) is theirs, not the worker's: kept unless it is the worker
    return NEUTRAL_KEYS.has(k) || (k === 'contact' && typeof v === 'string');
  }));
  return Object.keys(out).length ? out : null;
}

async function redactAudit(q: Q, entries: StoredAuditEntry[], r: ErasureRequest, personal: ReadonlySet<string>): Promise<number> {
  const actor = `worker:${r.workerId}`;
  let n = 0;
  for (const a of entries) {
    const about = a.entity === 'worker' && a.entityId === r.workerId;
    await q.updateTable('audit').set({
      data: ((d) => (d === null ? null : JSON.stringify(d)))(scrub(a.data, personal)),
      actor: a.actor === actor ? `worker:${r.pseudonym}` : a.actor,
      entityId: about ? r.pseudonym : a.entityId,
      redactedAt: Math.max(a.redactedAt ?? 0, r.at),
    }).where('seq', '=', a.seq).execute();
    n++;
  }
  return n;
}

/** Clears the positions in the device frames heard while the worker was protected or in an alarm. */
async function clearFramePositions(q: Q, t: Traces, at: number): Promise<number> {
  const windows = [
    ...t.alarms.filter((a) => a.deviceId).map((a) => ({ deviceId: a.deviceId!, from: a.createdAt, to: a.resolvedAt ?? at })),
    ...t.sessions.filter((s) => s.deviceId).map((s) => ({ deviceId: s.deviceId!, from: s.startedAt, to: s.endedAt ?? at })),
  ];
  let n = 0;
  for (const w of windows) {
    n += changed(await q.updateTable('events').set({ position: null }).where('deviceId', '=', w.deviceId)
      .where('receivedAt', '>=', w.from).where('receivedAt', '<=', w.to).where('position', 'is not', null).executeTakeFirst());
  }
  return n;
}

async function redactEscalations(q: Q, alarmIds: string[], phones: ReadonlySet<string>): Promise<void> {
  if (!alarmIds.length) return;
  const hide = (t: EscalationTarget): EscalationTarget => (t.role === 'worker' || t.role === 'call_list' || phones.has(t.address) ? { ...t, name: ERASED, address: ERASED } : t);
  const parse = (v: unknown): EscalationTarget[] => (typeof v === 'string' ? JSON.parse(v) : v) as EscalationTarget[];
  for (const esc of await q.selectFrom('escalations').select(['id', 'steps', 'broadcast']).where('alarmId', 'in', alarmIds).execute()) {
    await q.updateTable('escalations').set({ steps: JSON.stringify(parse(esc.steps).map(hide)), broadcast: JSON.stringify(parse(esc.broadcast).map(hide)) }).where('id', '=', esc.id).execute();
  }
}

async function redactNotifications(q: Q, alarmIds: string[], phones: string[], names: string[], at: number): Promise<{ notifications: number; attempts: number; links: number }> {
  let notifications = 0;
  let attempts = 0;
  let links = 0;
  if (alarmIds.length) {
    // every message about the alarm tells the worker's name: its text goes, whoever it went to
    notifications += changed(await q.updateTable('outbox').set({ subject: ERASED, body: ERASED, data: null, link: null }).where('alarmId', 'in', alarmIds).executeTakeFirst());
    links = changed(await q.deleteFrom('responder_tokens').where('alarmId', 'in', alarmIds).executeTakeFirst());
  }
  if (phones.length) {
    notifications += changed(await q.updateTable('outbox').set({ recipient: ERASED, contactName: ERASED, subject: ERASED, body: ERASED, data: null, link: null }).where('recipient', 'in', phones).executeTakeFirst());
  }
  // messages to the worker by name (an address that was not one of their numbers, e.g. an e-mail)
  if (names.length) await q.updateTable('outbox').set({ contactName: ERASED }).where('contactName', 'in', names).execute();
  const who = [...(phones.length ? [sql<boolean>`recipient IN (${sql.join(phones)})`] : []), ...(names.length && alarmIds.length ? [sql<boolean>`(contact_name IN (${sql.join(names)}) AND alarm_id IN (${sql.join(alarmIds)}))`] : [])];
  if (who.length) {
    attempts = changed(await q.updateTable('attempts').set({
      recipient: sql<string>`CASE WHEN recipient IN (${sql.join(phones.length ? phones : [ERASED])}) THEN ${ERASED} ELSE recipient END`,
      contactName: sql<string>`CASE WHEN contact_name IN (${sql.join(names.length ? names : [ERASED])}) THEN ${ERASED} ELSE contact_name END`,
      redactedAt: sql<number>`CASE WHEN redacted_at IS NULL OR redacted_at < ${at} THEN ${at} ELSE redacted_at END`,
    }).where(sql<boolean>`(${sql.join(who, sql` OR `)})`).executeTakeFirst());
  }
  return { notifications, attempts, links };
}

export function erasureRepository(e: Engine) {
  return {
    eraseWorker: async (r: ErasureRequest): Promise<ErasureResult> =>
      e.tx(async (q): Promise<ErasureResult> => {
        const w = r.workerId;
        const t = await traces(q, w);
        const open = t.alarms.find((a) => OPEN_STATES.includes(a.state));
        if (open) return { ok: false, code: 'open_alarm', message: `Alarm ${open.number} of worker '${w}' is still open: close it first` };
        if (t.sessions.some((s) => s.state === 'active')) return { ok: false, code: 'active_session', message: `Worker '${w}' has a session running: stop it first` };
        const names = t.worker ? [t.worker.name] : [];
        const personal = new Set([w, ...names, ...t.phones]);
        const alarmIds = t.alarms.map((a) => a.id);
        const sessionIds = t.sessions.map((s) => s.id);
        const actor = `worker:${w}`;
        const pseudonymActor = `worker:${r.pseudonym}`;
        const counts: ErasureCounts = { alarms: 0, sessions: 0, positions: 0, events: 0, notifications: 0, attempts: 0, responderLinks: 0, audit: 0, appRecords: 0, devices: 0, inputs: 0, worker: 0, freeText: 0 };

        // found before anything changes: the alarm and session ids, the name and numbers still point at them
        const entries = await auditAbout(e, q, w, t, [...names, ...t.phones]);
        counts.events = await clearFramePositions(q, t, r.at);
        if (alarmIds.length) {
          counts.alarms = changed(await q.updateTable('alarms').set({
            workerId: r.pseudonym, position: null, positionAt: null, text: null, comment: sql<string | null>`CASE WHEN comment IS NULL THEN NULL ELSE ${ERASED} END`,
            acknowledgedBy: sql<string | null>`CASE WHEN acknowledged_by = ${actor} THEN ${pseudonymActor} ELSE acknowledged_by END`,
            resolvedBy: sql<string | null>`CASE WHEN resolved_by = ${actor} THEN ${pseudonymActor} ELSE resolved_by END`,
          }).where('id', 'in', alarmIds).executeTakeFirst());
        }
        if (sessionIds.length) {
          counts.sessions = changed(await q.updateTable('work_sessions').set({
            workerId: r.pseudonym, owner: sql<string>`CASE WHEN owner = ${w} THEN ${r.pseudonym} ELSE owner END`, note: null, phone: null, callList: '[]',
            startedBy: sql<string>`CASE WHEN started_by = ${actor} THEN ${pseudonymActor} ELSE started_by END`,
            endedBy: sql<string | null>`CASE WHEN ended_by = ${actor} THEN ${pseudonymActor} ELSE ended_by END`,
          }).where('id', 'in', sessionIds).executeTakeFirst());
        }
        counts.positions = changed(await q.deleteFrom('positions').where('workerId', '=', w).executeTakeFirst());
        await redactEscalations(q, alarmIds, new Set(t.phones));
        const n = await redactNotifications(q, alarmIds, t.phones, names, r.at);
        [counts.notifications, counts.attempts, counts.responderLinks] = [n.notifications, n.attempts, n.links];
        counts.audit = await redactAudit(q, entries, r, personal);
        for (const table of ['app_actions', 'worker_logins', 'pairing_codes', 'worker_credentials'] as const) {
          counts.appRecords += changed(await q.deleteFrom(table).where('workerId', '=', w).executeTakeFirst());
        }
        counts.devices = changed(await q.updateTable('devices').set({ workerId: null }).where('workerId', '=', w).executeTakeFirst());
        for (const row of await q.selectFrom('registry').select(['id', 'data']).where('kind', '=', 'input').execute()) {
          const input = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as { workerId?: string | null };
          if (input.workerId !== w) continue;
          await q.updateTable('registry').set({ data: JSON.stringify({ ...input, workerId: null }), updatedAt: r.at }).where('kind', '=', 'input').where('id', '=', row.id).execute();
          counts.inputs++;
        }
        counts.worker = changed(await q.deleteFrom('workers').where('id', '=', w).executeTakeFirst());
        // last: what other people wrote about them, wherever it is (their own records are done above)
        const text = await redactFreeText(q, [...names, ...t.phones], r.at);
        counts.freeText = text.alarms + text.sessions + text.audit;
        await insertAudit(q, { ...r.audit, data: { ...r.audit.data, counts } });
        return { ok: true, counts };
      }),
  };
}
