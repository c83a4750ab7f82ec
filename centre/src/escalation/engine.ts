/**
 * The escalation engine: from a raised alarm to a person who accepted it. The plan (plan.ts) is fixed
 * at the raise; each step waits `timeoutS` for an answer; the first acceptance — a contact's "YES",
 * a webhook or responder-page answer, or an operator's acknowledgement — stops it; a rejection, a
 * failed delivery or no answer moves on; after the last step and the fallback, every supervisor of the
 * site is alerted each round until someone acknowledges (person alarms never go silent).
 *
 * Crash safety: a step's state and its notifications are one store transaction, conditional on the
 * escalation's version, and the only timer (`esc:<id>` at `nextAt`) is derived from the row. After a
 * restart the timer is re-armed from the row and a step already taken is never taken again.
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { AlarmService } from '../domain/alarms';
import type { EscalationConfig } from '../config';
import type { LiveHub } from '../domain/live';
import type { Channel, DeliveryResult } from '../notify/types';
import type { Scheduler } from '../domain/scheduler';
import { alarmPartition, escalationPartition } from '../domain/partition';
import { type Alarm, type AttemptRecord, type AuditEntry, DEFAULT_ORGANISATION, type Escalation, type EscalationTarget, type Ladder, type NewOutboxMessage, type OutboxMessage, type Store } from '../store/types';
import type { PlaceResolver } from '../domain/views';
import { isWorkerRecipient } from './duress-guard';
import { compose } from './messages';
import { voiceFacts } from './voice-facts';
import type { Outbox } from './outbox';
import { normalizePhone, planEscalation } from './plan';
import type { ResponderTokens } from './tokens';

export interface Answer {
  kind: 'accepted' | 'rejected';
  channel: Channel;
  at: number;
  /** How the answer came: `sms`, `webhook`, `responder-page`… */
  via: string;
  notificationId?: string;
  from?: string;
  alarmNumber?: string;
  text?: string;
}

export type AnswerResult = { ok: true; alarm: Alarm; accepted: boolean } | { ok: false; code: 'unknown' | 'closed'; message: string };

type Cause = 'no_answer' | 'rejected' | 'failed';

export class EscalationEngine {
  private readonly started = new Set<string>();

  constructor(private readonly ctx: {
    store: Store; clock: Clock; log: Logger; scheduler: Scheduler; alarms: AlarmService; outbox: Outbox; tokens: ResponderTokens;
    live: LiveHub; config: EscalationConfig; places?: PlaceResolver;
  }) {
    ctx.scheduler.on('escalation', (id) => this.onTimer(id));
    ctx.alarms.onChange(async (alarm, action) => {
      if (action === 'raised') await this.start(alarm);
      else if (action === 'duress') await this.takeOver(alarm);
      else if (action === 'acknowledged' || action === 'resolved' || action === 'cancelled') await this.stop(alarm, action);
    });
    ctx.outbox.onResult((m, r) => this.onDelivery(m, r));
  }

  /**
   * Start-up (and, in a cluster, taking over buckets): re-arms running escalations from their rows,
   * then starts any a crash left unstarted — of the partitions `owns` accepts.
   */
  async rebuild(owns: (partition: string) => boolean = () => true): Promise<number> {
    const running = (await this.ctx.store.listEscalations({ states: ['running'] })).filter((e) => owns(escalationPartition(e)));
    for (const e of running) this.arm(e);
    await this.reconcile(owns);
    return running.length;
  }

  /** Every raised alarm has an escalation (the alarm and its escalation are two transactions). */
  async reconcile(owns: (partition: string) => boolean = () => true): Promise<void> {
    for (const a of await this.ctx.store.listAlarms({ states: ['raised'], limit: 10_000 })) {
      if (this.started.has(a.id) || !owns(alarmPartition(a))) continue;
      if (await this.ctx.store.getEscalationByAlarm(a.id)) this.started.add(a.id);
      else await this.start(a);
    }
  }

