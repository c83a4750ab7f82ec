/**
 * Lone-work sessions (the guards' regime and "I'm working alone until 18:00"). A session is protection
 * mode with, optionally, a planned end (timed session) and periodic check-ins. It lives on the server:
 * its reminder, expiry and check-in deadlines are timers derived from the session row, so expiry raises
 * `session_expired` even if the pendant or phone is dead, and a restart rebuilds them all.
 *
 * Started and stopped from the pendant (`protection_on/off` frames) or the API (then the pendant gets a
 * `protection` downlink). While a duress alarm of the worker is open, nothing is sent that would make
 * the pendant buzz or the worker's phone ring (reminders, prompts).
 */
import { localTime, pickLanguage, t } from '../escalation/language';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { AlarmPublisher } from './alarm-publisher';
import { normalizePhone } from '../escalation/plan';
import type { AlarmService } from './alarms';
import type { SessionsConfig } from '../config';
import type { LiveHub } from './live';
import type { Scheduler } from './scheduler';
import { sessionPartition } from './partition';
import type { AuditEntry, CallListEntry, DeviceRecord, Patch, Session, Store } from '../store/types';

export type SessionResult = { ok: true; session: Session } | { ok: false; code: 'not_found' | 'conflict' | 'invalid'; message: string };
export type SessionListener = (s: Session, action: 'started' | 'stopped' | 'expired' | 'updated') => void;
/** Sends a text to the worker's phone (SMS through the outbox); false when no SMS channel exists. */
/** An SMS to the worker (contactId `@worker`, so the outbox's duress guard can withhold it). */
export type WorkerNotice = (to: string, subject: string, text: string, workerId: string | null) => Promise<boolean>;

export interface StartSessionRequest {
  workerId?: string | null;
  deviceId?: string | null;
  durationMin?: number;
  plannedEndAt?: number;
  checkInIntervalMin?: number;
  reminderBeforeMin?: number;
  note?: string | null;
  phone?: string | null;
  callList?: CallListEntry[];
}

const MIN = 60_000;

export class SessionService {
  private readonly listeners: SessionListener[] = [];
  /** deviceId → active session id: who is protected, for privacy and supervision checks on every event. */
  private readonly protectedDevices = new Map<string, string>();

  constructor(private readonly ctx: {
    store: Store; clock: Clock; log: Logger; scheduler: Scheduler; alarms: AlarmService; publisher: AlarmPublisher;
    live: LiveHub; config: SessionsConfig; notice?: WorkerNotice;
    /** Language of the reminder SMS when the worker has none (escalation.defaultLanguage). */
    defaultLanguage?: string;
    /** The device as known now (the ingest's cache is ahead of the store for heartbeats). */
    currentDevice?: (id: string) => Promise<DeviceRecord | undefined>;
  }) {
    ctx.scheduler.on('session_reminder', (id) => this.remind(id));
    ctx.scheduler.on('session_expiry', (id) => this.expire(id));
    ctx.scheduler.on('check_in', (id) => this.checkInDue(id));
    ctx.live.subscribe((e) => {
      if (e.type === 'session') this.track(e.session);
    });
  }

  onChange(fn: SessionListener): void {
    this.listeners.push(fn);
  }

  isProtected(deviceId: string): boolean {
    return this.protectedDevices.has(deviceId);
  }

  protectedDeviceIds(): string[] {
    return [...this.protectedDevices.keys()];
  }

  /**
   * Start-up (and, in a cluster, taking over a bucket): every active session's timers, from its row.
   * Who is protected is known for every session; timers only for the partitions this process owns.
   */
  async rebuild(owns: (partition: string) => boolean = () => true): Promise<number> {
    const active = await this.ctx.store.listWorkSessions({ states: ['active'] });
    let n = 0;
    for (const s of active) {
      this.track(s);
      if (!owns(sessionPartition(s))) continue;
      this.arm(s);
      n++;
    }
    return n;
  }

  /**
   * Who is protected, kept current on every worker from the live stream (any worker may start or stop
   * a session through the API; in a cluster the live hub carries it to all of them).
   */
  private track(s: Session): void {
    if (!s.deviceId) return;
    if (s.state === 'active') this.protectedDevices.set(s.deviceId, s.id);
    else if (this.protectedDevices.get(s.deviceId) === s.id) this.protectedDevices.delete(s.deviceId);
  }

