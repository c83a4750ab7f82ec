// History: alarms by date range, worker, type, state and reason, newest first, 50 a page; CSV export
// of the same search (the centre writes it: BOM, RFC 4180 quoting, local times, headings in the language). The centre's own
// staff also choose a customer organisation and see each alarm's.
import { api, qs } from '../api.js';
import { fill, h, select, t } from '../dom.js';
import { dateTime, duration, reasonName, typeName } from '../fmt.js';
import { localDay, pagedSearch } from '../paged.js';
import { can, organisationName, siteName, state } from '../state.js';

const TYPES = ['sos', 'fall', 'man_down', 'no_motion', 'duress', 'session_expired', 'check_in_missed', 'device_silent', 'gateway_offline', 'low_battery', 'notifier_failed', 'integration_failed', 'backup_failed'];
const STATES = ['pending', 'raised', 'acknowledged', 'resolved', 'cancelled'];

export function render(main) {
  // The centre's clock decides what "today" is (fmt.js keeps this page in step with it).
  const q = { from: localDay(30), to: localDay(), workerId: '', siteId: '', organisationId: '', type: '', state: '', resolution: '' };
  const choose = (name, options) => select({ name, onchange: (e) => (q[name] = e.target.value) }, [['', t('history.any')], ...options], q[name]);
  const page = pagedSearch({
    id: 'history', resultsId: 'results', csvId: 'csv', q,
    filters: () => ({ workerId: q.workerId, siteId: q.siteId, organisationId: q.organisationId, type: q.type, state: q.state, resolution: q.resolution }),
    load: (params) => api.get('/api/reports/alarms' + qs(params)).then((r) => ({ total: r.total, rows: r.alarms })),
    columns: [
      { head: '#', cell: (a) => a.number },
      { head: t('history.created'), cell: (a) => dateTime(a.createdAt) },
      { head: t('history.type'), cell: (a) => h('span.type-name.p' + a.priority, typeName(a.type)) },
      { head: t('history.state'), cell: (a) => h('span.state-badge.' + a.state, t('state.' + a.state)) },
      { head: t('workers.name'), cell: (a) => (a.worker ? a.worker.name : '—') },
      { head: t('workers.site'), cell: (a) => siteName(a.siteId) || '—' },
      ...(can.centre() ? [{ head: t('field.organisationId'), cell: (a) => organisationName(a.organisationId) || '—' }] : []),
      { head: t('history.toAck'), cls: 'num', cell: (a) => (a.acknowledgedAt ? duration((a.acknowledgedAt - (a.raisedAt ?? a.createdAt)) / 1000) : '—') },
      { head: t('history.reason'), cell: (a) => (a.resolution ? reasonName(a.resolution) : '—') },
      { head: t('resolve.comment'), cls: 'wide', cell: (a) => h('span.comment', a.comment || '') },
    ],
    empty: t('history.none'),
    onRow: (a) => (location.hash = '#/alarm/' + a.id),
    csv: { path: '/api/reports/alarms.csv', name: 'vigil-alarms', lang: true },
  });
  const form = page.form([
    h('label.field', h('span.label', t('workers.name')), choose('workerId', state.workers.map((w) => [w.id, w.name]))),
    h('label.field', h('span.label', t('workers.site')), choose('siteId', state.sites.map((s) => [s.id, s.name]))),
    can.centre() ? h('label.field', h('span.label', t('field.organisationId')), choose('organisationId', state.organisations.map((o) => [o.id, o.name]))) : null,
    h('label.field', h('span.label', t('history.type')), choose('type', TYPES.map((x) => [x, typeName(x)]))),
    h('label.field', h('span.label', t('history.state')), choose('state', STATES.map((x) => [x, t('state.' + x)]))),
    h('label.field', h('span.label', t('history.reason')), choose('resolution', ['genuine', 'false_alarm', 'dispatched', 'test'].map((x) => [x, reasonName(x)]))),
  ]);
  fill(main, h('div.page.history', h('h1', t('nav.history')), form, page.results));
  void page.search();
}