  async start(alarm: Alarm): Promise<Escalation> {
    const { store, clock, outbox } = this.ctx;
    const existing = await store.getEscalationByAlarm(alarm.id);
    if (existing) return existing;
    const now = clock.now();
    const { plan, ladder } = await this.plan(alarm);
    const fresh: Escalation = {
      id: `esc-${alarm.id}`, alarmId: alarm.id, siteId: alarm.siteId, state: 'running', phase: 'ladder', steps: plan.steps, broadcast: plan.broadcast,
      step: -1, round: 0, repeat: plan.repeat, nextAt: null, version: 0, startedAt: now, updatedAt: now, endedAt: null, endReason: null,
      partition: alarmPartition(alarm),
    };
    const move = await this.move(fresh, alarm, now, undefined);
    const esc = { ...fresh, ...move.patch };
    const audit: AuditEntry[] = [this.audit(now, alarm.id, 'escalation_started', { steps: plan.steps.map((s) => `${s.name} (${s.channel})`), ladderId: ladder?.id ?? null }), ...move.audit];
    const r = await store.createEscalation(esc, move.messages, audit);
    this.started.add(alarm.id);
    if (!r.created) return r.escalation;
    for (const s of plan.skipped) await store.recordAttempt({ at: now, notificationId: null, alarmId: alarm.id, channel: s.channel, to: '', contactName: s.name, status: 'skipped', detail: s.reason });
    this.arm(r.escalation);
    outbox.kick();
    return r.escalation;
  }

  /**
   * A duress signal took the alarm over (alarms.ts takeOver): the steps already taken stay on the
   * record, the rest of the ladder is replaced by the duress plan (the monitoring centre and the police
   * first, never the worker) whose first step is taken now; notifications not yet sent are cancelled in
   * the same transaction. A stopped escalation (the SOS had been accepted) runs again: a threat changes
   * who must come. The outbox's duress guard (duress-guard.ts) withholds anything still on its way to
   * the worker.
   */
  async takeOver(alarm: Alarm): Promise<void> {
    const { store, clock, outbox } = this.ctx;
    for (let i = 0; i < 5; i++) {
      const esc = await store.getEscalationByAlarm(alarm.id);
      if (!esc) {
        await this.start(alarm);
        return;
      }
      const now = clock.now();
      const { plan, ladder } = await this.plan(alarm);
      const done = esc.phase === 'ladder' ? esc.steps.slice(0, esc.step + 1) : esc.steps;
      const base: Escalation = {
        ...esc, state: 'running', phase: 'ladder', steps: [...done, ...plan.steps], broadcast: plan.broadcast, step: done.length - 1, round: 0,
        repeat: plan.repeat, endedAt: null, endReason: null,
      };
      const move = await this.move(base, alarm, now, undefined);
      const audit = [this.audit(now, alarm.id, 'escalation_duress', { steps: plan.steps.map((s) => `${s.name} (${s.channel})`), ladderId: ladder?.id ?? null, was: esc.state }), ...move.audit];
      const patch: Partial<Escalation> = {
        state: 'running', phase: 'ladder', steps: base.steps, broadcast: base.broadcast, step: base.step, round: 0, repeat: base.repeat,
        endedAt: null, endReason: null, nextAt: null, ...move.patch, updatedAt: now,
      };
      const updated = await store.updateEscalation(esc.id, esc.version, patch, move.messages, audit, { cancelPending: true });
      if (!updated) continue; // a step raced us: read again
      for (const s of plan.skipped) await store.recordAttempt({ at: now, notificationId: null, alarmId: alarm.id, channel: s.channel, to: '', contactName: s.name, status: 'skipped', detail: s.reason });
      this.started.add(alarm.id);
      this.arm(updated);
      outbox.kick();
      return;
    }
    this.ctx.log.error('duress take-over of the escalation lost every race; reconcile retries', { alarmId: alarm.id });
  }

