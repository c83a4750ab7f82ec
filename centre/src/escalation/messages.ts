/**
 * What a contact reads, in the contact's language (language.ts). Every message carries the short alarm
 * number, so someone without data or on a landline can quote it to the monitoring centre, and — when
 * the centre has a public address — a personal responder link. SMS stays within two concatenated
 * messages (≤ 306 characters; the modem driver splits and encodes, notify/sms/pdu.ts).
 */
import { ALARM_TYPES } from '../../../protocol/src';
import type { Channel } from '../notify/types';
import type { Alarm, EscalationTarget } from '../store/types';
import type { Place } from '../domain/views';
import { alarmTypeLabel, type Language, pickLanguage, t } from './language';


export interface MessageContext {
  alarm: Alarm;
  workerName: string | null;
  workerPhone: string | null;
  place: Place | null;
  nowMs: number;
  link: string | null;
  /** For broadcast rounds: "nobody has answered yet". */
  round?: number;
  /** The centre's language when the recipient has none (config escalation.defaultLanguage). */
  defaultLanguage?: string;
}

export interface ComposedMessage {
  subject: string;
  text: string;
  data: Record<string, unknown>;
  language: Language;
}

export function compose(ctx: MessageContext, target: EscalationTarget): ComposedMessage {
  const { alarm } = ctx;
  const lang = pickLanguage(target.language, ctx.defaultLanguage);
  const technical = ALARM_TYPES.find((x) => x.name === alarm.type)?.kind === 'technical';
  const head = t(lang, technical ? 'notify.head.technical' : 'notify.head.alarm', { number: alarm.number, type: alarmTypeLabel(lang, alarm.type) });
  const who = ctx.workerName ? (alarm.type === 'duress' ? ctx.workerName : `${ctx.workerName}${ctx.workerPhone ? ` (${ctx.workerPhone})` : ''}`) : null;
  const age = alarm.positionAt !== null ? Math.max(0, Math.round((ctx.nowMs - alarm.positionAt) / 60_000)) : null;
  const where = ctx.place ? (age !== null ? t(lang, 'notify.ago', { place: ctx.place.label, min: age }) : ctx.place.label) : null;
  const lines = [head, who, where, alarm.text ?? null];
  if (alarm.type === 'duress') lines.splice(1, 0, t(lang, 'notify.duress'));
  if (ctx.round !== undefined && ctx.round > 1) lines.push(t(lang, 'notify.round', { round: ctx.round }));
  if (!technical && answerable(target.channel)) lines.push(target.channel === 'sms' ? t(lang, 'notify.reply.sms', { number: alarm.number }) : t(lang, 'notify.reply.other'));
  if (ctx.link) lines.push(ctx.link);
  const sep = target.channel === 'sms' ? ' · ' : '\n';
  let text = lines.filter((l): l is string => !!l).join(sep);
  if (target.channel === 'sms' && text.length > 306) text = text.slice(0, 306 - (ctx.link ? ctx.link.length + 4 : 1)) + '…' + (ctx.link ? sep + ctx.link : '');
  return {
    subject: `${head}${who ? ` — ${who}` : ''}`,
    text,
    data: {
      alarm: { id: alarm.id, number: alarm.number, type: alarm.type, priority: alarm.priority, state: alarm.state, siteId: alarm.siteId, raisedAt: alarm.raisedAt, text: alarm.text ?? null },
      worker: alarm.type === 'duress' ? (ctx.workerName ? { name: ctx.workerName, doNotCall: true } : null) : ctx.workerName ? { name: ctx.workerName, phone: ctx.workerPhone } : null,
      place: ctx.place, positionAgeS: age === null ? null : Math.round((ctx.nowMs - alarm.positionAt!) / 1000),
      link: ctx.link, role: target.role, round: ctx.round ?? null, language: lang,
    },
    language: lang,
  };
}

function answerable(channel: Channel): boolean {
  return channel === 'sms' || channel === 'webhook';
}
