// What the phone has to tell the centre, in order, until the centre has it. Every action (start,
// extend, stop, note, check-in, pre-alarm, alarm, cancel) is kept in localStorage with its
// idempotency key and sent again until the centre answers: a retry after a lost answer is recognised
// by the key, so nothing is done twice and an alarm is never raised twice. The app shows what is
// still waiting here — the centre does not know about it yet.
'use strict';
(function (root) {
  const { saved, request, clock } = root.VigilUtil;
  const BACKOFF_S = [2, 5, 10, 20, 30];

  let items = [];
  let owner = null;
  let token = null;
  let inFlight = null;
  let flushing = false;
  let timer = null;
  let failures = 0;
  const listeners = [];
  /** What the app knows of its link to the centre. */
  const link = { online: true, lastContactAt: null, offlineSince: null, signedOut: false };

  function emit(what, item, detail) {
    for (const fn of listeners.slice()) fn(what, item, detail);
  }

  function persist() {
    if (owner) saved.set('queue.' + owner, items.length ? items : null);
    emit('change');
  }

  /** The queue of this worker (kept per worker: another worker signing in on the phone does not send it). */
  function load(workerId, tok) {
    owner = workerId;
    token = tok;
    items = saved.get('queue.' + workerId, []);
    link.signedOut = false;
    emit('change');
  }

  /** `item`: {key, method, path, body, what: i18n key, params}. */
  function add(item) {
    items.push(Object.assign({ at: clock.now() }, item));
    persist();
    void flush();
  }

  /** Takes an action back before it was sent; false when it is already on its way or gone. */
  function remove(key) {
    if (key === inFlight) return false;
    const before = items.length;
    items = items.filter((i) => i.key !== key);
    if (items.length === before) return false;
    persist();
    return true;
  }

  function waiting(key) {
    return key === inFlight || items.some((i) => i.key === key);
  }

  /** A request reached the centre (true) or did not (false): what the screen says about the link. */
  function contact(ok) {
    if (ok) {
      const was = link.online;
      link.online = true;
      link.offlineSince = null;
      link.lastContactAt = clock.now();
      failures = 0;
      if (!was) void flush();
    } else if (link.online) {
      link.online = false;
      link.offlineSince = clock.now();
    }
    emit('link');
  }

  function schedule() {
    clearTimeout(timer);
    const s = BACKOFF_S[Math.min(failures, BACKOFF_S.length - 1)];
    failures++;
    timer = setTimeout(() => void flush(), s * 1000);
  }

  async function flush() {
    if (flushing || !token || link.signedOut) return;
    flushing = true;
    clearTimeout(timer);
    try {
      while (items.length) {
        const it = items[0];
        inFlight = it.key;
        let res;
        try {
          res = await request(it.method, it.path, it.body, token);
        } catch (e) {
          inFlight = null;
          if (e.status === 401) {
            link.signedOut = true;
            emit('change');
            return;
          }
          if (e.status === 0 || e.status >= 500 || e.status === 429) {
            contact(false);
            schedule();
            return;
          }
          // The centre answered and refused it (the session had ended, …): it is done, say so.
          items = items.filter((i) => i.key !== it.key);
          persist();
          contact(true);
          emit('refused', it, e);
          continue;
        }
        inFlight = null;
        items = items.filter((i) => i.key !== it.key);
        persist();
        contact(true);
        emit('sent', it, res);
      }
    } finally {
      inFlight = null;
      flushing = false;
    }
  }

  function signedOut() {
    link.signedOut = true;
    emit('change');
  }

  root.addEventListener('online', () => void flush());
  root.document.addEventListener('visibilitychange', () => {
    if (!root.document.hidden) void flush();
  });

  root.VigilQueue = {
    load, add, remove, waiting, flush, contact, signedOut, link,
    get items() {
      return items.slice();
    },
    on(fn) {
      listeners.push(fn);
    },
  };
})(window);
