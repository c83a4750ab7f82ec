/**
 * What a contact reads. Every message carries the short alarm number, so someone without data or on a
 * landline can quote it to the monitoring centre, and — when the centre has a public address — a
 * personal responder link. SMS stays within two concatenated messages (≤ 306 characters).
 */
import { ALARM_TYPES, type AlarmType } from '../../../protocol/src';
import type { Channel } from '../notify/types';
import type { Alarm, EscalationTarget } from '../store/types';
import type { Place } from '../views';

const LABEL: Record<AlarmType, string> = {
  duress: 'SILENT ALARM (duress)', sos: 'SOS', fall: 'Fall', man_down: 'Man down', no_motion: 'No movement',
  session_expired: 'Session expired', check_in_missed: 'Check-in missed', device_silent: 'Pendant silent',
  gateway_offline: 'Gateway offline', notifier_failed: 'Notifications failing', integration_failed: 'Integration failing',
  low_battery: 'Low battery',
};

export interface MessageContext {
  alarm: Alarm;
  workerName: string | null;
  workerPhone: string | null;
  place: Place | null;
  nowMs: number;
  link: string | null;
  /** For broadcast rounds: "nobody has answered yet". */
  round?: number;
}

export interface ComposedMessage {
  subject: string;
  text: string;
  data: Record<string, unknown>;
}

export function compose(ctx: MessageContext, target: EscalationTarget): ComposedMessage {
  const { alarm } = ctx;
  const technical = ALARM_TYPES.find((t) => t.name === alarm.type)?.kind === 'technical';
  const head = `VIGIL ${technical ? 'technical alarm' : 'ALARM'} ${alarm.number}: ${LABEL[alarm.type]}`;
  const who = ctx.workerName ? (alarm.type === 'duress' ? ctx.workerName : `${ctx.workerName}${ctx.workerPhone ? ` (${ctx.workerPhone})` : ''}`) : null;
  const age = alarm.positionAt !== null ? Math.max(0, Math.round((ctx.nowMs - alarm.positionAt) / 60_000)) : null;
  const where = ctx.place ? `${ctx.place.label}${age !== null ? `, ${age} min ago` : ''}` : null;
  const lines = [head, who, where, alarm.text ?? null];
  if (alarm.type === 'duress') lines.splice(1, 0, 'Do NOT call the worker: they may be under threat.');
  if (ctx.round !== undefined && ctx.round > 1) lines.push(`Still nobody has accepted (round ${ctx.round}).`);
  if (!technical && answerable(target.channel)) lines.push(target.channel === 'sms' ? `Reply 1 or YES to accept, 2 or NO if you can't (YES ${alarm.number} if you have several).` : 'Answer accept or reject.');
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
      link: ctx.link, role: target.role, round: ctx.round ?? null,
    },
  };
}

function answerable(channel: Channel): boolean {
  return channel === 'sms' || channel === 'webhook';
}
