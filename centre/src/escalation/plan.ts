/**
 * Who is told about an alarm, how, and in which order — fixed when the alarm is raised and stored
 * with the escalation, so a restart resumes the same plan even if the registry changed meanwhile.
 *
 * Person alarms: the session's call list first (the worker chose them, often someone close by), then
 * the ladder of the worker (else the site, else the default), then its fallback contact; once those
 * are exhausted every supervisor of the site is alerted on every channel they have, plus the consoles,
 * round after round until someone acknowledges — never silent.
 * Duress: the worker is never contacted (no ladder step for the worker, nobody at the worker's
 * numbers); the monitoring centre and police contacts come first, then the others.
 * Technical alarms: the site's supervisors and the consoles, once. Low battery: the consoles only.
 * A step whose channel has no notifier, or whose contact has no address for it, is skipped — and
 * recorded as skipped, so the timeline shows why nobody was called.
 */
import { ALARM_TYPES, type AlarmType } from '../../../protocol/src';
import type { Channel } from '../notify/types';
import { type Alarm, type Contact, type EscalationTarget, type Ladder, type LadderStep, type Session, type Worker, WORKER_CONTACT } from '../store/types';

export interface PlanInput {
  alarm: Alarm;
  worker: Worker | undefined;
  session: Session | undefined;
  ladder: Ladder | undefined;
  /** Contacts of the alarm's site and the centre-wide ones (siteId null). */
  contacts: Contact[];
  channels: ReadonlySet<Channel>;
  callListTimeoutS: number;
}

export interface Plan {
  steps: EscalationTarget[];
  broadcast: EscalationTarget[];
  repeat: boolean;
  skipped: { name: string; channel: Channel; reason: string }[];
}

const KIND = new Map<AlarmType, string>(ALARM_TYPES.map((t) => [t.name, t.kind]));
const PREFERRED: readonly Channel[] = ['webhook', 'sms', 'email'];

export function normalizePhone(p: string): string {
  const trimmed = p.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/[^0-9]/g, '');
}

export function addressFor(c: { phone?: string | null; email?: string | null; webhookUrl?: string | null; name: string; language?: string | null }, channel: Channel): string | null {
  switch (channel) {
    case 'sms':
    case 'voice': return c.phone ? normalizePhone(c.phone) : null;
    case 'email': return c.email ?? null;
    case 'webhook': return c.webhookUrl ?? null;
    case 'console': return c.name;
    case 'push': return null; // a user's subscriptions, not a contact's address (push-alerts.ts)
  }
}