  /**
   * Who is told, for the alarm as it is now (its type decides the duress plan). Only the ladder and
   * contacts of the alarm's organisation: another customer's contact is never called about it (a
   * ladder of another organisation is no ladder; its supervisors and the consoles are still alerted).
   */
  private async plan(alarm: Alarm): Promise<{ plan: ReturnType<typeof planEscalation>; ladder: Ladder | undefined }> {
    const { store, outbox, config } = this.ctx;
    const org = alarm.organisationId ?? (await store.getAlarm(alarm.id))?.organisationId ?? DEFAULT_ORGANISATION;
    const ours = <T extends { organisationId?: string }>(r: T | undefined): T | undefined => (r && (r.organisationId ?? DEFAULT_ORGANISATION) === org ? r : undefined);
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    const session = alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : worker ? await store.findActiveWorkSession(worker.id) : undefined;
    const site = alarm.siteId ? await store.getSite(alarm.siteId) : undefined;
    const ladderId = worker?.ladderId ?? site?.ladderId ?? config.defaultLadderId;
    const ladder = ladderId ? ours(await store.getEntity('ladder', ladderId)) : undefined;
    const contacts = (await store.listEntities('contact', alarm.siteId ? { siteId: alarm.siteId } : {})).filter((c) => ours(c));
    return { plan: planEscalation({ alarm, worker, session, ladder, contacts, channels: outbox.channels(), callListTimeoutS: config.callListTimeoutS }), ladder };
  }

  /** The alarm was acknowledged, resolved or cancelled: the escalation ends, unsent notifications are cancelled. */
  async stop(alarm: Alarm, reason: string): Promise<void> {
    const { store, clock } = this.ctx;
    for (let i = 0; i < 5; i++) {
      const esc = await store.getEscalationByAlarm(alarm.id);
      if (!esc || esc.state !== 'running') return;
      const now = clock.now();
      const done = await store.updateEscalation(esc.id, esc.version, { state: 'stopped', endedAt: now, endReason: reason, nextAt: null, updatedAt: now }, [], [this.audit(now, alarm.id, 'escalation_stopped', { reason })], { cancelPending: true });
      if (done) {
        this.ctx.scheduler.clear(`esc:${esc.id}`);
        return;
      }
    }
  }

  /** An answer from a contact, by channel reply (SMS, webhook) or the responder page. */
  async answer(a: Answer): Promise<AnswerResult> {
    const { store } = this.ctx;
    const msg = a.notificationId
      ? await store.getOutbox(a.notificationId)
      : a.from ? await store.findReplyTarget(a.channel, a.channel === 'sms' ? normalizePhone(a.from) : a.from, a.alarmNumber) : undefined;
    if (!msg?.alarmId) return { ok: false, code: 'unknown', message: 'No alarm notification matches this answer' };
    return this.answerFor(msg.alarmId, msg.targetKey, { name: msg.contactName, channel: msg.channel, to: msg.to, notificationId: msg.id }, a);
  }

  /**
   * What became of a notification after it was sent (a phone call answered, busy, not picked up, hung
   * up without a key): recorded on the alarm; a failure of the current step moves the ladder on at once.
   */
  async receipt(e: { notificationId: string; kind: 'delivered' | 'failed' | 'no_answer'; at: number; text?: string }): Promise<void> {
    const { store } = this.ctx;
    const m = await store.getOutbox(e.notificationId);
    if (!m) return;
    await store.recordAttempt({ at: e.at, notificationId: m.id, alarmId: m.alarmId, channel: m.channel, to: m.to, contactName: m.contactName, status: e.kind, detail: e.text?.slice(0, 200) ?? null });
    if (m.alarmId) this.ctx.live.publish({ type: 'attempt', alarmId: m.alarmId, status: e.kind, channel: m.channel, contactName: m.contactName, at: e.at });
    if (e.kind === 'delivered' || !m.escalationId) return;
    const esc = await store.getEscalation(m.escalationId);
    if (esc?.state === 'running' && esc.phase === 'ladder' && m.step === esc.step) await this.advance(esc, 'failed');
  }

