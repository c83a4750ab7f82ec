// Monitoring console (walking skeleton): log in, list open alarms live, acknowledge, resolve.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem('vigil.token');
  let alarms = new Map();
  let source;

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: Object.assign({ accept: 'application/json' }, token ? { authorization: 'Bearer ' + token } : {}, body ? { 'content-type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = res.status === 204 ? null : await res.json();
    if (!res.ok) throw Object.assign(new Error((data && data.error && data.error.message) || res.statusText), { status: res.status });
    return data;
  }

  function since(t) {
    const s = Math.max(0, Math.round((Date.now() - t) / 1000));
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  function render() {
    const open = [...alarms.values()].filter((a) => ['pending', 'raised', 'acknowledged'].includes(a.state))
      .sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt);
    const tbody = $('alarms').querySelector('tbody');
    tbody.textContent = '';
    for (const a of open) {
      const tr = document.createElement('tr');
      tr.dataset.id = a.id;
      tr.className = 'p' + a.priority + (a._new ? ' new' : '');
      const cells = [a.number, a.type.replace('_', ' '), a.worker ? a.worker.name : (a.deviceId || '—'), a.state, since(a.raisedAt || a.createdAt)];
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = c;
        tr.appendChild(td);
      }
      const td = document.createElement('td');
      if (a.state !== 'acknowledged') {
        const ack = document.createElement('button');
        ack.textContent = 'Acknowledge';
        ack.className = 'ack';
        ack.onclick = () => api('POST', '/api/alarms/' + a.id + '/acknowledge').catch((e) => alert(e.message));
        td.appendChild(ack);
      }
      const res = document.createElement('button');
      res.textContent = 'Resolve';
      res.className = 'resolve';
      res.onclick = () => openResolve(a);
      td.appendChild(res);
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    $('empty').hidden = open.length > 0;
  }

  function openResolve(a) {
    $('resolve-number').textContent = a.number;
    $('resolve-error').textContent = '';
    $('resolve-form').reset();
    $('resolve').dataset.id = a.id;
    $('resolve').showModal();
  }

  $('resolve-submit').addEventListener('click', async (ev) => {
    ev.preventDefault();
    const f = $('resolve-form');
    try {
      await api('POST', '/api/alarms/' + $('resolve').dataset.id + '/resolve', { reason: f.reason.value, comment: f.comment.value });
      $('resolve').close();
    } catch (e) {
      $('resolve-error').textContent = e.message;
    }
  });

  async function connectLive() {
    const { ticket } = await api('POST', '/api/stream/ticket');
    source = new EventSource('/api/stream?ticket=' + encodeURIComponent(ticket));
    source.addEventListener('hello', () => { $('live-state').textContent = 'live'; $('live-state').className = 'badge on'; });
    source.addEventListener('alarm', (ev) => {
      const a = JSON.parse(ev.data).alarm;
      a._new = !alarms.has(a.id);
      alarms.set(a.id, a);
      render();
    });
    source.onerror = () => {
      $('live-state').textContent = 'reconnecting…';
      $('live-state').className = 'badge';
      source.close();
      setTimeout(() => start().catch(() => undefined), 2000);
    };
  }

  async function start() {
    const me = await api('GET', '/api/me');
    $('who').textContent = me.name + ' (' + me.role + ')';
    $('login').hidden = true;
    $('queue').hidden = false;
    $('logout').hidden = false;
    const list = await api('GET', '/api/alarms');
    alarms = new Map(list.alarms.map((a) => [a.id, a]));
    render();
    await connectLive();
  }

  $('login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('POST', '/api/login', { username: ev.target.username.value, password: ev.target.password.value });
      token = r.token;
      sessionStorage.setItem('vigil.token', token);
      await start();
    } catch (e) {
      $('login-error').textContent = e.message;
    }
  });

  $('logout').addEventListener('click', async () => {
    try { await api('POST', '/api/logout'); } catch { /* already gone */ }
    sessionStorage.removeItem('vigil.token');
    location.reload();
  });

  setInterval(render, 1000);
  if (token) start().catch(() => { sessionStorage.removeItem('vigil.token'); token = null; $('login').hidden = false; });
  else $('login').hidden = false;
})();
