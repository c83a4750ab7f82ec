// History: alarms by date range, worker, type, state and reason, newest first, 50 a page; CSV export
// of the same search (the centre writes it: BOM, RFC 4180 quoting, local times, headings in the language). The centre's own
// staff also choose a customer organisation and see each alarm's.
import { api, qs } from '../api.js';
import { fill, h, icon, select, t } from '../dom.js';
import { dateTime, duration, number, reasonName, serverNow, typeName } from '../fmt.js';
import { can, organisationName, siteName, state } from '../state.js';
import { table, toast } from '../ui.js';

const TYPES = ['sos', 'fall', 'man_down', 'no_motion', 'duress', 'session_expired', 'check_in_missed', 'device_silent', 'gateway_offline', 'low_battery', 'notifier_failed', 'integration_failed', 'backup_failed'];
const STATES = ['pending', 'raised', 'acknowledged', 'resolved', 'cancelled'];
const PAGE = 50;
const isoDay = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 10);

export function render(main) {
  // The centre's clock decides what "today" is (fmt.js keeps this page in step with it).
  const q = { from: isoDay(serverNow() - 30 * 86400000), to: isoDay(serverNow()), workerId: '', siteId: '', organisationId: '', type: '', state: '', resolution: '', offset: 0 };
  const results = h('div.results#results');
  const query = () => {
    // Dates are the user's days: from the start of `from` to the end of `to`, in local time.
    const from = q.from ? new Date(q.from + 'T00:00').getTime() : '';
    const to = q.to ? new Date(q.to + 'T00:00').getTime() + 86400000 : '';
    return { from, to, workerId: q.workerId, siteId: q.siteId, organisationId: q.organisationId, type: q.type, state: q.state, resolution: q.resolution };
  };
  const input = (name, attrs = {}) => h('input', { name, value: q[name], oninput: (e) => (q[name] = e.target.value), ...attrs });
  const choose = (name, options) => select({ name, onchange: (e) => (q[name] = e.target.value) }, [['', t('history.any')], ...options], q[name]);

  async function search() {
    fill(results, h('p.loading', t('common.loading')));
    try {
      const r = await api.get('/api/reports/alarms' + qs({ ...query(), limit: PAGE, offset: q.offset }));
      fill(results,
        h('p.summary#history-total', t(new Intl.PluralRules(VigilI18n.language).select(r.total) === 'one' ? 'history.totalOne' : 'history.total', { n: number(r.total) })),
        table([
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
        ], r.alarms, { empty: t('history.none'), onRow: (a) => (location.hash = '#/alarm/' + a.id) }),
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
      const blob = await api.blob('/api/reports/alarms.csv' + qs({ ...query(), tz, lang: VigilI18n.language }));
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: 'vigil-alarms-' + q.from + '-' + q.to + '.csv' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  const form = h('form.search-form#history-form', { onsubmit: (e) => {
    e.preventDefault();
    q.offset = 0;
    void search();
  } },
  h('label.field', h('span.label', t('history.from')), input('from', { type: 'date' })),
  h('label.field', h('span.label', t('history.to')), input('to', { type: 'date' })),
  h('label.field', h('span.label', t('workers.name')), choose('workerId', state.workers.map((w) => [w.id, w.name]))),
  h('label.field', h('span.label', t('workers.site')), choose('siteId', state.sites.map((s) => [s.id, s.name]))),
  can.centre() ? h('label.field', h('span.label', t('field.organisationId')), choose('organisationId', state.organisations.map((o) => [o.id, o.name]))) : null,
  h('label.field', h('span.label', t('history.type')), choose('type', TYPES.map((x) => [x, typeName(x)]))),
  h('label.field', h('span.label', t('history.state')), choose('state', STATES.map((x) => [x, t('state.' + x)]))),
  h('label.field', h('span.label', t('history.reason')), choose('resolution', ['genuine', 'false_alarm', 'dispatched', 'test'].map((x) => [x, reasonName(x)]))),
  h('div.buttons', h('button.primary', { type: 'submit' }, t('history.search')), h('button#csv', { type: 'button', onclick: () => void csv() }, icon('download'), t('history.csv'))));
  fill(main, h('div.page.history', h('h1', t('nav.history')), form, results));
  void search();
}