  /** A contact who accepted by phone asks for the SMS with the responder link (voice channel, key 3). */
  async smsFollowUp(n: { id: string; alarmId: string; alarmNumber: string; to: string; subject: string; link?: string }): Promise<boolean> {
    const { store, outbox } = this.ctx;
    const m = await store.getOutbox(n.id);
    if (!m || !n.link || !outbox.channels().has('sms')) return false;
    await outbox.enqueue([outbox.message({
      channel: 'sms', to: n.to, contactName: m.contactName, contactId: m.contactId, subject: n.subject, text: `${n.subject} · ${n.link}`,
      alarmId: m.alarmId, alarmNumber: m.alarmNumber, link: n.link, priority: 1,
    })]);
    return true;
  }

  /** The responder page's buttons: the same as an SMS answer, for the token's contact. */
  async answerByToken(token: string, kind: Answer['kind']): Promise<AnswerResult> {
    const t = await this.ctx.tokens.resolve(token);
    if (!t) return { ok: false, code: 'unknown', message: 'Not found' };
    return this.answerFor(t.alarmId, t.targetKey, { name: t.contactName, channel: t.channel, to: t.address, notificationId: null }, { kind, channel: t.channel, at: this.ctx.clock.now(), via: 'responder-page' });
  }

  private async answerFor(alarmId: string, targetKey: string | null, who: { name: string; channel: Channel; to: string; notificationId: string | null }, a: Answer): Promise<AnswerResult> {
    const { store, alarms, live } = this.ctx;
    const alarm = await store.getAlarm(alarmId);
    if (!alarm) return { ok: false, code: 'unknown', message: 'No alarm notification matches this answer' };
    const attempt: AttemptRecord = { at: a.at, notificationId: who.notificationId, alarmId, channel: who.channel, to: who.to, contactName: who.name, status: a.kind, detail: `${a.via}${a.text ? `: ${a.text.slice(0, 80)}` : ''}` };
    await store.recordAttempt(attempt);
    live.publish({ type: 'attempt', alarmId, status: a.kind, channel: who.channel, contactName: who.name, at: a.at });
    if (alarm.state === 'resolved' || alarm.state === 'cancelled') return { ok: false, code: 'closed', message: `Alarm ${alarm.number} is already ${alarm.state}` };
    if (alarm.type === 'duress' && (await isWorkerRecipient(store, alarm, { targetKey, address: who.to }))) {
      // Whoever holds the worker's phone may be the threat: an answer from it changes nothing.
      await store.appendAudit(this.audit(a.at, alarmId, 'worker_answer_ignored', { kind: a.kind, channel: who.channel, reason: 'duress' }));
      return { ok: false, code: 'unknown', message: 'No alarm notification matches this answer' }; // as for a stranger: nothing to learn
    }
    if (a.kind === 'accepted') {
      const r = await alarms.acknowledge(alarmId, `contact:${who.name}`, { channel: who.channel, via: a.via });
      if (!r.ok) await store.appendAudit(this.audit(a.at, alarmId, 'also_accepted', { contact: who.name, channel: who.channel }, `contact:${who.name}`));
      return { ok: true, alarm: r.ok ? r.alarm : alarm, accepted: r.ok };
    }
    await store.appendAudit(this.audit(a.at, alarmId, 'rejected', { contact: who.name, channel: who.channel }, `contact:${who.name}`));
    const esc = await store.getEscalationByAlarm(alarmId);
    if (esc?.state === 'running' && esc.phase === 'ladder' && esc.steps[esc.step]?.key === targetKey) await this.advance(esc, 'rejected');
    return { ok: true, alarm, accepted: false };
  }

  private async onTimer(id: string): Promise<void> {
    const esc = await this.ctx.store.getEscalation(id);
    if (!esc || esc.state !== 'running' || esc.nextAt === null) return;
    if (esc.nextAt > this.ctx.clock.now()) return this.arm(esc);
    await this.advance(esc, 'no_answer');
  }

  /** A failed delivery to the current step's contact: no point waiting for an answer that cannot come. */
  private async onDelivery(m: OutboxMessage, r: DeliveryResult): Promise<void> {
    if (r.status !== 'failed' || !m.escalationId) return;
    const esc = await this.ctx.store.getEscalation(m.escalationId);
    if (esc?.state === 'running' && esc.phase === 'ladder' && m.step === esc.step) await this.advance(esc, 'failed');
  }

