// Administration (admins only): workers (with their personal data: export, erasure), devices (provisioning shows the settings line once), sites
// (with floor plans), teams, zones, beacons, contacts, ladders and users (roles, scopes, passwords). The centre's own staff also
// manage customer organisations, see each record's organisation (a column and a filter) and choose it for a new record; an
// organisation's admin sees and creates only theirs (the API decides; the page only leaves out what would be refused).
import { api, qs } from '../api.js';
import { fill, h, select, t } from '../dom.js';
import { can, refresh } from '../state.js';
import { table, toast } from '../ui.js';
import { SECTIONS } from './admin-sections.js';
import { personalData } from './people.js';

export async function render(main, [section = 'workers']) {
  if (!can.admin()) return void fill(main, h('p.error', t('admin.only')));
  const centre = can.centre();
  const sections = Object.entries(SECTIONS).filter(([, s]) => centre || !s.centre);
  const def = (sections.find(([k]) => k === section) || sections[0])[1];
  const c = {};
  const lists = ['workers', 'sites', 'teams', 'ladders', 'contacts', 'zones', ...(centre ? ['organisations'] : [])];
  await Promise.all(lists.map(async (l) => (c[l] = (await api.get('/api/' + l))[l])));
  const all = (await api.get(def.path))[def.list];
  const byOrg = centre && def.list !== 'organisations';
  const orgFilter = byOrg ? sessionStorage.getItem('vigil.filter.organisation') || '' : '';
  const rows = orgFilter ? all.filter((r) => (r.organisationId || '') === (orgFilter === '-' ? '' : orgFilter)) : all;
  const columns = byOrg ? ['organisationId', ...def.columns] : def.columns;
  const filter = byOrg ? select({ name: 'organisation', id: 'organisation-filter', onchange: (e) => {
    sessionStorage.setItem('vigil.filter.organisation', e.target.value);
    void render(main, [section]);
  } }, [['', t('admin.allOrganisations')], ...(def.list === 'users' ? [['-', t('admin.centreStaff')]] : []), ...c.organisations.map((o) => [o.id, o.name])], orgFilter) : null;
  const editor = h('section.admin-editor#editor', { hidden: true });
  const cell = (name) => (r) => {
    const v = r[name];
    if (name === 'role') return t('role.' + v);
    if (name === 'organisationId') return v ? ((c.organisations || []).find((o) => o.id === v) || {}).name || v : t('admin.centreStaff');
    if (name === 'createdAt') return v ? new Date(v).toISOString().slice(0, 10) : '—';
    for (const [k, l] of [['siteId', 'sites'], ['teamId', 'teams'], ['workerId', 'workers'], ['ladderId', 'ladders'], ['zoneId', 'zones']]) {
      if (name === k) return ((c[l] || []).find((x) => x.id === v) || {}).name || v || '—';
    }
    return v === null || v === undefined || v === '' ? '—' : name === 'batteryPct' ? v + ' %' : String(v);
  };
  fill(main, h('div.page.admin',
    h('h1', t('nav.admin')),
    h('nav.subnav', sections.map(([k, s]) => h('a', { href: '#/admin/' + k, class: s === def ? 'current' : '' }, t(s.title)))),
    h('div.admin-grid',
      h('section.admin-list',
        h('div.section-head', h('h2', t(def.title)), h('span.count', rows.length), filter, h('button.primary.new#new', { type: 'button', onclick: () => edit(null) }, t('admin.new'))),
        table(columns.map((n) => ({ head: t('field.' + n), cell: cell(n) })), rows, { empty: t('admin.empty'), onRow: edit })),
      editor)));

  function edit(rec) {
    const isNew = !rec;
    const controls = {};
    const error = h('p.error', { role: 'alert' });
    const fields = def.fields(c).filter((f) => !(f.createOnly && !isNew) && !(f.readonly && isNew) && !(f.centre && !centre)).map((f) => {
      const v = rec ? rec[f.name] : undefined;
      let ctl;
      if (f.type === 'select') ctl = select({ name: f.name, disabled: f.key && !isNew }, f.options(), v ?? '');
      else if (f.type === 'steps') ctl = stepsEditor(f, rec ? rec.steps : []);
      else if (f.type === 'scope') ctl = scopeEditor(f, rec ? rec.scope : null);
      else ctl = h('input', { name: f.name, type: f.type === 'number' ? 'number' : f.type === 'password' ? 'password' : 'text', step: 'any', value: v ?? '', placeholder: f.placeholder, required: f.required || (f.key && isNew && section !== 'devices'), readonly: (f.key && !isNew) || f.readonly });
      controls[f.name] = ctl;
      return h('label.field', h('span.label', t('field.' + f.name)), ctl);
    });
    const value = () => {
      const out = {};
      for (const f of def.fields(c)) {
        const ctl = controls[f.name];
        if (!ctl || f.readonly || (f.key && !isNew && section === 'users')) continue;
        if (f.name === 'organisationId') out[f.name] = ctl.value || (section === 'users' ? null : undefined);
        else if (f.type === 'steps' || f.type === 'scope') out[f.name] = ctl.read();
        else if (f.type === 'number') out[f.name] = ctl.value === '' ? null : Number(ctl.value);
        else if (ctl.value === '' && !f.required) out[f.name] = f.type === 'password' || (f.key && isNew) ? undefined : null;
        else out[f.name] = ctl.value;
      }
      return out;
    };
    const id = rec ? rec.id : null;
    const save = async (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        const body = value();
        if (section === 'devices' && isNew) {
          const r = await api.post(def.path, body);
          return showSettings(r);
        }
        if (section === 'devices') delete body.board;
        if (isNew) await api.post(def.path, body);
        else await api.put(def.path + '/' + encodeURIComponent(id), section === 'users' ? { name: body.name || undefined, role: body.role, scope: body.scope } : body);
        toast(t('admin.saved'), 'good');
        await done();
      } catch (err) {
        error.textContent = err.message;
      }
    };
    const remove = async () => {
      if (!confirm(t('admin.confirmDelete', { name: rec.name || rec.username || rec.id }))) return;
      try {
        await api.del(def.path + '/' + encodeURIComponent(id));
        await done();
      } catch (err) {
        error.textContent = err.message;
      }
    };
    editor.hidden = false;
    fill(editor, h('form#edit-form', { onsubmit: save },
      h('h2', isNew ? t('admin.newOf', { what: t(def.title) }) : rec.name || rec.username || rec.id),
      fields, error,
      h('div.buttons', h('button.primary', { type: 'submit' }, section === 'devices' && isNew ? t('admin.provision') : t('common.save')),
        h('button', { type: 'button', onclick: () => (editor.hidden = true) }, t('common.cancel')),
        rec ? h('button.danger', { type: 'button', onclick: remove }, t('admin.delete')) : null)),
    rec && section === 'users' ? passwordReset(rec) : null,
    rec && section === 'workers' ? personalData(rec, async () => { editor.hidden = true; await done(); }) : null,
    rec && section === 'sites' ? plans(rec) : null);
  }

  async function done() {
    await refresh().catch(() => undefined);
    await render(main, [section]);
  }

  function showSettings(r) {
    fill(editor, h('h2', t('admin.provisioned', { id: r.device.id })), h('p.warning-text', t('admin.settingsOnce')),
      h('pre.settings-line#settings-line', r.settings), h('div.buttons', h('button.primary', { type: 'button', onclick: () => void done() }, t('common.close'))));
  }

  function stepsEditor(f, steps) {
    const box = h('div.steps');
    const row = (s = { contactId: '', channel: 'sms', timeoutS: 120 }) => h('div.step-row',
      select({ name: 'contact' }, f.options(), s.contactId), select({ name: 'channel' }, ['sms', 'voice', 'email', 'webhook', 'console'].map((ch) => [ch, t('channel.' + ch)]), s.channel),
      h('input', { type: 'number', name: 'timeout', min: '1', max: '3600', value: s.timeoutS, title: t('admin.timeout') }),
      h('button.small', { type: 'button', onclick: (e) => e.target.closest('.step-row').remove() }, '×'));
    for (const s of steps || []) box.appendChild(row(s));
    const wrap = h('div', box, h('button.small', { type: 'button', onclick: () => box.appendChild(row()) }, t('admin.addStep')));
    wrap.read = () => [...box.querySelectorAll('.step-row')].map((r) => ({ contactId: r.querySelector('[name=contact]').value, channel: r.querySelector('[name=channel]').value, timeoutS: Number(r.querySelector('[name=timeout]').value) || 120 }));
    return wrap;
  }

  function scopeEditor(f, scope) {
    const o = f.options();
    const box = (kind, items, chosen) => h('fieldset.checks', h('legend', t('admin.scope.' + kind)), items.map(([v, label]) => h('label.check', h('input', { type: 'checkbox', value: v, checked: !!chosen && chosen.includes(v), dataset: { kind } }), label)));
    const wrap = h('div', h('small.hint', t('admin.scopeHint')), box('sites', o.sites, scope && scope.siteIds), box('teams', o.teams, scope && scope.teamIds));
    wrap.read = () => {
      const pick = (k) => [...wrap.querySelectorAll(`input[data-kind=${k}]:checked`)].map((i) => i.value);
      const s = { siteIds: pick('sites'), teamIds: pick('teams') };
      return s.siteIds.length || s.teamIds.length ? s : null;
    };
    return wrap;
  }

  function passwordReset(u) {
    const pw = h('input', { type: 'password', name: 'reset', autocomplete: 'new-password', minlength: '8' });
    return h('form.password-reset', { onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api.post('/api/users/' + encodeURIComponent(u.id) + '/password', { password: pw.value });
        toast(t('admin.passwordReset'), 'good');
        pw.value = '';
      } catch (err) {
        toast(err.message, 'error');
      }
    } }, h('h3', t('admin.resetPassword')), h('label.field', h('span.label', t('account.new')), pw), h('button', { type: 'submit' }, t('admin.resetPassword')));
  }

  function plans(site) {
    const list = h('ul.plan-list');
    const load = async () => {
      const { plans: ps } = await api.get('/api/sites/' + encodeURIComponent(site.id) + '/plans');
      fill(list, ps.length ? ps.map((p) => h('li', h('strong', t('admin.floor', { floor: p.floor })), h('span.muted', p.widthM + ' × ' + p.heightM + ' m'),
        h('button.small.danger', { type: 'button', onclick: async () => { await api.del('/api/sites/' + encodeURIComponent(site.id) + '/plans/' + encodeURIComponent(p.floor)); await load(); } }, t('admin.delete')))) : h('li.muted', t('admin.noPlans')));
    };
    void load();
    const floor = h('input', { name: 'floor', required: true, value: '0' });
    const w = h('input', { name: 'widthM', type: 'number', step: 'any', required: true });
    const hgt = h('input', { name: 'heightM', type: 'number', step: 'any', required: true });
    const file = h('input', { name: 'image', type: 'file', accept: 'image/png,image/jpeg,image/svg+xml,image/webp', required: true });
    return h('div.plans', h('h3', t('admin.plans')), list, h('form', { onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api.upload('/api/sites/' + encodeURIComponent(site.id) + '/plans/' + encodeURIComponent(floor.value) + qs({ widthM: w.value, heightM: hgt.value }), file.files[0]);
        toast(t('admin.saved'), 'good');
        await load();
      } catch (err) {
        toast(err.message, 'error');
      }
    } }, h('label.field', h('span.label', t('admin.floorName')), floor), h('label.field', h('span.label', t('admin.widthM')), w),
    h('label.field', h('span.label', t('admin.heightM')), hgt), h('label.field', h('span.label', t('admin.image')), file), h('button', { type: 'submit' }, t('admin.upload'))));
  }
}
