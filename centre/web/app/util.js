// The worker app's small helpers: what the phone remembers (localStorage), idempotency keys, the
// centre's clock (the phone's may be wrong: every answer carries the server's time), durations and
// times in the worker's language, and JSON requests with a timeout.
'use strict';
(function (root) {
  const PREFIX = 'vigil.app.';
  const t = (k, p) => root.VigilI18n.t(k, p);

  const saved = {
    get(name, fallback) {
      try {
        const v = root.localStorage.getItem(PREFIX + name);
        return v === null ? fallback : JSON.parse(v);
      } catch {
        return fallback;
      }
    },
    set(name, value) {
      if (value === undefined || value === null) root.localStorage.removeItem(PREFIX + name);
      else root.localStorage.setItem(PREFIX + name, JSON.stringify(value));
    },
  };

  /** A random key for one action, sent again with every retry of it (crypto.getRandomValues works on plain http too). */
  function newKey() {
    const b = new Uint8Array(16);
    root.crypto.getRandomValues(b);
    return 'k' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // The centre's time minus the phone's, from the last answer.
  let offsetMs = 0;
  const clock = {
    now: () => Date.now() + offsetMs,
    sync(serverNow, sentAt) {
      if (typeof serverNow !== 'number') return;
      offsetMs = serverNow - Math.round((sentAt + Date.now()) / 2);
    },
  };

  function hm(ms) {
    return new Intl.DateTimeFormat(root.VigilI18n.language === 'nb' ? 'nb-NO' : root.VigilI18n.language, { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
  }

  /** "1 h 05 min", "12 min", "45 s". Time left rounds up (`up`): 4 min 45 s left reads "5 min", as a reminder sent 5 min before the end says. */
  function duration(ms, up) {
    const s = Math.max(0, up ? Math.ceil(ms / 1000) : Math.round(ms / 1000));
    if (s < 60) return t('app.time.s', { s });
    const m = up ? Math.ceil(s / 60) : Math.floor(s / 60);
    if (m < 60) return t('app.time.m', { m });
    return t('app.time.hm', { h: Math.floor(m / 60), m: String(m % 60).padStart(2, '0') });
  }

  /** "2 min ago". */
  function ago(ms) {
    return t('app.ago', { time: duration(clock.now() - ms) });
  }

  class HttpFailure extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || 'HTTP ' + status);
      this.status = status;
      this.body = body;
    }
  }

  /** JSON request to the centre; network trouble and 5xx throw with status 0 / 5xx, other answers resolve or throw HttpFailure. */
  async function request(method, path, body, token, timeoutMs) {
    const ctl = new root.AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs || 15000);
    const sentAt = Date.now();
    let res;
    try {
      res = await fetch(path, {
        method,
        headers: Object.assign({}, token ? { authorization: 'Bearer ' + token } : {}, body === undefined ? {} : { 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctl.signal,
        cache: 'no-store',
      });
    } catch {
      throw new HttpFailure(0, null);
    } finally {
      clearTimeout(timer);
    }
    const text = await res.text().catch(() => '');
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (json && typeof json.serverNow === 'number') clock.sync(json.serverNow, sentAt);
    if (!res.ok) throw new HttpFailure(res.status, json);
    return { status: res.status, body: json };
  }

  function el(tag, attrs, ...children) {
    const n = root.document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) n.append(typeof c === 'string' ? root.document.createTextNode(c) : c);
    return n;
  }

  function vibrate(pattern) {
    if (root.navigator.vibrate) root.navigator.vibrate(pattern);
  }

  root.VigilUtil = { saved, newKey, clock, hm, duration, ago, request, HttpFailure, el, t, vibrate };
})(window);
