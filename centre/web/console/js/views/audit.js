// The audit log (admins and auditors): who did what when — logins, failed logins, acknowledgements,
// resolves, exports, erasures, admin changes — by date range, actor and action, newest first, 50 a
// page; CSV export of the same search (the centre writes it, and records the export in the log).
import { api, qs } from '../api.js';
import { fill, h, icon, select, t } from '../dom.js';
import { dateTime, number, serverNow } from '../fmt.js';
import { table, toast } from '../ui.js';

const ACTIONS = ['login', 'login_failed', 'logout', 'acknowledged', 'resolved', 'audit_exported', 'worker_data_exported', 'worker_erased', 'user_created', 'user_changed', 'user_deleted', 'password_reset', 'password_changed', 'worker_saved', 'site_saved', 'device_assigned', 'device_provisioned'];
const PAGE = 50;
const isoDay = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 10);

export function render(main) {
  const q = { from: isoDay(serverNow() - 7 * 86400000), to: isoDay(serverNow()), actor: '', action: '', offset: 0 };
  const results = h('div.results#audit-results');
  const query = () => ({
    from: q.from ? new Date(q.from + 'T00:00').getTime() : '',
    to: q.to ? new Date(q.to + 'T00:00').getTime() + 86400000 : '',
    actor: q.actor.trim(), action: q.action,
  });
  const input = (name, attrs = {}) => h('input', { name, value: q[name], oninput: (e) => (q[name] = e.target.value), ...attrs });
  const details = (e) => {
    const parts = Object.entries(e.data || {}).map(([k, v]) => k + ': ' + (typeof v === 'string' ? v : JSON.stringify(v)));
    return h('span.comment', (e.redactedAt ? '[' + t('audit.redacted') + '] ' : '') + parts.join(' · '));
  };

  async function search() {
    fill(results, h('p.loading', t('common.loading')));
    try {
      const r = await api.get('/api/audit' + qs({ ...query(), limit: PAGE, offset: q.offset }));
      fill(results,
        h('p.summary#audit-total', t(new Intl.PluralRules(VigilI18n.language).select(r.total) === 'one' ? 'audit.totalOne' : 'audit.total', { n: number(r.total) })),
        table([
          { head: t('audit.time'), cell: (e) => dateTime(e.at) },
          { head: t('audit.actor'), cell: (e) => h('code', e.actor) },
          { head: t('audit.action'), cell: (e) => h('span.audit-action.' + e.action, e.action) },
          { head: t('audit.entity'), cell: (e) => e.entity + ' ' + e.entityId },
          { head: t('audit.details'), cls: 'wide', cell: details },
        ], r.entries, { empty: t('audit.none') }),
        r.total > PAGE ? h('nav.pager',
          h('button', { type: 'button', disabled: q.offset === 0, onclick: () => { q.offset = Math.max(0, q.offset - PAGE); void search(); } }, t('history.prev')),
          h('span', t('history.page', { from: q.offset + 1, to: Math.min(r.total, q.offset + PAGE), total: r.total })),
          h('button', { type: 'button', disabled: q.offset + PAGE >= r.total, onclick: () => { q.offset += PAGE; void search(); } }, t('history.next'))) : null);
    } catch (err) {
      fill(results, h('p.error', err.message));
    }
  }

  async function csv() {
    try {
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      const blob = await api.blob('/api/audit.csv' + qs({ ...query(), tz }));
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: 'vigil-audit-' + q.from + '-' + q.to + '.csv' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      void search(); // the export is in the log now
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  const form = h('form.search-form#audit-form', { onsubmit: (e) => {
    e.preventDefault();
    q.offset = 0;
    void search();
  } },
  h('label.field', h('span.label', t('history.from')), input('from', { type: 'date' })),
  h('label.field', h('span.label', t('history.to')), input('to', { type: 'date' })),
  h('label.field', h('span.label', t('audit.actor')), input('actor', { type: 'search', placeholder: 'olga, user:olga' })),
  h('label.field', h('span.label', t('audit.action')), select({ name: 'action', onchange: (e) => (q.action = e.target.value) }, [['', t('history.any')], ...ACTIONS.map((a) => [a, a])], q.action)),
  h('div.buttons', h('button.primary', { type: 'submit' }, t('history.search')), h('button#audit-csv', { type: 'button', onclick: () => void csv() }, icon('download'), t('history.csv'))));
  fill(main, h('div.page.history.audit', h('h1', t('nav.audit')), form, results));
  void search();
}
