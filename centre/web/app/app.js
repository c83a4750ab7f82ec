// The worker app (docs/worker.md): signs in, keeps the worker's state from the centre (polling;
// the phone's clock is corrected by the centre's), sends every action through the queue, runs the
// alarm flow and — while a session has the phone watching — the detector. Offline it keeps working:
// the last state known, actions waiting with their keys, the alarm button always there.
'use strict';
(function (root) {
  const { saved, request, newKey, clock, t, hm } = root.VigilUtil;
  const Q = root.VigilQueue;
  const F = root.VigilFlow;
  const M = root.VigilMotion;
  const R = root.VigilRender;
  const Forms = root.VigilForms;
  const $ = (id) => root.document.getElementById(id);
  const SCREENS = ['signin', 'home', 'start', 'settings'];

  let pollTimer = null;
  let countdownTimer = null;
  const s = {
    token: saved.get('token', null),
    workerId: saved.get('workerId', null),
    server: null,
    syncedAt: null,
    view: null,
    tracked: [],
    dismissed: [],
    checkIns: {},
    editingNote: false,
    confirmStop: false,
    reminderShown: null,
    countdownS: () => saved.get('countdownS', 10),
    checkedInFor: (ses) => (s.checkIns[ses.id] || 0) >= (ses.checkInPromptedAt || ses.nextCheckInAt || Infinity),
    /** The phone's own alarms and the centre's open ones for this worker, once each. */
    alarmList() {
      const out = s.tracked.filter((a) => !s.dismissed.includes(a.key));
      const ids = new Set(out.map((a) => a.alarm && a.alarm.id));
      for (const a of (s.server && s.server.alarms) || []) if (!ids.has(a.id) && !s.dismissed.includes(a.id)) out.push({ key: null, type: a.type, alarm: a });
      return out;
    },
  };

  function remember() {
    if (!s.workerId) return;
    saved.set('state.' + s.workerId, s.server ? { server: s.server, syncedAt: s.syncedAt } : null);
    saved.set('tracked.' + s.workerId, s.tracked.slice(0, 10));
    saved.set('dismissed.' + s.workerId, s.dismissed.slice(-50));
  }

  function render() {
    if (s.view === 'home') R.home(s);
    else R.countdown(s);
    $('who').textContent = s.server ? s.server.worker.name : '';
    $('open-settings').hidden = !s.token;
  }

  function show(view, fromHash) {
    s.view = SCREENS.includes(view) ? view : 'home';
    for (const id of SCREENS) $(id).hidden = id !== s.view;
    if (s.view === 'start' && s.server) Forms.fillStart(s);
    if (s.view === 'settings') Forms.settings(s);
    if (!fromHash) root.history.replaceState(null, '', '/app/' + (s.view === 'home' || s.view === 'signin' ? '' : '#' + s.view));
    render();
  }

  function controlDetector() {
    const ses = s.server && s.server.session;
    if (ses && ses.usesPhone) M.start(s.server.settings.heartbeatIntervalS);
    else M.stop();
  }

  /** The worker's state from the centre; the next look is sooner while something is going on. */
  async function refresh() {
    clearTimeout(pollTimer);
    if (!s.token) return;
    try {
      const r = await request('GET', '/api/app/state', undefined, s.token);
      s.server = r.body;
      s.syncedAt = r.body.serverNow;
      Q.contact(true);
      for (const a of s.tracked) {
        const open = s.server.alarms.find((x) => a.alarm && x.id === a.alarm.id);
        if (open) a.alarm = open;
        else if (a.alarm && a.alarm.state !== 'resolved' && a.alarm.state !== 'cancelled') {
          const one = await request('GET', '/api/app/alarms/' + a.alarm.id, undefined, s.token).catch(() => null);
          if (one) Object.assign(a, { alarm: one.body.alarm, cancelRefused: one.body.cancelRefused });
        }
      }
      remember();
      controlDetector();
    } catch (e) {
      if (e.status === 401) Q.signedOut();
      else Q.contact(false);
    }
    render();
    const busy = F.incident || s.alarmList().some((a) => !a.alarm || ['pending', 'raised', 'acknowledged'].includes(a.alarm.state)) || (s.server && s.server.session && s.server.session.checkInIntervalS);
    pollTimer = setTimeout(() => void refresh(), busy ? 5000 : 15000);
  }

  function setToken(r) {
    s.token = r.token;
    s.workerId = r.workerId;
    saved.set('token', r.token);
    saved.set('workerId', r.workerId);
    load();
  }

  function load() {
    Q.load(s.workerId, s.token);
    const was = saved.get('state.' + s.workerId, null);
    s.server = was ? was.server : null;
    s.syncedAt = was ? was.syncedAt : null;
    s.tracked = saved.get('tracked.' + s.workerId, []);
    s.dismissed = saved.get('dismissed.' + s.workerId, []);
  }

  async function signInWith(path, body) {
    $('signin-error').textContent = '';
    try {
      setToken((await request('POST', path, body)).body);
      show('home');
      await refresh();
    } catch (e) {
      $('signin-error').textContent = e.status === 429 ? t('app.signin.limited') : e.status === 0 ? t('app.offline') : path.endsWith('pair') ? t('app.signin.badCode') : t('app.signin.bad');
    }
  }

  /** Extends to `end`; a second extend while the first waits builds on it. */
  function extendTo(end) {
    const ses = s.server && s.server.session;
    if (!ses || !end) return;
    const key = newKey();
    Q.add({ key, kind: 'extend', session: ses.id, method: 'POST', path: '/api/app/sessions/' + ses.id + '/extend', body: { key, plannedEndAt: end }, what: 'app.queue.extend', params: { time: hm(end) } });
    s.reminderShown = null;
  }

  function sessionAction(kind, extra) {
    const ses = s.server && s.server.session;
    if (!ses) return;
    const key = newKey();
    Q.add({ key, kind, session: ses.id, method: 'POST', path: '/api/app/sessions/' + ses.id + '/' + kind, body: Object.assign({ key }, extra || {}), what: 'app.queue.' + kind.replace('-', '') });
  }

  s.actions = {
    show,
    signIn: (b) => signInWith('/api/app/login', b),
    pair: (code) => signInWith('/api/app/pair', { code }),
    async signOut() {
      if (s.token) await request('POST', '/api/app/logout', undefined, s.token).catch(() => null);
      s.token = null;
      saved.set('token', null);
      M.stop();
      show('signin');
    },
    startSession(body) {
      Q.add({ key: body.key, kind: 'start', method: 'POST', path: '/api/app/sessions', body, what: 'app.queue.start' });
      show('home');
    },
    takeBack: (key) => Q.remove(key),
    extend(addMin) {
      const ses = s.server && s.server.session;
      if (!ses) return;
      const queued = Q.items.filter((i) => i.kind === 'extend' && i.session === ses.id).map((i) => i.body.plannedEndAt);
      extendTo(Math.max(ses.plannedEndAt || 0, clock.now(), ...queued) + addMin * 60000);
    },
    extendTo: (hhmm) => extendTo(Forms.nextTime(hhmm)),
    stop(sure) {
      s.confirmStop = sure === undefined;
      if (sure === true) sessionAction('stop');
      render();
    },
    editNote(on) {
      s.editingNote = on;
      render();
    },
    saveNote(text) {
      s.editingNote = false;
      sessionAction('note', { note: text.slice(0, 500) });
    },
    checkIn() {
      const ses = s.server && s.server.session;
      if (!ses) return;
      s.checkIns[ses.id] = clock.now();
      sessionAction('check-in');
    },
    hideReminder(end) {
      s.reminderShown = end;
      render();
    },
    dismiss(a) {
      s.dismissed.push(a.key || a.alarm.id);
      if (a.alarm) s.dismissed.push(a.alarm.id);
      remember();
      render();
    },
  };

  function onQueue(what, item, detail) {
    if (what === 'sent' && item.path === '/api/app/events' && detail.body.alarm) {
      const tr = s.tracked.find((a) => a.key === item.key);
      if (tr) tr.alarm = detail.body.alarm;
      remember();
    }
    if (what === 'sent' && detail.body && detail.body.session && s.server) {
      s.server.session = detail.body.session.state === 'active' ? Object.assign({ usesPhone: detail.body.session.deviceId === s.server.phoneDeviceId }, detail.body.session) : null;
      controlDetector();
    }
    if (what === 'refused') root.alert(t('app.refused', { what: t(item.what, item.params), why: detail.message }));
    if (what === 'sent' || what === 'refused') void refresh();
    render();
  }

  function position() {
    return new Promise((resolve) => {
      if (!root.navigator.geolocation) return resolve(null);
      const done = setTimeout(() => resolve(null), 12000);
      root.navigator.geolocation.getCurrentPosition(
        (p) => {
          clearTimeout(done);
          resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracyM: p.coords.accuracy, takenAt: clock.now() });
        },
        () => {
          clearTimeout(done);
          resolve(null);
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 },
      );
    });
  }

  async function heartbeat() {
    if (!s.token || root.document.hidden) return;
    let batteryPct;
    try {
      if (root.navigator.getBattery) batteryPct = Math.round((await root.navigator.getBattery()).level * 100);
    } catch {
      batteryPct = undefined;
    }
    try {
      await request('POST', '/api/app/events', { key: newKey(), kind: 'heartbeat', ...(batteryPct === undefined ? {} : { batteryPct }) }, s.token);
      Q.contact(true);
    } catch (e) {
      if (e.status === 401) Q.signedOut();
      else Q.contact(false);
    }
  }

  /** Redraws the countdown on every whole second before the alarm goes. */
  function countdown() {
    clearTimeout(countdownTimer);
    R.countdown(s);
    const i = F.incident;
    const left = i && i.stage === 'countdown' ? i.endsAt - Date.now() : 0;
    if (left > 0) countdownTimer = setTimeout(countdown, left % 1000 || 1000);
  }

  /** A pairing link (`/app/#pair=<code>`) signs this phone in; the code leaves the address at once. */
  function pairing() {
    const pair = /^#pair=([A-Za-z0-9_-]+)/.exec(root.location.hash);
    if (!pair) return false;
    root.history.replaceState(null, '', '/app/');
    $('pair-form').code.value = pair[1];
    show('signin');
    void s.actions.pair(pair[1]);
    return true;
  }

  async function boot() {
    await root.VigilI18n.load('app');
    root.VigilI18n.apply();
    Forms.languages();
    Forms.signIn(s);
    Forms.start(s);
    Q.on(onQueue);
    F.init({
      send(evt, track) {
        Q.add({ key: evt.key, kind: 'event', method: 'POST', path: '/api/app/events', body: evt, what: 'app.queue.' + evt.kind, params: { type: t('app.type.' + evt.alarmType) } });
        if (track) s.tracked.unshift({ key: evt.key, type: track.type, local: track, alarm: null });
        remember();
      },
      unsend: (key) => Q.remove(key),
      position,
      countdownS: s.countdownS,
      preAlarmS: () => (s.server ? s.server.settings.preAlarmS : 20),
      rearm: () => M.rearm(),
      onChange: () => {
        render();
        countdown();
      },
    });
    M.init({ onEvent: (e) => F.detected(e), heartbeat: () => void heartbeat(), onChange: render });
    $('alarm-button').onclick = () => void F.button();
    $('countdown-cancel').onclick = () => F.cancel();
    $('countdown-now').onclick = () => void F.now();
    $('open-settings').onclick = () => show('settings');
    root.addEventListener('hashchange', () => {
      if (!pairing()) show(root.location.hash.slice(1) || 'home', true);
    });
    root.document.addEventListener('visibilitychange', () => {
      if (!root.document.hidden) void refresh();
    });
    setInterval(() => R.tick(s), 1000);
    if (root.navigator.serviceWorker) root.navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => undefined);
    if (pairing()) return;
    if (!s.token) return show('signin');
    load();
    show(root.location.hash.slice(1) || 'home');
    await refresh();
  }

  root.VigilApp = { state: s, refresh };
  void boot();
})(window);
