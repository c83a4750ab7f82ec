// The alarm's story in one list — its lifecycle (audit: pre-alarm, alarm, acknowledgements, notes,
// resolution), the escalation's steps, and every contact notified with the answer (accepted,
// rejected, no answer) — and the escalation plan with each step's outcome.
import { h, t } from '../dom.js';
import { actor, dateTime, duration, reasonName, time } from '../fmt.js';

const KNOWN = new Set(['pending', 'raised', 'merged', 'acknowledged', 'resolved', 'cancelled', 'cancel_refused', 'pre_alarm_expired', 'restored', 'note', 'sms_to_worker',
  'escalation_started', 'escalation_step', 'escalation_broadcast', 'escalation_stopped', 'also_accepted', 'rejected']);
const TONE = { pending: 'warn', raised: 'alarm', merged: 'alarm', acknowledged: 'good', resolved: 'good', cancelled: 'good', note: 'note', also_accepted: 'good', rejected: 'bad', escalation_step: 'info', escalation_broadcast: 'info', escalation_started: 'info' };
const ATTEMPT_TONE = { accepted: 'good', delivered: 'info', sent: 'info', rejected: 'bad', no_answer: 'bad', failed: 'bad', skipped: '', cancelled: '' };

function auditEntry(e) {
  const d = e.data || {};
  const action = KNOWN.has(e.action) ? e.action : 'other';
  const params = { who: actor(e.actor), contact: d.contact || '', channel: d.channel ? t('channel.' + d.channel) : '', step: d.step || '', of: d.of || '', reason: d.reason || '', action: e.action };
  const quote = action === 'resolved' ? [d.reason || d.resolution ? reasonName(d.reason || d.resolution) : null, d.comment].filter(Boolean).join(' — ')
    : action === 'note' || action === 'sms_to_worker' ? d.text : action === 'escalation_broadcast' && Array.isArray(d.to) ? d.to.join(', ') : null;
  return { at: e.at, tone: TONE[action] || '', text: t('tl.' + action, params), quote };
}

function attemptEntry(a) {
  return {
    at: a.at,
    tone: ATTEMPT_TONE[a.status] || '',
    text: t('tl.attempt.' + a.status, { contact: a.contactName, channel: t('channel.' + a.channel), to: a.to }),
    quote: a.detail && ['failed', 'no_answer', 'rejected'].includes(a.status) ? a.detail : null,
  };
}

export function timelineOf(detail) {
  const entries = [
    ...detail.timeline.map(auditEntry),
    ...(detail.escalation ? detail.escalation.timeline.map(auditEntry) : []),
    ...detail.attempts.map(attemptEntry),
  ].sort((a, b) => a.at - b.at);
  const start = detail.alarm.createdAt;
  return h('ol.timeline#timeline', entries.map((e) => h('li.' + (e.tone || 'plain'),
    h('time', { datetime: new Date(e.at).toISOString(), title: dateTime(e.at) }, time(e.at), h('small', '+' + duration((e.at - start) / 1000))),
    h('div.entry', h('span.text', e.text), e.quote ? h('q', e.quote) : null))));
}

/** The ladder: each step with who, how, and what came of it. */
export function planOf(detail) {
  const esc = detail.escalation;
  if (!esc) return h('p.muted', t('plan.none'));
  const outcome = (name, channel) => {
    const mine = detail.attempts.filter((a) => a.contactName === name && a.channel === channel);
    const last = mine[mine.length - 1];
    return last ? last.status : null;
  };
  const running = esc.state === 'running';
  const row = (s, i, current) => {
    const o = outcome(s.name, s.channel);
    const cls = o === 'accepted' ? 'good' : o === 'rejected' || o === 'no_answer' || o === 'failed' ? 'bad' : 'waiting';
    return h('li.' + cls + (current ? '.current' : ''),
      h('span.step', i === null ? '•' : String(i + 1)),
      h('strong', s.name),
      h('span.outcome', o ? t('attempt.' + o) : current ? t('plan.calling') : running ? t('plan.waiting') : '—'),
      h('small.muted', t('channel.' + s.channel) + (s.timeoutS ? ' · ' + duration(s.timeoutS) : '')));
  };
  return h('div.plan',
    h('p.muted', t('plan.state.' + (running ? 'running' : 'stopped')), running && esc.nextAt ? ' · ' + t('plan.next', { time: time(esc.nextAt) }) : ''),
    h('ol', esc.steps.map((s, i) => row(s, i, running && esc.phase === 'ladder' && esc.step === i)), esc.broadcast.map((s) => row(s, null, running && esc.phase === 'broadcast'))));
}
