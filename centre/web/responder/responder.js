// The responder page (/r/<token>): who, what, when, where, the worker's note, who else was called
// and what they said; "I accept / I'm on my way" and "I can't" answer the escalation like an SMS
// reply. It refreshes itself; a link that stops working (alarm closed, link expired) says so and
// nothing else. Every text from the centre is set as text, never as markup.
'use strict';
(function (root) {
  const d = root.document;
  const $ = (id) => d.getElementById(id);
  const t = (k, p) => root.VigilI18n.t(k, p);
  const token = decodeURIComponent(root.location.pathname.split('/r/')[1] || '');
  let data = null;
  let offsetMs = 0;
  let timer = null;

  const now = () => Date.now() + offsetMs;
  const time = (ms) => new Intl.DateTimeFormat(root.VigilI18n.language === 'nb' ? 'nb-NO' : root.VigilI18n.language, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(ms));
  function since(ms) {
    const s = Math.max(0, Math.round((now() - ms) / 1000));
    return s < 90 ? t('responder.agoS', { s }) : t('responder.agoM', { m: Math.round(s / 60) });
  }
  function li(text) {
    const n = d.createElement('li');
    n.textContent = text;
    return n;
  }

  /** The position on tiles when the centre has a tile server, else on a plain grid with a scale. */
  function drawMap(lat, lon, accuracyM, map) {
    const box = $('map');
    box.replaceChildren();
    box.hidden = false;
    const w = box.clientWidth || 360;
    const h = box.clientHeight || 260;
    let mPerPx;
    if (map && map.tileUrl) {
      const z = Math.min(map.maxZoom || 19, 17);
      const n = 256 * Math.pow(2, z);
      const px = ((lon + 180) / 360) * n;
      const r = (lat * Math.PI) / 180;
      const py = ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n;
      mPerPx = (156543.03392 * Math.cos(r)) / Math.pow(2, z);
      const tx = Math.floor(px / 256);
      const ty = Math.floor(py / 256);
      for (let dx = -2; dx <= 2; dx++) {
        for (let dy = -2; dy <= 2; dy++) {
          const img = d.createElement('img');
          img.className = 'tile';
          img.alt = '';
          img.referrerPolicy = 'no-referrer';
          img.src = map.tileUrl.replace('{z}', z).replace('{x}', tx + dx).replace('{y}', ty + dy).replace('{s}', 'a');
          img.style.left = Math.round(w / 2 + (tx + dx) * 256 - px) + 'px';
          img.style.top = Math.round(h / 2 + (ty + dy) * 256 - py) + 'px';
          img.onerror = () => img.remove();
          box.append(img);
        }
      }
      if (map.attribution) {
        const c = d.createElement('span');
        c.className = 'credit';
        c.textContent = map.attribution;
        box.append(c);
      }
    } else {
      mPerPx = Math.max(50, 2 * (accuracyM || 0)) / (h / 2);
    }
    if (accuracyM) {
      const a = d.createElement('span');
      a.className = 'acc';
      a.style.left = w / 2 + 'px';
      a.style.top = h / 2 + 'px';
      a.style.width = a.style.height = Math.max(12, (2 * accuracyM) / mPerPx) + 'px';
      box.append(a);
    }
    const pin = d.createElement('span');
    pin.className = 'pin';
    pin.style.left = w / 2 + 'px';
    pin.style.top = h / 2 + 'px';
    const steps = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
    const m = steps.find((x) => x / mPerPx >= 60) || 5000;
    const scale = d.createElement('span');
    scale.className = 'scale';
    scale.style.width = Math.round(m / mPerPx) + 'px';
    scale.textContent = m >= 1000 ? m / 1000 + ' km' : m + ' m';
    box.append(pin, scale);
  }

  function where(x) {
    const p = x.position;
    const links = $('maps-links');
    links.replaceChildren();
    links.hidden = true;
    $('map').hidden = true;
    if (!p) return void ($('where').textContent = t('responder.noPosition'));
    const age = x.positionAt === null ? '' : ' ' + t('responder.positionAge', { ago: since(x.positionAt) });
    if (p.kind === 'gps' && typeof p.lat === 'number') {
      drawMap(p.lat, p.lon, x.accuracyM, x.map);
      const acc = x.accuracyM === null ? '' : ' ' + t('responder.accuracy', { m: Math.round(x.accuracyM) });
      $('where').textContent = `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}${acc}.${age}`;
      const geo = d.createElement('a');
      geo.href = `geo:${p.lat},${p.lon}?q=${p.lat},${p.lon}`;
      geo.textContent = t('responder.openMaps');
      const osm = d.createElement('a');
      osm.href = `https://www.openstreetmap.org/?mlat=${p.lat}&mlon=${p.lon}#map=18/${p.lat}/${p.lon}`;
      osm.rel = 'noreferrer';
      osm.textContent = 'OpenStreetMap';
      links.append(geo, osm);
      links.hidden = false;
    } else {
      const place = x.place;
      const plan = place && place.x !== null && place.y !== null ? ' ' + t('responder.plan', { x: place.x, y: place.y }) : '';
      $('where').textContent = (place ? place.label : t('responder.noPosition')) + plan + '.' + age;
    }
  }

  function render() {
    const x = data;
    $('loading').hidden = true;
    $('alarm').hidden = false;
    const a = x.alarm;
    $('number').textContent = t('responder.number', { number: a.number });
    $('duress').hidden = !(x.worker && x.worker.doNotCall);
    $('title').textContent = t('responder.title', { type: t('responder.type.' + a.type), name: x.worker ? x.worker.name : t('responder.unknownWorker') });
    const st = $('state');
    st.className = 'state ' + (a.state === 'acknowledged' ? 'taken' : 'open');
    st.textContent = a.state === 'acknowledged'
      ? (a.helper ? t('responder.taken', { name: a.helper.name }) : t('responder.takenSomeone'))
      : a.state === 'pending' ? t('responder.pending') : t('responder.open');
    $('you').textContent = t('responder.you', { name: x.you.name });
    const answered = x.you.answer;
    $('accept').hidden = answered === 'accepted';
    $('reject').hidden = answered !== null;
    $('answered').hidden = !answered;
    $('answered').textContent = answered === 'accepted' ? t('responder.youAccepted') : answered === 'rejected' ? t('responder.youRejected') : '';
    const w = x.worker;
    $('worker').textContent = w ? (w.phone ? `${w.name} · ${w.phone}` : w.name) : t('responder.unknownWorker');
    const call = $('call');
    call.hidden = !(w && w.phone);
    if (w && w.phone) {
      call.href = 'tel:' + w.phone.replace(/[^+0-9]/g, '');
      call.textContent = t('responder.call', { name: w.name });
    }
    $('note-box').hidden = !x.note;
    $('note').textContent = x.note || '';
    where(x);
    const times = $('times');
    times.replaceChildren();
    if (a.raisedAt !== null && a.createdAt < a.raisedAt) times.append(li(t('responder.preAlarmAt', { time: time(a.createdAt) })));
    times.append(li(a.raisedAt === null ? t('responder.pendingSince', { time: time(a.createdAt) }) : t('responder.raisedAt', { time: time(a.raisedAt), ago: since(a.raisedAt) })));
    if (a.acknowledgedAt !== null) times.append(li(t('responder.acceptedAt', { time: time(a.acknowledgedAt), name: a.helper ? a.helper.name : '—' })));
    const list = $('contacted');
    list.replaceChildren(...x.contacted.map((c) => li(t('responder.contact', { name: c.name, channel: t('responder.channel.' + c.channel), status: t('responder.status.' + c.status), time: time(c.at) }))));
    if (!x.contacted.length) list.append(li(t('responder.nobodyYet')));
    $('quote').textContent = t('responder.quote', { number: a.number });
  }

  async function load() {
    clearTimeout(timer);
    const sentAt = Date.now();
    try {
      const res = await root.fetch('/api/responder/' + encodeURIComponent(token), { cache: 'no-store' });
      if (res.status === 404) {
        $('loading').hidden = true;
        $('alarm').hidden = true;
        $('gone').hidden = false;
        return;
      }
      if (res.ok) {
        data = await res.json();
        offsetMs = data.serverNow - Math.round((sentAt + Date.now()) / 2);
        render();
      }
    } catch {
      // no connection: keep what is shown, try again
    }
    timer = setTimeout(load, 15000);
  }

  async function answer(kind) {
    $('error').textContent = '';
    try {
      const res = await root.fetch('/api/responder/' + encodeURIComponent(token) + '/answer', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: kind }) });
      if (res.status === 409) $('error').textContent = t('responder.closed');
      else if (!res.ok) $('error').textContent = t('responder.failed');
    } catch {
      $('error').textContent = t('responder.failed');
    }
    await load();
  }

  async function boot() {
    await root.VigilI18n.load('responder');
    root.VigilI18n.apply();
    $('accept').onclick = () => void answer('accepted');
    $('reject').onclick = () => void answer('rejected');
    await load();
  }

  void boot();
})(window);
