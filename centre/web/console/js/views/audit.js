// The audit log (admins and auditors): who did what when — logins, failed logins, acknowledgements,
// resolves, exports, erasures, admin changes — by date range, actor and action, newest first, 50 a
// page; CSV export of the same search (the centre writes it, and records the export in the log).
import { api, qs } from '../api.js';
import { fill, h, select, t } from '../dom.js';
import { dateTime } from '../fmt.js';
import { localDay, pagedSearch } from '../paged.js';

const ACTIONS = ['login', 'login_failed', 'logout', 'acknowledged', 'resolved', 'audit_exported', 'worker_data_exported', 'worker_erased', 'user_created', 'user_changed', 'user_deleted', 'password_reset', 'password_changed', 'worker_saved', 'site_saved', 'device_assigned', 'device_provisioned'];

export function render(main) {
  const q = { from: localDay(7), to: localDay(), actor: '', action: '' };
  const details = (e) => {
    const parts = Object.entries(e.data || {}).map(([k, v]) => k + ': ' + (typeof v === 'string' ? v : JSON.stringify(v)));
    return h('span.comment', (e.redactedAt ? '[' + t('audit.redacted') + '] ' : '') + parts.join(' · '));
  };
  const page = pagedSearch({
    id: 'audit', resultsId: 'audit-results', csvId: 'audit-csv', q,
    filters: () => ({ actor: q.actor.trim(), action: q.action }),
    load: (params) => api.get('/api/audit' + qs(params)).then((r) => ({ total: r.total, rows: r.entries })),
    columns: [
      { head: t('audit.time'), cell: (e) => dateTime(e.at) },
      { head: t('audit.actor'), cell: (e) => h('code', e.actor) },
      { head: t('audit.action'), cell: (e) => h('span.audit-action.' + e.action, e.action) },
      { head: t('audit.entity'), cell: (e) => e.entity + ' ' + e.entityId },
      { head: t('audit.details'), cls: 'wide', cell: details },
    ],
    empty: t('audit.none'),
    csv: { path: '/api/audit.csv', name: 'vigil-audit', lang: true, refresh: true }, // the export is in the log now
  });
  const form = page.form([
    h('label.field', h('span.label', t('audit.actor')), page.input('actor', { type: 'search', placeholder: 'olga, user:olga' })),
    h('label.field', h('span.label', t('audit.action')), select({ name: 'action', onchange: (e) => (q.action = e.target.value) }, [['', t('history.any')], ...ACTIONS.map((a) => [a, a])], q.action)),
  ]);
  fill(main, h('div.page.history.audit', h('h1', t('nav.audit')), form, page.results));
  void page.search();
}