  async start(req: StartSessionRequest, actor: string, opts: { silent?: boolean } = {}): Promise<SessionResult> {
    const { store, clock, config } = this.ctx;
    const now = clock.now();
    let device: DeviceRecord | undefined;
    const worker = req.workerId ? await store.getWorker(req.workerId) : undefined;
    if (req.workerId && !worker) return { ok: false, code: 'not_found', message: `Unknown worker '${req.workerId}'` };
    if (req.deviceId) {
      device = await store.getDevice(req.deviceId);
      if (!device) return { ok: false, code: 'not_found', message: `Unknown device '${req.deviceId}'` };
    } else if (worker) {
      // The worker's pendant. A phone is a session's device only when the app asks for it (the phone
      // watching for falls): a phone that is not sending would otherwise raise device_silent.
      device = (await store.listDevices({ workerId: worker.id })).find((d) => d.board !== 'phone');
    }
    if (!worker && !device) return { ok: false, code: 'invalid', message: 'a session needs a workerId or a deviceId' };
    const workerId = worker?.id ?? device?.workerId ?? null;
    const plannedEndAt = req.plannedEndAt ?? (req.durationMin !== undefined ? now + req.durationMin * MIN : null);
    if (plannedEndAt !== null && (plannedEndAt <= now || plannedEndAt > now + config.maxDurationH * 60 * MIN)) {
      return { ok: false, code: 'invalid', message: `the planned end must be in the future and within ${config.maxDurationH} h` };
    }
    const checkInMin = req.checkInIntervalMin ?? (req.durationMin === undefined && req.plannedEndAt === undefined ? config.protectionCheckInMin : 0);
    const s: Session = {
      id: randomUUID(), owner: workerId ?? `device:${device!.id}`, workerId, deviceId: device?.id ?? null, siteId: worker?.siteId ?? device?.siteId ?? null,
      kind: plannedEndAt === null ? 'protection' : 'timed', state: 'active', startedAt: now, startedBy: actor, plannedEndAt,
      reminderBeforeS: Math.round((req.reminderBeforeMin ?? config.reminderBeforeMin) * 60), reminderSentAt: null,
      checkInIntervalS: checkInMin > 0 ? Math.round(checkInMin * 60) : null, checkInGraceS: config.checkInGraceS,
      nextCheckInAt: checkInMin > 0 ? now + checkInMin * MIN : null, checkInPromptedAt: null, lastCheckInAt: null,
      note: req.note?.trim() || null, phone: req.phone?.trim() || null, callList: (req.callList ?? []).slice(0, 5),
      endedAt: null, endedBy: null, updatedAt: now,
    };
    const r = await store.createWorkSession(s, this.audit(now, actor, 'session_started', s.id, { kind: s.kind, plannedEndAt, deviceId: s.deviceId }));
    if (!r.created) return { ok: false, code: 'conflict', message: `${worker?.name ?? 'This device'} already has an active session (${r.session.id})` };
    this.arm(s);
    this.emit(s, 'started');
    if (!opts.silent) this.pendant(s, 'protection', 1);
    return { ok: true, session: s };
  }

  /** `protection_on` from the pendant: a protection session unless one is already active. */
  async deviceOn(device: DeviceRecord, at: number): Promise<void> {
    const owner = device.workerId ?? `device:${device.id}`;
    if (await this.ctx.store.findActiveWorkSession(owner)) return;
    const r = await this.start({ deviceId: device.id, workerId: device.workerId }, `device:${device.id}`, { silent: true });
    if (!r.ok && r.code !== 'conflict') this.ctx.log.warn('protection from the pendant refused', { deviceId: device.id, at, reason: r.message });
  }

  /** `protection_off` from the pendant ends the active session, whatever started it. */
  async deviceOff(device: DeviceRecord): Promise<void> {
    const s = await this.ctx.store.findActiveWorkSession(device.workerId ?? `device:${device.id}`);
    if (s) await this.stop(s.id, `device:${device.id}`, { silent: true });
  }

  async extend(id: string, actor: string, by: { addMin?: number; plannedEndAt?: number }): Promise<SessionResult> {
    const s = await this.ctx.store.getWorkSession(id);
    if (!s) return { ok: false, code: 'not_found', message: `Unknown session '${id}'` };
    const now = this.ctx.clock.now();
    const end = by.plannedEndAt ?? Math.max(s.plannedEndAt ?? now, now) + (by.addMin ?? 60) * MIN;
    if (end <= now || end > now + this.ctx.config.maxDurationH * 60 * MIN) return { ok: false, code: 'invalid', message: `the new end must be in the future and within ${this.ctx.config.maxDurationH} h` };
    return this.update(s, actor, 'session_extended', { plannedEndAt: end, kind: 'timed', reminderSentAt: null }, { plannedEndAt: end });
  }