export function planEscalation(input: PlanInput): Plan {
  const { alarm, channels } = input;
  const plan: Plan = { steps: [], broadcast: [], repeat: false, skipped: [] };
  const byId = new Map(input.contacts.map((c) => [c.id, c]));
  const console: EscalationTarget = { key: 'console', contactId: null, name: 'Operators', role: 'console', channel: 'console', address: 'operators', timeoutS: 0 };
  const kind = KIND.get(alarm.type) ?? 'person';
  const supervisors = siteFirst(input.contacts.filter((c) => c.kind === 'supervisor'), alarm.siteId);

  const add = (list: EscalationTarget[], t: Omit<EscalationTarget, 'key' | 'address'>, c: Parameters<typeof addressFor>[0]): void => {
    if (!channels.has(t.channel)) return void plan.skipped.push({ name: t.name, channel: t.channel, reason: `no ${t.channel} channel is configured` });
    const address = addressFor(c, t.channel);
    if (!address) return void plan.skipped.push({ name: t.name, channel: t.channel, reason: `no ${t.channel} address` });
    const key = `${t.role}:${t.contactId ?? t.name}:${t.channel}`;
    if (list.some((x) => x.key === key || (x.channel === t.channel && x.address === address))) return;
    list.push({ ...t, key, address, language: c.language ?? null });
  };
  const everyChannel = (list: EscalationTarget[], c: Contact, role: EscalationTarget['role']): void => {
    for (const ch of PREFERRED) if (channels.has(ch) && addressFor(c, ch)) add(list, { contactId: c.id, name: c.name, role, channel: ch, timeoutS: 0 }, c);
  };

  if (kind === 'technical') {
    if (alarm.priority <= 4) supervisors.forEach((c) => everyChannel(plan.broadcast, c, 'supervisor'));
    plan.broadcast.push(console);
    return plan;
  }

  const ladderStep = (s: LadderStep, role: 'ladder' | 'fallback'): void => {
    if (s.contactId === WORKER_CONTACT) {
      const w = input.worker;
      if (w) add(plan.steps, { contactId: WORKER_CONTACT, name: w.name, role: 'worker', channel: s.channel, timeoutS: s.timeoutS }, { name: w.name, phone: input.session?.phone ?? w.phone, language: w.language ?? null });
      return;
    }
    const c = byId.get(s.contactId);
    if (!c) return void plan.skipped.push({ name: s.contactId, channel: s.channel, reason: 'unknown contact' });
    add(plan.steps, { contactId: c.id, name: c.name, role, channel: s.channel, timeoutS: s.timeoutS }, c);
  };
  const ladder = input.ladder ? [...input.ladder.steps.map((s) => ({ s, role: 'ladder' as const })), ...(input.ladder.fallback ? [{ s: input.ladder.fallback, role: 'fallback' as const }] : [])] : [];
  const callList = (): void => {
    for (const [i, e] of (input.session?.callList ?? []).entries()) {
      const channel: Channel = e.phone ? 'sms' : 'email';
      // The worker's own people: written to in the worker's language.
      add(plan.steps, { contactId: null, name: e.name || `Call list ${i + 1}`, role: 'call_list', channel, timeoutS: input.callListTimeoutS }, { name: e.name, phone: e.phone ?? null, email: e.email ?? null, language: input.worker?.language ?? null });
    }
  };

  if (alarm.type === 'duress') {
    const emergency = (c: Contact | undefined): boolean => c?.kind === 'monitoring_centre' || c?.kind === 'police';
    const rank = (c: Contact | undefined): number => (c?.kind === 'monitoring_centre' ? 0 : 1);
    ladder.filter((l) => emergency(byId.get(l.s.contactId))).sort((a, b) => rank(byId.get(a.s.contactId)) - rank(byId.get(b.s.contactId))).forEach((l) => ladderStep(l.s, l.role));
    for (const c of siteFirst(input.contacts.filter(emergency), alarm.siteId).sort((a, b) => rank(a) - rank(b))) {
      const ch = PREFERRED.find((x) => channels.has(x) && addressFor(c, x));
      if (ch && !plan.steps.some((t) => t.contactId === c.id)) add(plan.steps, { contactId: c.id, name: c.name, role: 'emergency', channel: ch, timeoutS: input.callListTimeoutS }, c);
    }
    callList();
    ladder.filter((l) => !emergency(byId.get(l.s.contactId)) && l.s.contactId !== WORKER_CONTACT).forEach((l) => ladderStep(l.s, l.role));
    const workerAddresses = new Set([input.worker?.phone, input.session?.phone].filter((p): p is string => !!p).map(normalizePhone));
    plan.steps = plan.steps.filter((t) => t.role !== 'worker' && !(t.channel === 'sms' && workerAddresses.has(t.address)));
  } else {
    callList();
    ladder.forEach((l) => ladderStep(l.s, l.role));
  }
  supervisors.forEach((c) => everyChannel(plan.broadcast, c, 'supervisor'));
  plan.broadcast.push(console);
  plan.repeat = true;
  return plan;
}

/** The site's own contacts; the centre-wide ones only when the site has none. */
function siteFirst(contacts: Contact[], siteId: string | null): Contact[] {
  const own = contacts.filter((c) => c.siteId !== null && c.siteId === siteId);
  return own.length ? own : contacts.filter((c) => c.siteId === null);
}
