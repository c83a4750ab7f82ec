// The fleet: every pendant the user may see with its firmware version and settings state (applied,
// pending, not managed, unknown), battery and last contact; a row opens its settings — desired and in
// force, each pending or applied — which admins and supervisors (within their scope) change here. The
// centre sends them over the air one after the other (docs/centre.md "Pendant settings"); the page
// follows the acknowledgements as they come (the live stream's device events), and re-reads every
// 30 s besides.
import { api, qs } from '../api.js';
import { fill, h, t } from '../dom.js';
import { ago } from '../fmt.js';
import { can, siteName, state } from '../state.js';
import { batteryView, table, toast } from '../ui.js';

const REFRESH_MS = 30_000;

export function render(main, [deviceId]) {
  const list = h('section.fleet-list');
  const detail = h('section.fleet-detail#device-settings', { hidden: !deviceId });
  let open = deviceId || null;
  let editing = false;
  fill(main, h('div.page.fleet', h('h1', t('nav.fleet')), h('div.fleet-grid', list, detail)));

  async function load() {
    const { devices } = await api.get('/api/fleet' + qs({ siteId: state.filters.siteId || undefined }));
    const worker = (id) => (state.workers.find((w) => w.id === id) || {}).name || id || '—';
    fill(list, h('div.section-head', h('h2', t('fleet.pendants')), h('span.count', devices.length)),
      table([
        { head: t('field.id'), cell: (d) => h('code', d.id) },
        { head: t('field.workerId'), cell: (d) => worker(d.workerId) },
        { head: t('field.siteId'), cell: (d) => siteName(d.siteId) || '—' },
        { head: t('field.board'), cell: (d) => d.board },
        { head: t('fleet.firmware'), cell: (d) => d.settings.firmware || '—', cls: 'firmware' },
        { head: t('fleet.settings'), cell: (d) => stateChip(d.settings), cls: 'settings-state' },
        { head: t('field.batteryPct'), cell: (d) => batteryView(d.batteryPct) },
        { head: t('workers.lastSeen'), cell: (d) => (d.lastSeenAt ? ago(d.lastSeenAt) : t('workers.never')) },
      ], devices, { empty: t('fleet.none'), onRow: (d) => (location.hash = '#/fleet/' + encodeURIComponent(d.id)), rowClass: (d) => (d.id === open ? 'current' : '') }));
    if (open && !editing) await loadDevice(open);
  }

  async function loadDevice(id) {
    const view = await api.get('/api/devices/' + encodeURIComponent(id) + '/settings');
    detail.hidden = false;
    const mayEdit = can.admin() || (state.user && state.user.role === 'supervisor');
    const inputs = {};
    const rows = view.settings.map((s) => {
      const onOff = s.unit === 'on/off';
      const input = mayEdit ? (onOff
        ? h('select', { name: s.name, onfocus: () => (editing = true) }, h('option', { value: '' }, '—'), h('option', { value: '1' }, t('fleet.on')), h('option', { value: '0' }, t('fleet.off')))
        : h('input', { name: s.name, type: 'number', min: String(s.min), max: String(s.max), step: String(s.step), placeholder: String(s.inForce ?? s.default), onfocus: () => (editing = true) })) : null;
      if (input) {
        input.value = s.desired === null ? '' : String(s.desired);
        inputs[s.name] = input;
      }
      const shown = (v) => (v === null ? '—' : onOff ? t(v ? 'fleet.on' : 'fleet.off') : v + (s.unit && s.unit !== 'on/off' ? ' ' + s.unit : ''));
      return h('tr', { dataset: { setting: s.name, state: s.state } },
        h('td.setting-name', h('code', s.name), h('small.muted', s.description)),
        h('td.desired', input || shown(s.desired)),
        h('td.in-force', shown(s.inForce)),
        h('td.state', s.state === 'unmanaged' ? h('span.muted', t('fleet.unmanaged')) : h('span.chip.setting-' + s.state, t('fleet.' + s.state))),
        h('td.applies.muted', t(s.applies === 'at once' ? 'fleet.atOnce' : 'fleet.nextUse')));
    });
    const error = h('p.error', { role: 'alert' });
    const save = async (e) => {
      e.preventDefault();
      error.textContent = '';
      const body = {};
      for (const s of view.settings) {
        const v = inputs[s.name] && inputs[s.name].value;
        const want = v === '' || v === undefined ? null : Number(v);
        if (want !== s.desired) body[s.name] = want;
      }
      if (!Object.keys(body).length) return void (editing = false);
      try {
        await api.put('/api/devices/' + encodeURIComponent(id) + '/settings', { settings: body });
        toast(t('fleet.sent'), 'good');
        editing = false;
        await load();
      } catch (err) {
        error.textContent = err.message;
      }
    };
    fill(detail,
      h('div.section-head', h('h2', t('fleet.settingsOf', { id: view.deviceId })), stateChip(view)),
      h('p.muted', t('fleet.firmwareHash', { firmware: view.firmware || '—', hash: view.settingsHash || '—' }), view.defaults ? ' · ' + t('fleet.defaults') : ''),
      h('form#settings-form', { onsubmit: save },
        h('table.grid.settings-table', h('thead', h('tr', h('th', t('fleet.setting')), h('th', t('fleet.desired')), h('th', t('fleet.inForce')), h('th', t('fleet.state')), h('th', t('fleet.applies')))), h('tbody', rows)),
        error,
        mayEdit ? h('div.buttons', h('button.primary', { type: 'submit' }, t('fleet.send')), h('button', { type: 'button', onclick: () => { editing = false; void load(); } }, t('common.cancel'))) : null));
  }

  let soon = null;
  const reload = () => {
    clearTimeout(soon);
    soon = setTimeout(() => void load().catch(() => undefined), 200);
  };
  const onLive = (e) => {
    if (e.detail.type === 'device') reload();
  };
  document.addEventListener('vigil:live', onLive);
  const timer = setInterval(reload, REFRESH_MS);
  void load().catch((err) => fill(list, h('p.error', err.message)));
  return () => {
    clearInterval(timer);
    clearTimeout(soon);
    document.removeEventListener('vigil:live', onLive);
  };
}

function stateChip(s) {
  const label = s.state === 'pending' ? t('fleet.pendingN', { n: s.pending }) : t('fleet.' + s.state);
  return h('span.chip.settings-' + s.state, { dataset: { state: s.state } }, label);
}