  async stop(id: string, actor: string, opts: { silent?: boolean } = {}): Promise<SessionResult> {
    const now = this.ctx.clock.now();
    const s = await this.ctx.store.updateWorkSession(id, ['active'], { state: 'stopped', endedAt: now, endedBy: actor, updatedAt: now }, this.audit(now, actor, 'session_stopped', id));
    if (!s) return this.failure(id, 'stopped');
    this.disarm(s);
    this.emit(s, 'stopped');
    if (!opts.silent) this.pendant(s, 'protection', 0);
    return { ok: true, session: s };
  }

  /** A check-in: the pendant's `check_in` frame or a confirmation in the app or console. */
  async checkIn(id: string, actor: string, at = this.ctx.clock.now()): Promise<SessionResult> {
    const s = await this.ctx.store.getWorkSession(id);
    if (!s) return { ok: false, code: 'not_found', message: `Unknown session '${id}'` };
    const patch: Patch<Session> = { lastCheckInAt: at, checkInPromptedAt: null, nextCheckInAt: s.checkInIntervalS ? at + s.checkInIntervalS * 1000 : null };
    const r = await this.update(s, actor, 'checked_in', patch);
    const missed = await this.ctx.store.findOpenAlarmBySubject(`session:${id}`, 'check_in_missed');
    if (missed) await this.ctx.store.appendAudit({ at, actor, action: 'worker_checked_in', entity: 'alarm', entityId: missed.id });
    return r;
  }

  async deviceCheckIn(device: DeviceRecord, at: number): Promise<void> {
    const s = await this.ctx.store.findActiveWorkSession(device.workerId ?? `device:${device.id}`);
    if (s) await this.checkIn(s.id, `device:${device.id}`, at);
  }

  private async update(s: Session, actor: string, action: string, patch: Patch<Session>, data?: Record<string, unknown>): Promise<SessionResult> {
    const now = this.ctx.clock.now();
    const updated = await this.ctx.store.updateWorkSession(s.id, ['active'], { ...patch, updatedAt: now }, this.audit(now, actor, action, s.id, data));
    if (!updated) return this.failure(s.id, action.replace('session_', ''));
    this.arm(updated);
    this.emit(updated, 'updated');
    return { ok: true, session: updated };
  }

  private async remind(id: string): Promise<void> {
    const s = await this.ctx.store.getWorkSession(id);
    if (!s || s.state !== 'active' || s.plannedEndAt === null || s.reminderSentAt !== null) return;
    const now = this.ctx.clock.now();
    if (now < s.plannedEndAt - s.reminderBeforeS * 1000) return this.arm(s);
    const updated = await this.ctx.store.updateWorkSession(id, ['active'], { reminderSentAt: now, updatedAt: now }, this.audit(now, 'system', 'session_reminder', id));
    if (!updated) return;
    this.emit(updated, 'updated');
    if (await this.underDuress(s)) return;
    const minutesLeft = Math.max(1, Math.ceil((s.plannedEndAt - now) / MIN));
    this.pendant(s, 'session_reminder', minutesLeft);
    const worker = s.workerId ? await this.ctx.store.getWorker(s.workerId) : undefined;
    const phone = s.phone ?? worker?.phone ?? null;
    if (phone && this.ctx.notice) {
      // In the worker's language, with the end as the clock on the site's wall shows it.
      const siteId = s.siteId ?? worker?.siteId ?? null;
      const site = siteId ? await this.ctx.store.getSite(siteId) : undefined;
      const lang = pickLanguage(worker?.language, this.ctx.defaultLanguage);
      const text = t(lang, 'notify.reminder.text', { min: minutesLeft, time: localTime(s.plannedEndAt, site?.timeZone) });
      await this.ctx.notice(normalizePhone(phone), t(lang, 'notify.reminder.subject'), text, s.workerId);
    }
  }

  private async expire(id: string): Promise<void> {
    const s = await this.ctx.store.getWorkSession(id);
    if (!s || s.state !== 'active' || s.plannedEndAt === null) return;
    const now = this.ctx.clock.now();
    if (now < s.plannedEndAt) return this.arm(s);
    const expired = await this.ctx.store.updateWorkSession(id, ['active'], { state: 'expired', endedAt: now, endedBy: 'system', updatedAt: now }, this.audit(now, 'system', 'session_expired', id));
    if (!expired) return;
    this.disarm(expired);
    this.emit(expired, 'expired');
    await this.ctx.alarms.raiseSystem({
      type: 'session_expired', subject: `session:${id}`, at: now, siteId: s.siteId, deviceId: s.deviceId, workerId: s.workerId, sessionId: id,
      text: sessionText('Session ran out without being stopped', s), data: { plannedEndAt: s.plannedEndAt },
    });
  }