  /** Takes the next step (conditional on the version read); a lost race means someone else took it. */
  private async advance(esc: Escalation, cause: Cause): Promise<void> {
    const { store, clock, outbox } = this.ctx;
    const alarm = await store.getAlarm(esc.alarmId);
    if (!alarm) return;
    const now = clock.now();
    const move = await this.move(esc, alarm, now, cause);
    const updated = await store.updateEscalation(esc.id, esc.version, { ...move.patch, updatedAt: now }, move.messages, move.audit);
    if (!updated) return;
    if (cause === 'no_answer' && esc.phase === 'ladder' && esc.steps[esc.step]) {
      const t = esc.steps[esc.step]!;
      await store.recordAttempt({ at: now, notificationId: null, alarmId: alarm.id, channel: t.channel, to: t.address, contactName: t.name, status: 'no_answer', detail: `no answer within ${t.timeoutS} s` });
    }
    this.arm(updated);
    outbox.kick();
  }

  /** The next state of an escalation and what it sends (pure apart from issuing responder links). */
  private async move(esc: Escalation, alarm: Alarm, now: number, cause: Cause | undefined): Promise<{ patch: Partial<Escalation>; messages: NewOutboxMessage[]; audit: AuditEntry[] }> {
    const audit: AuditEntry[] = [];
    if (esc.phase === 'ladder' && esc.step + 1 < esc.steps.length) {
      const step = esc.step + 1;
      const t = esc.steps[step]!;
      audit.push(this.audit(now, alarm.id, 'escalation_step', { step: step + 1, of: esc.steps.length, contact: t.name, channel: t.channel, role: t.role, ...(cause ? { after: cause } : {}) }));
      return { patch: { step, nextAt: now + t.timeoutS * 1000 }, messages: [await this.message(esc, alarm, t, step, now)], audit };
    }
    const round = esc.round + 1;
    const last = !esc.repeat;
    audit.push(this.audit(now, alarm.id, 'escalation_broadcast', { round, to: esc.broadcast.map((t) => `${t.name} (${t.channel})`), ...(cause ? { after: cause } : {}) }));
    const messages = await Promise.all(esc.broadcast.map((t) => this.message(esc, alarm, t, -round, now, round)));
    return {
      patch: { phase: 'broadcast', round, nextAt: last ? null : now + this.ctx.config.broadcastRepeatS * 1000, ...(last ? { state: 'done' as const, endedAt: now, endReason: 'notified' } : {}) },
      messages, audit,
    };
  }

  private async message(esc: Escalation, alarm: Alarm, t: EscalationTarget, step: number, now: number, round?: number): Promise<NewOutboxMessage> {
    const { store, tokens, outbox, places } = this.ctx;
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    const place = places ? await places.describe(alarm.position ?? null) : null;
    const link = await tokens.link(alarm, t);
    const c = compose({ alarm, workerName: worker?.name ?? null, workerPhone: worker?.phone ?? null, place, nowMs: now, link, defaultLanguage: this.ctx.config.defaultLanguage ?? 'en', ...(round !== undefined ? { round } : {}) }, t);
    const data = t.channel === 'voice' ? { ...c.data, voice: await voiceFacts(store, alarm, t) } : c.data;
    return outbox.message({
      alarmId: alarm.id, alarmNumber: alarm.number, escalationId: esc.id, step, targetKey: t.key, channel: t.channel, to: t.address,
      contactId: t.contactId, contactName: t.name, subject: c.subject, text: c.text, link, data, priority: alarm.priority,
    });
  }

  private arm(e: Escalation): void {
    if (e.state === 'running' && e.nextAt !== null) this.ctx.scheduler.set(`esc:${e.id}`, e.nextAt, 'escalation', e.id, escalationPartition(e));
    else this.ctx.scheduler.clear(`esc:${e.id}`);
  }

  /** Escalation entries are their own timeline (entity `escalation`, id = the alarm's), beside the alarm's lifecycle. */
  private audit(at: number, alarmId: string, action: string, data: Record<string, unknown>, actor = 'system'): AuditEntry {
    return { at, actor, action, entity: 'escalation', entityId: alarmId, data };
  }
}
