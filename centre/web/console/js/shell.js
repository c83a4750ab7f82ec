// The frame around every view: the header (who, where, live state, sound, language), the navigation,
// and the banners an operator must not miss — the stream is not live, the sound is off.
import { fill, h, icon, select, t } from './dom.js';
import { time } from './fmt.js';
import { soundState, unlockSound } from './sound.js';
import { can, state } from './state.js';

export function renderShell(root, { onLogout, onLanguage }) {
  const u = state.user;
  const tabs = [['queue', '#/', 'nav.operator'], ['map', '#/map', 'nav.map'], ['history', '#/history', 'nav.history'], ['stats', '#/stats', 'nav.stats'], ['fleet', '#/fleet', 'nav.fleet']];
  if (can.audit()) tabs.push(['audit', '#/audit', 'nav.audit']);
  if (can.admin()) tabs.push(['admin', '#/admin', 'nav.admin']);
  const menu = h('button.menu-toggle', { type: 'button', 'aria-label': t('nav.menu'), onclick: () => document.body.classList.toggle('menu-open') }, icon('menu'));
  const langs = select({ 'aria-label': t('common.language'), onchange: (e) => onLanguage(e.target.value) }, Object.entries(VigilI18n.LANGUAGES), VigilI18n.language);
  const header = h('header.top',
    h('a.brand', { href: '#/' }, h('img', { src: 'favicon.svg', alt: '' }), h('span', 'Vigil'), h('small', t('console.centre'))),
    menu,
    h('nav.tabs', { 'aria-label': t('nav.main') }, tabs.map(([view, href, key]) => h('a', { href, dataset: { view }, onclick: () => document.body.classList.remove('menu-open') }, t(key)))),
    h('div.status',
      h('span#live.live', { role: 'status', 'aria-live': 'polite' }),
      h('button#sound.sound', { type: 'button', onclick: () => updateSound(unlockSound()) }),
      langs,
      h('a.user', { href: '#/account', title: t('account.title') }, icon('user'), h('span', u.name), h('small.role', t('role.' + u.role))),
      h('button.logout', { type: 'button', onclick: onLogout }, t('common.logout'))));
  const banners = h('div.banners',
    h('div#not-live.banner.danger', { role: 'alert', hidden: true }),
    h('button#sound-off.banner.warning', { type: 'button', hidden: true, onclick: () => updateSound(unlockSound()) }, icon('mute'), t('sound.blocked')));
  const main = h('main#main', { tabindex: '-1' });
  fill(root, header, banners, main);
  updateSound(soundState());
  new MutationObserver(() => updateSound(document.body.dataset.sound)).observe(document.body, { attributes: true, attributeFilter: ['data-sound'] });
  return main;
}

function updateSound(s) {
  const btn = document.getElementById('sound');
  if (!btn) return;
  fill(btn, icon(s === 'on' ? 'sound' : 'mute'), h('span', t(s === 'on' ? 'sound.on' : 'sound.off')));
  btn.classList.toggle('off', s !== 'on');
  btn.title = t(s === 'on' ? 'sound.onHint' : 'sound.blocked');
  document.getElementById('sound-off').hidden = s === 'on';
}

let downTimer = null;
export function showLiveState(s, downSince) {
  const el = document.getElementById('live');
  if (!el) return;
  fill(el, h('i.dot'), t('live.' + s));
  el.className = 'live ' + s;
  const banner = document.getElementById('not-live');
  const since = downSince || Date.now();
  const text = () => fill(banner, icon('warn'), h('strong', t('live.notLive')), ' ', t('live.notLiveDetail', { since: time(since) }),
    h('button.small#reconnect', { type: 'button', onclick: () => document.dispatchEvent(new Event('vigil:reconnect')) }, t('live.reconnect')));
  clearInterval(downTimer);
  banner.hidden = s === 'live' || (s === 'connecting' && Date.now() - since < 3000);
  if (s !== 'live') {
    text();
    downTimer = setInterval(() => {
      banner.hidden = false;
    }, 3000);
  }
}
