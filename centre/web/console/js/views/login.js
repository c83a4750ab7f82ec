// The login page: user name, password, language. A wrong password and the rate limit say so plainly.
import { api } from '../api.js';
import { fill, h, select, t } from '../dom.js';

export function renderLogin(root, onLoggedIn) {
  const error = h('p.error', { role: 'alert' });
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button.primary', { type: 'submit' }, t('common.login'));
  const form = h('form.login-card#login', {
    onsubmit: async (e) => {
      e.preventDefault();
      button.disabled = true;
      error.textContent = '';
      try {
        const result = await api.post('/api/login', { username: user.value.trim(), password: pass.value });
        await onLoggedIn(result);
      } catch (err) {
        error.textContent = err.status === 401 ? t('login.wrong') : err.status === 429 ? t('login.limited') : err.message;
        button.disabled = false;
        pass.select();
      }
    },
  },
  h('div.login-brand', h('img', { src: 'favicon.svg', alt: '' }), h('div', h('strong', 'Vigil'), h('span', t('console.centre')))),
  h('label.field', h('span.label', t('common.username')), user),
  h('label.field', h('span.label', t('common.password')), pass),
  error,
  button,
  h('label.lang', t('common.language'), select({ name: 'lang', onchange: async (e) => {
    VigilI18n.setLanguage(e.target.value);
    await VigilI18n.load(['common', 'console'], e.target.value);
    renderLogin(root, onLoggedIn);
  } }, Object.entries(VigilI18n.LANGUAGES), VigilI18n.language)));
  fill(root, h('div.login-page', form));
  user.focus();
}
