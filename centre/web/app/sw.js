// The worker app's service worker: keeps the app shell so the app opens without a connection (the
// Alarm button, the last known state and the queue of actions still work). Network first, so an
// update is used as soon as the phone is online; the API is never cached — the screen must say what
// the centre knows, not what a cache remembers.
/* global self, caches, Response */
'use strict';
const CACHE = 'vigil-app-shell';
const SHELL = [
  '/app/', '/app/app.css', '/app/util.js', '/app/queue.js', '/app/flow.js', '/app/motion.js', '/app/render.js', '/app/forms.js', '/app/app.js',
  '/app/detect.js', '/app/manifest.webmanifest', '/app/icon.svg', '/app/icon-192.png', '/shared/i18n.js', '/shared/i18n/app.en.json',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  // Only the app's own files; API calls and everything else go to the network untouched.
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          void caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit || (req.mode === 'navigate' ? caches.match('/app/') : Response.error()))),
  );
});
