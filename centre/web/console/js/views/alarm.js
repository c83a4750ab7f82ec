// One alarm: who (identity, phone), where (map or floor plan), the worker's note, what to do
// (acknowledge, call/SMS, note, resolve with reason and comment) and the whole story. A duress
// alarm says in large letters not to call the worker, and offers no call or SMS to them.
import { api } from '../api.js';
import { fill, h, icon, select, t } from '../dom.js';
import { actor, ago, dateTime, reasonName, time, typeName } from '../fmt.js';
import { can, siteName, state, teamName } from '../state.js';
import { elapsed, priorityClass, startTicker, toast } from '../ui.js';
import { whereOf } from './alarm-map.js';
import { planOf, timelineOf } from './alarm-timeline.js';

const REASONS = ['genuine', 'false_alarm', 'dispatched', 'test'];
const OPEN = new Set(['pending', 'raised', 'acknowledged']);

export async function render(main, [id]) {
  let where = null;
  let detail = null;
  let stopTicker = () => undefined;
  const page = h('div.page.alarm-page');
  fill(main, page);

  async function load() {
    try {
      detail = await api.get('/api/alarms/' + encodeURIComponent(id));
    } catch (err) {
      fill(page, h('p.error', err.status === 404 ? t('alarm.notFound') : err.message), h('a', { href: '#/' }, t('alarm.back')));
      return;
    }
    draw();
  }

  function draw() {
    const a = detail.alarm;
    const duress = a.type === 'duress';
    const worker = state.workers.find((w) => w.id === a.workerId);
    const phone = (detail.session && detail.session.phone) || (a.worker && a.worker.phone);
    const note = (detail.session && detail.session.note) || a.text;
    const start = a.raisedAt ?? a.createdAt;
    // What the operator was typing survives a redraw (live events re-read the alarm).
    const typed = [...page.querySelectorAll('form textarea, form select')].map((el) => [el.form.id || el.form.className, el.name, el.value]);
    if (where) where.dispose();
    where = whereOf(a);
    stopTicker();
    const head = h('div.alarm-head.' + priorityClass(a).replace(' ', '.'),
      h('a.back', { href: '#/', title: t('alarm.back'), 'aria-label': t('alarm.back') }, icon('back')),
      h('div.title',
        h('h1', typeName(a.type), ' ', h('small', '#' + a.number)),
        h('p', a.worker ? a.worker.name : t('alarm.noWorker'), a.siteId ? ' · ' + siteName(a.siteId) : '')),
      h('span.state-badge.' + a.state + '#alarm-state', { dataset: { state: a.state } }, t('state.' + a.state)),
      h('div.since', OPEN.has(a.state) ? elapsed(start, '.big') : h('span.big', t('state.' + a.state)), h('small', t('alarm.raisedAt', { time: dateTime(start) }))));
    const warning = duress ? h('div.duress-warning#duress-warning', { role: 'alert' }, icon('warn'), h('div', h('strong', t('duress.title')), h('p', t('duress.text')))) : null;
    const who = h('section.card.who', h('h2', t('alarm.who')), h('dl',
      h('dt', t('workers.name')), h('dd.worker-name', a.worker ? a.worker.name : '—'),
      h('dt', t('alarm.phone')), h('dd', duress ? h('span.withheld', t('duress.noCall')) : phone ? h('a.phone', { href: 'tel:' + phone.replace(/[^\d+]/g, '') }, icon('phone'), phone) : '—'),
      h('dt', t('workers.site')), h('dd', siteName(a.siteId) || '—'),
      worker && worker.teamId ? [h('dt', t('filter.team')), h('dd', teamName(worker.teamId))] : null,
      h('dt', t('alarm.device')), h('dd', a.deviceId || '—'),
      worker ? [h('dt', t('worker.battery')), h('dd', worker.batteryPct === null ? '—' : worker.batteryPct + ' %')] : null,
      worker ? [h('dt', t('workers.lastSeen')), h('dd', worker.lastSeenAt ? ago(worker.lastSeenAt) : t('workers.never'))] : null));
    const whereBox = h('section.card.where', h('h2', t('alarm.where')),
      h('p.place#place', icon('pin'), h('strong', a.place ? a.place.label : t('alarm.noPosition')), a.positionAt ? h('span.muted', ' · ' + t('alarm.positionAge', { age: ago(a.positionAt) })) : null),
      where.el);
    const noteBox = h('section.card.note', h('h2', t('alarm.note')), note ? h('p.worker-note#worker-note', note) : h('p.muted', t('alarm.noNote')),
      detail.session ? h('small.muted', t('alarm.session', { since: time(detail.session.startedAt) })) : null);
    fill(page, head, warning,
      h('div.alarm-grid', who, whereBox, h('section.card.actions#actions', actions(a, duress, phone)), noteBox,
        h('section.card.plan-box', h('h2', t('plan.title')), planOf(detail)),
        h('section.card.story', h('h2', t('alarm.timeline')), timelineOf(detail))));
    for (const [form, name, value] of typed) {
      const el = page.querySelector(`form[id="${form}"] [name="${name}"], form[class="${form}"] [name="${name}"]`);
      if (el) el.value = value;
    }
    stopTicker = startTicker(page);
  }

  function actions(a, duress, phone) {
    const out = [h('h2', t('alarm.actions'))];
    if (!OPEN.has(a.state)) {
      out.push(h('p.closed#closed', t('alarm.closed', { state: t('state.' + a.state), who: actor(a.resolvedBy), time: a.resolvedAt ? dateTime(a.resolvedAt) : '' }),
        a.resolution ? h('q', reasonName(a.resolution) + (a.comment ? ' — ' + a.comment : '')) : null));
      return out;
    }
    if (!can.act()) {
      out.push(h('p.readonly-note#readonly', t('alarm.readonly')));
      return out;
    }
    if (a.state === 'raised' || a.state === 'pending') {
      out.push(h('button.primary.big.ack#acknowledge', { type: 'button', onclick: (e) => act(e.currentTarget, () => api.post('/api/alarms/' + a.id + '/acknowledge')) }, icon('check'), t('alarm.acknowledge')));
    } else {
      out.push(h('p.muted', t('alarm.acknowledgedBy', { who: actor(a.acknowledgedBy), time: time(a.acknowledgedAt) })));
    }
    if (!duress && phone) {
      out.push(h('div.contact-worker',
        h('a.button', { href: 'tel:' + phone.replace(/[^\d+]/g, '') }, icon('phone'), t('alarm.call')),
        h('a.button', { href: 'sms:' + phone.replace(/[^\d+]/g, '') }, icon('sms'), t('alarm.sms'))));
      if (state.settings && state.settings.sms) out.push(textForm('sms-form', t('alarm.smsCentre'), t('alarm.send'), (text) => api.post('/api/alarms/' + a.id + '/sms', { text }), t('alarm.smsSent')));
    }
    out.push(textForm('note-form', t('alarm.addNote'), t('alarm.saveNote'), (text) => api.post('/api/alarms/' + a.id + '/notes', { text }), t('alarm.noteSaved')));
    const error = h('p.error#resolve-error', { role: 'alert' });
    const reason = select({ name: 'reason', required: true }, [['', t('resolve.choose')], ...REASONS.map((r) => [r, reasonName(r)])], '');
    const comment = h('textarea', { name: 'comment', rows: '3', maxlength: '1000' });
    out.push(h('form.resolve-form#resolve-form', { novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      // The centre refuses too (400); saying it here first spares a round trip.
      if (!reason.value) return void (error.textContent = t('resolve.needReason'));
      if (!comment.value.trim()) return void (error.textContent = t('resolve.needComment'));
      error.textContent = '';
      try {
        await api.post('/api/alarms/' + a.id + '/resolve', { reason: reason.value, comment: comment.value.trim() });
        toast(t('resolve.done'), 'good');
        await load();
      } catch (err) {
        error.textContent = err.message;
      }
    } },
    h('h3', t('resolve.title')),
    h('label.field', h('span.label', t('resolve.reason')), reason),
    h('label.field', h('span.label', t('resolve.comment')), comment, h('small.hint', t('resolve.commentHint'))),
    error,
    h('button.resolve#resolve', { type: 'submit' }, icon('check'), t('resolve.button'))));
    return out;
  }

  async function act(button, fn) {
    button.disabled = true;
    try {
      await fn();
      await load();
    } catch (err) {
      toast(err.message, 'error');
      button.disabled = false;
    }
  }

  function textForm(cls, label, button, send, done) {
    const text = h('textarea', { name: 'text', rows: '2', maxlength: '1000', required: true });
    return h('form.' + cls, { onsubmit: async (e) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      try {
        await send(text.value.trim());
        toast(done, 'good');
        await load();
      } catch (err) {
        toast(err.message, 'error');
      }
    } }, h('label.field', h('span.label', label), text), h('button', { type: 'submit' }, button));
  }

  // The page follows the alarm live: any event about it re-reads it.
  const onLive = (e) => {
    const ev = e.detail.event;
    const alarmId = ev.alarm ? ev.alarm.id : ev.alarmId || (ev.attempt && ev.attempt.alarmId);
    if (alarmId === id) void load();
  };
  document.addEventListener('vigil:live', onLive);
  await load();
  return () => {
    document.removeEventListener('vigil:live', onLive);
    stopTicker();
    if (where) where.dispose();
  };
}
