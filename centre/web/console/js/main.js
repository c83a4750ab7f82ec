// The console's start: language, login, the frame (header, banners), the live stream and the views
// by address: #/ operator screen, #/alarm/<id>, #/map, #/history, #/stats, #/fleet[/<device>], #/audit, #/admin/<section>, #/account.
import { api, token, whenLoggedOut } from './api.js';
import { fill, h, t } from './dom.js';
import { connectLive } from './live.js';
import { startServiceWorker, turnOff } from './push.js';
import { keepSounding, unlockSound } from './sound.js';
import { applyAlarm, refresh, refreshSoon, state, waitingAlarm } from './state.js';
import { renderShell, showLiveState } from './shell.js';
import { renderLogin } from './views/login.js';

const VIEWS = {
  '': () => import('./views/queue.js'),
  alarm: () => import('./views/alarm.js'),
  history: () => import('./views/history.js'),
  stats: () => import('./views/stats.js'),
  fleet: () => import('./views/fleet.js'),
  map: () => import('./views/map.js'),
  audit: () => import('./views/audit.js'),
  admin: () => import('./views/admin.js'),
  account: () => import('./views/account.js'),
};

const root = document.getElementById('app');
let live = null;
let cleanup = null;
let main = null;
let routing = 0;

async function route() {
  if (!state.user) return;
  // A newer address wins: a view still loading when the address changes again is not drawn (or is undone).
  const mine = ++routing;
  const [name, ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const load = VIEWS[name] || VIEWS[''];
  if (cleanup) cleanup();
  cleanup = null;
  document.body.dataset.view = name || 'queue';
  for (const a of document.querySelectorAll('nav.tabs a')) a.classList.toggle('current', a.dataset.view === (name || 'queue'));
  const view = await load();
  if (mine !== routing) return;
  fill(main, h('p.loading', t('common.loading')));
  const done = (await view.render(main, params)) || null;
  if (mine !== routing) return void (done && done());
  cleanup = done;
  main.focus({ preventScroll: true });
}

async function start(user) {
  state.user = user;
  state.settings = await api.get('/api/console/settings');
  main = renderShell(root, { onLogout: logout, onLanguage: changeLanguage });
  live = connectLive({
    onState: showLiveState,
    onConnect: () => {
      void refresh().catch(() => undefined);
      document.dispatchEvent(new Event('vigil:connected'));
    },
    onEvent: (type, e) => {
      if (type === 'alarm') applyAlarm(e.alarm);
      else if (type === 'session' || type === 'device') refreshSoon();
      document.dispatchEvent(new CustomEvent('vigil:live', { detail: { type, event: e } }));
    },
  });
  keepSounding(waitingAlarm);
  // "Reconnect now" on the not-live banner (and tests, to drop the stream as a network would).
  document.addEventListener('vigil:reconnect', () => live && live.reconnect());
  await refresh().catch(() => undefined);
  await route();
}

async function logout() {
  // Logging out here ends this browser's alerts too (a login that just expires keeps them: that is their point).
  if (state.settings && state.settings.push) await api.get('/api/push/subscriptions').then((r) => turnOff(r.subscriptions)).catch(() => undefined);
  await api.post('/api/logout').catch(() => undefined);
  token.set(null);
  location.hash = '#/';
  location.reload();
}

async function changeLanguage(lang) {
  VigilI18n.setLanguage(lang);
  await VigilI18n.load(['common', 'console'], lang);
  main = renderShell(root, { onLogout: logout, onLanguage: changeLanguage });
  showLiveState(document.body.dataset.live);
  await route();
}

function showLogin() {
  if (live) live.stop();
  state.user = null;
  renderLogin(root, async (result) => {
    token.set(result.token);
    unlockSound(); // the login click lets the page make sound
    await start(result.user);
  });
}

async function boot() {
  await VigilI18n.load(['common', 'console']);
  document.title = t('console.title');
  whenLoggedOut(showLogin);
  addEventListener('hashchange', () => void route());
  // Any click lets the page make sound (browsers require one); the banner asks for it.
  addEventListener('pointerdown', () => unlockSound(), { capture: true });
  addEventListener('keydown', () => unlockSound(), { capture: true });
  startServiceWorker();
  if (!token.get()) return showLogin();
  try {
    await start(await api.get('/api/me'));
  } catch {
    showLogin();
  }
}

void boot();
