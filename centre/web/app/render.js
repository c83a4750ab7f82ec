// What the worker sees on the home screen, drawn from the app's state: the link to the centre
// (and what it does not know yet), alarms with the truth of their path, prompts, the session, the
// pendant, the actions still waiting to be sent. User data is only ever set as text.
'use strict';
(function (root) {
  const { el, t, hm, duration, ago, clock } = root.VigilUtil;
  const $ = (id) => root.document.getElementById(id);

  const TYPE = (type) => t('app.type.' + type);
  const step = (state, text, extra) => el('li', { class: state }, el('span', { class: 'mark', 'aria-hidden': 'true' }, state === 'done' ? '✓' : state === 'now' ? '…' : state === 'bad' ? '!' : '·'), el('span', {}, text), extra || null);

  function link(s) {
    const q = root.VigilQueue;
    const n = $('link');
    n.hidden = false;
    n.replaceChildren();
    if (q.link.signedOut) {
      n.className = 'strip bad';
      n.append(t('app.link.signedOut'), ' ', el('button', { type: 'button', onclick: () => s.actions.signOut() }, t('app.login')));
    } else if (!q.link.online) {
      n.className = 'strip bad';
      n.append(t('app.link.offline', { since: hm(q.link.offlineSince) }));
      if (q.items.length) n.append(' ', t('app.link.waiting', { n: q.items.length }));
    } else if (q.items.length) {
      n.className = 'strip warn';
      n.append(t('app.link.sending', { n: q.items.length }));
    } else {
      n.className = 'strip ok';
      n.append(t('app.link.ok', { time: q.link.lastContactAt ? hm(q.link.lastContactAt) : '—' }));
    }
  }

  function callFallback(s) {
    const fb = s.server && s.server.fallback;
    return fb ? el('a', { class: 'call', href: 'tel:' + fb.phone.replace(/[^+0-9]/g, '') }, t('app.call', { name: fb.name, phone: fb.phone })) : null;
  }

  /** One alarm: sending → received by the centre → help is coming (who) → resolved. */
  function alarmCard(s, a) {
    const queued = a.key && root.VigilQueue.waiting(a.key);
    const srv = a.alarm;
    const state = srv ? srv.state : null;
    const received = srv && (state === 'raised' || state === 'acknowledged' || state === 'resolved');
    const steps = el('ol', { class: 'path' });
    if (!srv) steps.append(step(root.VigilQueue.link.online ? 'now' : 'bad', root.VigilQueue.link.online ? t('app.path.sending') : t('app.path.notSent')));
    else if (a.key) steps.append(step('done', t('app.path.sent')));
    if (srv && state === 'pending') steps.append(step('now', t('app.path.pending')));
    steps.append(step(received ? 'done' : 'todo', received ? t('app.path.received', { number: srv.number }) : t('app.path.receivedTodo')));
    if (srv && srv.helper) steps.append(step('done', t(srv.helper.kind === 'contact' ? 'app.path.helpContact' : 'app.path.helpCentre', { name: srv.helper.name })));
    else if (state !== 'resolved' && state !== 'cancelled') steps.append(step(received ? 'now' : 'todo', t('app.path.helpTodo')));
    if (state === 'resolved') steps.append(step('done', t('app.path.resolved')));
    if (state === 'cancelled') steps.append(step('done', t('app.path.cancelled')));
    const m = a.local && a.local.accuracyM !== null ? Math.round(a.local.accuracyM) : '?';
    const pos = a.local ? (a.local.positionSent ? t(srv ? 'app.path.position' : 'app.path.positionWaiting', { m }) : t('app.path.noPosition')) : null;
    const closed = state === 'resolved' || state === 'cancelled';
    return el('article', { class: 'card alarm-card' + (closed ? ' closed' : srv && srv.helper ? ' coming' : ' open'), 'data-alarm': srv ? srv.id : a.key },
      el('h2', {}, TYPE(a.type), srv ? el('span', { class: 'number' }, ' · ' + t('app.alarm.number', { number: srv.number })) : null),
      steps,
      pos ? el('p', { class: 'small' }, pos) : null,
      a.cancelRefused ? el('p', { class: 'small' }, t('app.path.cancelRefused')) : null,
      !a.key && !closed && (a.type === 'session_expired' || a.type === 'check_in_missed') ? el('p', { class: 'small' }, t('app.path.byCentre')) : null,
      !a.key && !closed && (a.type === 'session_expired' || a.type === 'check_in_missed') ? callFallback(s) : null,
      !received && (queued || !root.VigilQueue.link.online) ? callFallback(s) : null,
      closed ? el('button', { type: 'button', onclick: () => s.actions.dismiss(a) }, t('app.close')) : null,
    );
  }

  function prompts(s) {
    const box = $('prompts');
    box.replaceChildren();
    const ses = s.server && s.server.session;
    if (!ses) return;
    const now = clock.now();
    const due = ses.checkInPromptedAt !== null || (ses.nextCheckInAt !== null && now >= ses.nextCheckInAt);
    if (due && !s.checkedInFor(ses)) {
      const deadline = (ses.checkInPromptedAt || ses.nextCheckInAt) + ses.checkInGraceS * 1000;
      box.append(el('article', { class: 'card prompt', id: 'check-in-prompt' },
        el('h2', {}, t('app.checkin.title')),
        el('p', {}, t('app.checkin.text', { time: hm(deadline) })),
        el('button', { type: 'button', class: 'ok', onclick: () => s.actions.checkIn() }, t('app.checkin.confirm'))));
    }
    if (ses.plannedEndAt !== null && (ses.reminderSentAt !== null || now >= ses.plannedEndAt - ses.reminderBeforeS * 1000) && s.reminderShown !== ses.plannedEndAt) {
      box.append(el('article', { class: 'card prompt', id: 'reminder' },
        el('h2', {}, t('app.reminder.title', { left: duration(ses.plannedEndAt - now, true) })),
        el('p', {}, t('app.reminder.text', { time: hm(ses.plannedEndAt) })),
        el('div', { class: 'row' },
          el('button', { type: 'button', class: 'primary', onclick: () => s.actions.extend(60) }, t('app.session.extend1h')),
          el('button', { type: 'button', onclick: () => s.actions.stop() }, t('app.session.stop')),
          el('button', { type: 'button', onclick: () => s.actions.hideReminder(ses.plannedEndAt) }, t('app.close')))));
    }
  }

  function sessionCard(s) {
    const card = $('session-card');
    const controls = $('session-controls');
    card.replaceChildren();
    controls.replaceChildren();
    controls.hidden = true;
    const ses = s.server && s.server.session;
    const start = root.VigilQueue.items.find((i) => i.kind === 'start');
    if (!ses && start) {
      card.className = 'card waiting';
      card.append(el('h2', {}, t('app.session.starting')), el('p', {}, t('app.session.startWaiting')),
        el('button', { type: 'button', onclick: () => s.actions.takeBack(start.key) }, t('app.queue.takeBack')));
      return;
    }
    if (!ses) {
      card.className = 'card off';
      card.append(el('h2', {}, t('app.session.off')), el('p', {}, t('app.session.offText')),
        el('button', { type: 'button', class: 'primary', id: 'start-session', onclick: () => s.actions.show('start') }, t('app.start.title')));
      return;
    }
    card.className = 'card on';
    const now = clock.now();
    card.append(el('h2', {}, t('app.session.on')));
    if (ses.plannedEndAt !== null) {
      card.append(el('p', { class: 'big', id: 'time-left' }, t('app.session.left', { left: duration(ses.plannedEndAt - now, true) })),
        el('p', {}, t('app.session.until', { time: hm(ses.plannedEndAt) })));
    } else card.append(el('p', {}, t('app.session.noEnd')));
    const waiting = root.VigilQueue.items.filter((i) => i.session === ses.id);
    for (const w of waiting) card.append(el('p', { class: 'small pending' }, t('app.session.waiting', { what: t(w.what, w.params) }), ses.plannedEndAt !== null ? ' ' + t('app.session.centreStill', { time: hm(ses.plannedEndAt) }) : ''));
    if (ses.nextCheckInAt !== null) card.append(el('p', { class: 'small' }, t('app.session.nextCheckIn', { time: hm(ses.nextCheckInAt) })));
    if (ses.usesPhone) card.append(detector());

    controls.hidden = false;
    controls.append(el('div', { class: 'note' }, el('strong', {}, t('app.start.note')), ' ', ses.note ? ses.note : el('em', {}, t('app.session.noNote'))));
    if (s.editingNote) {
      const area = el('textarea', { id: 'note-edit', rows: '3', maxlength: '500' });
      area.value = ses.note || '';
      controls.append(area, el('div', { class: 'row' },
        el('button', { type: 'button', onclick: () => s.actions.editNote(false) }, t('app.cancel')),
        el('button', { type: 'button', class: 'primary', id: 'note-save', onclick: () => s.actions.saveNote(area.value) }, t('app.save'))));
    }
    // Protection mode (started at the pendant) has no end to extend: extending would give it one.
    const timed = ses.plannedEndAt !== null;
    const until = el('input', { type: 'time', id: 'extend-until', 'aria-label': t('app.session.extendTo') });
    controls.append(el('div', { class: 'row' },
      timed ? el('button', { type: 'button', class: 'primary', id: 'extend-1h', onclick: () => s.actions.extend(60) }, t('app.session.extend1h')) : null,
      el('button', { type: 'button', id: 'edit-note', onclick: () => s.actions.editNote(true) }, t('app.session.editNote'))));
    if (timed) {
      controls.append(el('div', { class: 'row' }, el('label', { class: 'inline' }, t('app.session.extendTo'), ' ', until),
        el('button', { type: 'button', id: 'extend-to', onclick: () => s.actions.extendTo(until.value) }, t('app.session.extend'))));
    }
    controls.append(s.confirmStop
      ? el('div', { class: 'row confirm' }, el('span', {}, t('app.session.stopSure')),
        el('button', { type: 'button', class: 'danger', id: 'stop-yes', onclick: () => s.actions.stop(true) }, t('app.session.stopYes')),
        el('button', { type: 'button', onclick: () => s.actions.stop(false) }, t('app.cancel')))
      : el('div', { class: 'row' }, el('button', { type: 'button', class: 'danger', id: 'stop', onclick: () => s.actions.stop() }, t('app.session.stop'))));
    controls.append(el('p', { class: 'small muted' }, t('app.session.centreKnows', { time: s.syncedAt ? hm(s.syncedAt) : '—' })));
  }

  function detector() {
    const m = root.VigilMotion.status();
    let text;
    if (m.sensor === 'none') text = t('app.detect.noSensor');
    else if (m.calibrating) text = t('app.detect.calibrating', { s: Math.max(0, Math.ceil((m.calibrateAt - Date.now()) / 1000)) });
    else text = t('app.detect.on');
    return el('div', { class: 'detector small' }, el('p', {}, text),
      m.gaps || m.hiddenMs > 0 ? el('p', { class: 'pending' }, t('app.detect.gaps', { time: duration(m.hiddenMs) })) : null,
      el('button', { type: 'button', onclick: () => root.VigilMotion.recalibrate() }, t('app.detect.recalibrate')));
  }

  function pendant(s) {
    const card = $('pendant-card');
    card.replaceChildren();
    const list = (s.server && s.server.pendants) || [];
    if (!list.length) return void card.append(el('p', {}, t('app.pendant.none')));
    for (const p of list) {
      card.append(el('p', {}, el('strong', {}, t('app.pendant.title', { id: p.id })), ' · ',
        p.batteryPct === null ? t('app.pendant.batteryUnknown') : t('app.pendant.battery', { pct: p.batteryPct }), ' · ',
        p.lastSeenAt === null ? t('app.pendant.neverSeen') : t('app.pendant.seen', { ago: ago(p.lastSeenAt) })));
    }
  }

  function queue(s) {
    const card = $('queue-card');
    const items = root.VigilQueue.items;
    card.hidden = items.length === 0;
    card.replaceChildren(el('h2', {}, t('app.queue.title')), el('p', { class: 'small' }, t('app.queue.text')),
      el('ul', {}, items.map((i) => el('li', {}, hm(i.at), ' — ', t(i.what, i.params)))));
    void s;
  }

  function countdown(s) {
    const o = $('countdown');
    const i = root.VigilFlow.incident;
    o.hidden = !i;
    if (!i) return;
    $('countdown-what').textContent = i.source === 'button' ? t('app.countdown.button') : t('app.countdown.detected', { what: TYPE(i.type) });
    const left = Math.max(0, Math.ceil((i.endsAt - Date.now()) / 1000));
    $('countdown-left').textContent = i.stage === 'countdown' ? String(left) : '…';
    $('countdown-text').textContent = i.stage === 'countdown' ? t('app.countdown.text', { s: left }) : t('app.countdown.locating');
    $('countdown-cancel').hidden = i.stage !== 'countdown';
    $('countdown-now').hidden = i.stage !== 'countdown';
    void s;
  }

  function home(s) {
    link(s);
    const box = $('alarms');
    box.replaceChildren(...s.alarmList().map((a) => alarmCard(s, a)));
    prompts(s);
    sessionCard(s);
    pendant(s);
    queue(s);
    countdown(s);
  }

  /** Once a second: the countdown and time left; a prompt falling due redraws the screen. */
  let dueSig = '';
  function tick(s) {
    countdown(s);
    const ses = s.server && s.server.session;
    const left = $('time-left');
    if (left && ses && ses.plannedEndAt !== null) left.textContent = t('app.session.left', { left: duration(ses.plannedEndAt - clock.now(), true) });
    const now = clock.now();
    const sig = ses ? [ses.nextCheckInAt !== null && now >= ses.nextCheckInAt, ses.plannedEndAt !== null && now >= ses.plannedEndAt - ses.reminderBeforeS * 1000].join() : '';
    if (sig !== dueSig) {
      dueSig = sig;
      if (s.view === 'home' && !s.editingNote) home(s);
    }
  }

  root.VigilRender = { home, link, countdown, tick };
})(window);
