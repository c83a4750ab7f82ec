// The user's own account: who, role, scope, and a password change.
import { api } from '../api.js';
import { fill, h, t } from '../dom.js';
import { siteName, state, teamName } from '../state.js';
import { toast } from '../ui.js';

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
    h('button.primary', { type: 'submit' }, t('common.save')))));
}
