// The app's forms: sign in (password or pairing code), start a session (duration, own phone, up
// to three contacts in call order — remembered and editable each time —, the site's fallback shown,
// a note, check-ins, the phone watching for falls), and the settings.
'use strict';
(function (root) {
  const { el, t, saved, newKey, clock } = root.VigilUtil;
  const $ = (id) => root.document.getElementById(id);
  const DURATIONS = [30, 60, 120, 240, 480];
  const CHECK_INS = [0, 15, 30, 60, 120];

  /** The epoch ms of the next HH:MM on the centre's clock (today, else tomorrow). */
  function nextTime(hhmm) {
    const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '');
    if (!m) return null;
    const now = clock.now();
    const d = new Date(now);
    d.setHours(Number(m[1]), Number(m[2]), 0, 0);
    if (d.getTime() <= now) d.setDate(d.getDate() + 1);
    return d.getTime();
  }

  function languages() {
    for (const sel of root.document.querySelectorAll('select.language')) {
      sel.replaceChildren(...Object.entries(root.VigilI18n.LANGUAGES).map(([code, name]) => el('option', { value: code, selected: code === root.VigilI18n.language }, name)));
      sel.onchange = () => {
        root.VigilI18n.setLanguage(sel.value);
        root.location.reload();
      };
    }
  }

  function signIn(s) {
    $('signin-form').onsubmit = (ev) => {
      ev.preventDefault();
      const f = ev.target;
      void s.actions.signIn({ username: f.username.value.trim(), password: f.password.value });
    };
    $('pair-form').onsubmit = (ev) => {
      ev.preventDefault();
      const code = ev.target.code.value.trim().replace(/^.*#pair=/, '');
      void s.actions.pair(code);
    };
  }

  /** Fills the start form from what the worker used last time (this phone, else their last session). */
  function fillStart(s) {
    const f = $('start-form');
    const srv = s.server;
    const last = saved.get('last.' + srv.worker.id, null) || srv.last || {};
    $('start-error').textContent = '';
    const chips = $('durations');
    chips.replaceChildren(...DURATIONS.map((m, i) => el('label', { class: 'chip' },
      el('input', { type: 'radio', name: 'duration', value: String(m), checked: i === 1 }), ' ', m < 60 ? t('app.time.m', { m }) : t('app.time.h', { h: m / 60 }))));
    f.until.value = '';
    f.phone.value = last.phone || srv.worker.phone || '';
    const box = $('contacts');
    box.querySelectorAll('.contact').forEach((n) => n.remove());
    for (let i = 0; i < srv.settings.maxContacts; i++) {
      const c = (last.callList || [])[i] || {};
      const name = el('input', { name: 'cname' + i, autocomplete: 'off', 'aria-label': t('app.start.contactName', { n: i + 1 }), placeholder: t('app.start.contactName', { n: i + 1 }) });
      const phone = el('input', { name: 'cphone' + i, type: 'tel', inputmode: 'tel', autocomplete: 'off', 'aria-label': t('app.start.contactPhone', { n: i + 1 }), placeholder: t('app.start.contactPhone', { n: i + 1 }) });
      name.value = c.name || '';
      phone.value = c.phone || '';
      box.append(el('div', { class: 'contact' }, el('span', { class: 'order' }, String(i + 1)), name, phone));
    }
    const fb = srv.fallback;
    $('fallback-line').textContent = fb ? t('app.start.fallback', { name: fb.name, phone: fb.phone }) : t('app.start.noFallback');
    f.note.value = '';
    f.checkIn.replaceChildren(...CHECK_INS.map((m) => el('option', { value: String(m), selected: m === (last.checkInIntervalMin || 0) }, m ? t('app.start.checkEvery', { m }) : t('app.start.noCheckIns'))));
    const hasPendant = srv.pendants.length > 0;
    $('use-phone-line').hidden = hasPendant;
    f.usePhone.checked = !hasPendant && !!last.usePhone;
  }

  function start(s) {
    const f = $('start-form');
    $('start-cancel').onclick = () => s.actions.show('home');
    f.onsubmit = (ev) => {
      ev.preventDefault();
      const srv = s.server;
      const usePhone = !$('use-phone-line').hidden && f.usePhone.checked;
      // iOS asks for the motion sensors only from a tap: ask now, before anything else.
      const allowed = usePhone ? root.VigilMotion.permission() : Promise.resolve(true);
      const callList = [];
      for (let i = 0; i < srv.settings.maxContacts; i++) {
        const name = f['cname' + i].value.trim();
        const phone = f['cphone' + i].value.trim();
        if (!name && !phone) continue;
        if (!name || !/^\+?[0-9 ().-]{3,30}$/.test(phone)) {
          $('start-error').textContent = t('app.start.badContact', { n: i + 1 });
          return;
        }
        callList.push({ name, phone });
      }
      const phone = f.phone.value.trim();
      if (phone && !/^\+?[0-9 ().-]{3,30}$/.test(phone)) {
        $('start-error').textContent = t('app.start.badPhone');
        return;
      }
      const until = nextTime(f.until.value);
      const checked = f.querySelector('input[name=duration]:checked');
      const body = { key: newKey(), ...(until ? { plannedEndAt: until } : { durationMin: Number(checked ? checked.value : 60) }) };
      if (phone) body.phone = phone;
      if (callList.length) body.callList = callList;
      if (f.note.value.trim()) body.note = f.note.value.trim();
      const checkIn = Number(f.checkIn.value);
      if (checkIn) body.checkInIntervalMin = checkIn;
      if (usePhone) body.usePhone = true;
      saved.set('last.' + srv.worker.id, { phone, callList, checkInIntervalMin: checkIn, usePhone });
      void allowed.then(() => s.actions.startSession(body));
    };
  }

  function settings(s) {
    const f = $('settings');
    const input = f.querySelector('input[name=countdown]');
    input.value = String(s.countdownS());
    input.onchange = () => {
      const v = Math.max(0, Math.min(45, Math.round(Number(input.value) || 0)));
      input.value = String(v);
      saved.set('countdownS', v);
    };
    $('settings-done').onclick = () => s.actions.show('home');
    $('signout').onclick = () => void s.actions.signOut();
    $('signed-in-as').textContent = s.server ? t('app.settings.signedInAs', { name: s.server.worker.name }) : '';
  }

  root.VigilForms = { languages, signIn, fillStart, start, settings, nextTime };
})(window);
