// Alerts on this phone or computer (Web Push): the console's service worker (/sw.js) shows what the
// centre pushes; this module registers it, subscribes this browser with the centre's public key and
// tells the centre (POST /api/push/subscriptions), and follows a tapped notification to its alarm.
/* global atob, Notification */
import { api } from './api.js';
import { state } from './state.js';

const SUPPORTED = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** Registers the service worker (also without push, so a later "turn on" is instant) and routes taps. */
export function startServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (m) => {
    // A tapped notification, in this tab: show its alarm here (this tab holds the login).
    if (m.data && m.data.type === 'vigil:open' && typeof m.data.hash === 'string' && m.data.hash.startsWith('#/')) location.hash = m.data.hash;
  });
  navigator.serviceWorker.startMessages();
  navigator.serviceWorker.register('/sw.js', { scope: '/' })
    .then(() => navigator.serviceWorker.ready)
    .then(() => (document.body.dataset.sw = 'ready'))
    .catch(() => (document.body.dataset.sw = 'failed'));
}

function keyBytes(b64url) {
  const s = atob(b64url.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((b64url.length + 3) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** 'unsupported' | 'disabled' (the centre sends none) | 'denied' | 'on' | 'off', and this browser's endpoint. */
export async function pushStatus() {
  if (!state.settings || !state.settings.push) return { status: 'disabled', endpoint: null };
  if (!SUPPORTED) return { status: 'unsupported', endpoint: null };
  if (Notification.permission === 'denied') return { status: 'denied', endpoint: null };
  const reg = await navigator.serviceWorker.ready;
  const sub = await reg.pushManager.getSubscription();
  return { status: sub && Notification.permission === 'granted' ? 'on' : 'off', endpoint: sub ? sub.endpoint : null };
}

/** Asks for permission, subscribes with the centre's key and registers the subscription with the centre. */
export async function turnOn(label) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw Object.assign(new Error('denied'), { code: 'denied' });
  const reg = await navigator.serviceWorker.ready;
  const key = keyBytes(state.settings.push.publicKey);
  let sub = await reg.pushManager.getSubscription();
  // Made with another key (the centre's key changed): browsers allow one key per subscription.
  if (sub && sub.options && sub.options.applicationServerKey && new Uint8Array(sub.options.applicationServerKey).join() !== key.join()) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  return api.post('/api/push/subscriptions', { ...sub.toJSON(), language: VigilI18n.language, label: label || null });
}

/** Removes this browser's subscription here and at the centre. */
export async function turnOff(subscriptions) {
  const reg = await navigator.serviceWorker.ready;
  const sub = await reg.pushManager.getSubscription();
  if (!sub) return;
  const mine = subscriptions.find((s) => s.endpoint === sub.endpoint);
  if (mine) await api.del('/api/push/subscriptions/' + encodeURIComponent(mine.id));
  await sub.unsubscribe();
}
