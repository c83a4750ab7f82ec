// The user's own account: who, role, scope, a password change, and alerts on this device (Web Push).
import { api } from '../api.js';
import { fill, h, t } from '../dom.js';
import { ago, time } from '../fmt.js';
import { pushStatus, turnOff, turnOn } from '../push.js';
import { siteName, state, teamName } from '../state.js';
import { toast } from '../ui.js';

/** "Alerts on this device": on or off here, a test, and every device of the user's that gets them. */
function alertsCard() {
  const card = h('section.card.narrow.push-card', { 'aria-labelledby': 'push-title' });
  const draw = async () => {
    const { status, endpoint } = await pushStatus().catch(() => ({ status: 'unsupported', endpoint: null }));
    const subs = status === 'disabled' ? [] : (await api.get('/api/push/subscriptions').catch(() => ({ subscriptions: [] }))).subscriptions;
    const label = h('input', { name: 'label', maxlength: '100', placeholder: t('push.labelHint') });
    const act = (fn) => async (e) => {
      e.target.disabled = true;
      try {
        await fn();
      } catch (err) {
        toast(err.code === 'denied' ? t('push.denied') : err.message, 'error');
      }
      await draw();
    };
    card.dataset.push = status;
    fill(card,
      h('h2#push-title', t('push.heading')),
      h('p.muted', t('push.explain')),
      h('p.push-status', t('push.status.' + status)),
      status === 'off' ? h('div.push-on', h('label.field', h('span.label', t('push.label')), label),
        h('button.primary#push-on', { type: 'button', onclick: act(() => turnOn(label.value.trim())) }, t('push.turnOn'))) : null,
      status === 'on' ? h('div.actions',
        h('button#push-test', { type: 'button', onclick: act(async () => toast(t('push.testSent', { count: (await api.post('/api/push/test')).queued }), 'good')) }, t('push.test')),
        h('button.danger#push-off', { type: 'button', onclick: act(() => turnOff(subs)) }, t('push.turnOff'))) : null,
      subs.length ? h('div', h('h3', t('push.devices')), h('ul.push-devices', subs.map((s) => h('li', { dataset: { id: s.id } },
        h('strong', s.label || t('push.unnamed')), s.endpoint === endpoint ? h('span.tag.new', t('push.thisDevice')) : null,
        h('small.muted.block', s.lastSuccessAt ? t('push.lastOk', { when: ago(s.lastSuccessAt) }) : t('push.never'), s.failures ? ' · ' + t('push.failures', { count: s.failures }) : '',
          ' · ' + t('push.since', { when: time(s.createdAt) })),
        h('button.small', { type: 'button', onclick: act(() => api.del('/api/push/subscriptions/' + encodeURIComponent(s.id))) }, t('push.remove')))))) : null);
  };
  void draw();
  return card;
}

export function render(main) {
  const u = state.user;
  const current = h('input', { type: 'password', name: 'current', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', name: 'next', autocomplete: 'new-password', required: true, minlength: '8' });
  const error = h('p.error', { role: 'alert' });
  const scope = u.scope ? [...u.scope.siteIds.map(siteName), ...u.scope.teamIds.map(teamName)].join(', ') : t('account.everything');
  fill(main, h('div.page.account',
    h('h1', t('account.title')),
    h('section.card.narrow', h('dl',
      h('dt', t('common.username')), h('dd', u.username),
      h('dt', t('account.name')), h('dd', u.name || '—'),
      h('dt', t('account.role')), h('dd', t('role.' + u.role)),
      h('dt', t('account.scope')), h('dd', scope || '—'))),
    h('form.card.narrow', { onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        await api.post('/api/me/password', { current: current.value, password: next.value });
        toast(t('account.changed'), 'good');
        current.value = next.value = '';
      } catch (err) {
        error.textContent = err.message;
      }
    } },
    h('h2', t('account.password')),
    h('label.field', h('span.label', t('account.current')), current),
    h('label.field', h('span.label', t('account.new')), next),
    error,
    h('button.primary', { type: 'submit' }, t('common.save'))),
    alertsCard()));
}