  private async checkInDue(id: string): Promise<void> {
    const s = await this.ctx.store.getWorkSession(id);
    if (!s || s.state !== 'active' || s.checkInIntervalS === null || s.nextCheckInAt === null) return;
    const now = this.ctx.clock.now();
    const due = checkInDueAt(s)!;
    if (now < due) return this.arm(s);
    if (s.checkInPromptedAt === null) {
      const updated = await this.ctx.store.updateWorkSession(id, ['active'], { checkInPromptedAt: now, updatedAt: now }, undefined);
      if (!updated) return;
      this.arm(updated);
      this.emit(updated, 'updated');
      if (!(await this.underDuress(s))) this.pendant(s, 'check_in_request', s.checkInGraceS);
      return;
    }
    // The prompt's grace ran out: an alarm, and the next prompt one interval later.
    const updated = await this.ctx.store.updateWorkSession(id, ['active'], { checkInPromptedAt: null, nextCheckInAt: now + s.checkInIntervalS * 1000, updatedAt: now }, this.audit(now, 'system', 'check_in_missed', id));
    if (!updated) return;
    this.arm(updated);
    this.emit(updated, 'updated');
    await this.ctx.alarms.raiseSystem({
      type: 'check_in_missed', subject: `session:${id}`, at: now, siteId: s.siteId, deviceId: s.deviceId, workerId: s.workerId, sessionId: id,
      text: sessionText(`Check-in not confirmed within ${s.checkInGraceS} s`, s), data: { promptedAt: s.checkInPromptedAt },
    });
  }

  private arm(s: Session): void {
    const { scheduler } = this.ctx;
    if (s.state !== 'active') return this.disarm(s);
    this.track(s);
    const p = sessionPartition(s);
    if (s.plannedEndAt !== null) {
      scheduler.set(`session:${s.id}:end`, s.plannedEndAt, 'session_expiry', s.id, p);
      if (s.reminderSentAt === null && s.reminderBeforeS > 0) scheduler.set(`session:${s.id}:reminder`, s.plannedEndAt - s.reminderBeforeS * 1000, 'session_reminder', s.id, p);
      else scheduler.clear(`session:${s.id}:reminder`);
    }
    const due = checkInDueAt(s);
    if (due !== null) scheduler.set(`session:${s.id}:checkin`, due, 'check_in', s.id, p);
    else scheduler.clear(`session:${s.id}:checkin`);
  }

  private disarm(s: Session): void {
    for (const t of ['end', 'reminder', 'checkin']) this.ctx.scheduler.clear(`session:${s.id}:${t}`);
    this.track(s);
  }

  private async underDuress(s: Session): Promise<boolean> {
    return s.deviceId !== null && (await this.ctx.store.findOpenAlarm(s.deviceId, 'duress')) !== undefined;
  }

  private pendant(s: Session, command: 'protection' | 'session_reminder' | 'check_in_request', param: number): void {
    if (!s.deviceId) return;
    void (this.ctx.currentDevice ?? ((id: string) => this.ctx.store.getDevice(id)))(s.deviceId).then((d) => {
      if (d?.siteId && d.lastCounter >= 0) this.ctx.publisher.command(d.siteId, d.id, d.lastCounter, command, Math.min(param, 65535));
    }).catch((e: unknown) => this.ctx.log.warn('pendant command not sent', { deviceId: s.deviceId, command, error: e as Error }));
  }

  private emit(s: Session, action: Parameters<SessionListener>[1]): void {
    this.ctx.live.publish({ type: 'session', session: s, action });
    for (const fn of this.listeners) fn(s, action);
  }

  private async failure(id: string, what: string): Promise<SessionResult> {
    const s = await this.ctx.store.getWorkSession(id);
    if (!s) return { ok: false, code: 'not_found', message: `Unknown session '${id}'` };
    return { ok: false, code: 'conflict', message: `The session cannot be ${what}: it is ${s.state}` };
  }

  private audit(at: number, actor: string, action: string, id: string, data?: Record<string, unknown>): AuditEntry {
    return { at, actor, action, entity: 'session', entityId: id, ...(data ? { data } : {}) };
  }
}

function checkInDueAt(s: Session): number | null {
  if (s.checkInIntervalS === null || s.nextCheckInAt === null) return null;
  return s.checkInPromptedAt === null ? s.nextCheckInAt : s.checkInPromptedAt + s.checkInGraceS * 1000;
}

/** The alarm text: what happened, the worker's note and call list (for whoever picks it up). */
function sessionText(what: string, s: Session): string {
  const parts = [what];
  if (s.note) parts.push(`Note: ${s.note}`);
  if (s.callList.length) parts.push(`Call list: ${s.callList.map((c) => c.name).join(', ')}`);
  return parts.join('. ').slice(0, 240);
}
