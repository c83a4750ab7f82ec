// The console's service worker: alarms pushed to this phone or PC while the console is closed (Web
// Push, docs/console.md "Alerts on your phone"). It does nothing else — no cache, no fetch handler —
// so the console always shows what the centre knows now.
//
// A push carries one JSON message (centre/src/notify/push/payload.ts): the alarm, what happened
// (raised, still unacknowledged, resolved, or a test), and an English title and text. The
// notification is shown in the language the user subscribed with (the console's own translations),
// else in that English. One notification per alarm (tag = alarm id): a later push of the same alarm
// replaces it, and a repeated push (at-least-once delivery) does not show twice. Tapping it opens
// the alarm in the console tab already open (keeping its login), else in a new one.
/* global self, importScripts */
'use strict';
importScripts('/shared/i18n.js');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const URGENT = ['raised', 'unacknowledged', 'test'];

async function text(m) {
  const fallback = { title: m.title, body: m.body };
  try {
    await VigilI18n.load(['common', 'console'], m.lang);
  } catch {
    return fallback;
  }
  const t = VigilI18n.t;
  if (m.kind === 'test') return { title: t('push.title.test'), body: t('push.body.test') };
  const type = t('alarmType.' + m.type);
  const who = [m.worker, m.site].filter(Boolean).join(', ');
  const title = t('push.title.' + m.kind, { number: m.number, type });
  const lines = [
    m.kind === 'unacknowledged' ? t('push.body.unacknowledged', { type, min: m.afterMin }) : m.kind === 'resolved' ? t('push.body.resolved', { type }) : type,
    who,
    m.duress && m.kind !== 'resolved' ? t('push.duress') : '',
  ].filter(Boolean);
  return { title, body: lines.join(' — ') };
}

async function show(data) {
  let m = null;
  try {
    m = data ? data.json() : null;
  } catch {
    m = null;
  }
  if (!m || m.v !== 1 || typeof m.alarmId !== 'string') {
    // Every push must show something (browsers require it); one we cannot read still says where to look.
    return self.registration.showNotification('Vigil', { body: 'Open the console', tag: 'vigil', data: { url: '/' } });
  }
  const { title, body } = await text(m);
  const urgent = URGENT.includes(m.kind);
  return self.registration.showNotification(title, {
    body,
    tag: 'alarm-' + m.alarmId,
    // A new alarm or a reminder rings again even though it replaces the alarm's earlier notification.
    renotify: urgent,
    requireInteraction: urgent,
    timestamp: m.at,
    icon: '/app/icon-192.png',
    badge: '/app/icon-192.png',
    lang: m.lang,
    vibrate: urgent ? (m.priority === 1 ? [600, 200, 600, 200, 600] : [300, 150, 300, 150, 300]) : undefined,
    data: { id: m.id, kind: m.kind, alarmId: m.alarmId, number: m.number, url: m.url },
  });
}

self.addEventListener('push', (event) => event.waitUntil(show(event.data)));

/** Opens `url` (`/#/alarm/<id>`) in the console tab already open — its login lives there — else in a new window. */
async function openAlarm(url) {
  const target = new URL(url || '/', self.location.origin);
  if (target.origin !== self.location.origin) return null;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((c) => new URL(c.url).pathname === '/');
  if (open) {
    open.postMessage({ type: 'vigil:open', hash: target.hash });
    // Focus is allowed only while handling a real tap; the alarm is shown in that tab either way.
    return open.focus().catch(() => open);
  }
  return self.clients.openWindow(target.href);
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const opened = openAlarm(event.notification.data && event.notification.data.url);
  try {
    event.waitUntil(opened);
  } catch {
    // Only an event made by a script (the browser tests) cannot be extended; the work goes on regardless.
  }
});
