// Monthly statistics, computed by the centre: alarms by type, genuine vs false, time to acknowledge
// (median and 95th percentile), the share of person alarms acknowledged within 30 s / 60 s / 3 min
// (BS 8484 style), per site (and for the centre's own staff per customer organisation); the month as CSV. One month at a time,
// in the user's time zone.
import { api, qs } from '../api.js';
import { fill, h, icon, t } from '../dom.js';
import { duration, month, number, percent, serverNow, typeName } from '../fmt.js';
import { can, organisationName } from '../state.js';
import { table, toast } from '../ui.js';

/** #/stats shows this month (on the centre's clock); #/stats/2026-01 that month. */
export function render(main, [ym]) {
  const now = new Date(serverNow());
  const wanted = /^(\d{4})-(\d{2})$/.exec(ym || '');
  let y = wanted ? Number(wanted[1]) : now.getFullYear();
  let m = wanted ? Number(wanted[2]) - 1 : now.getMonth();
  const body = h('div#stats-body');
  const label = h('strong.month');
  const move = (d) => {
    m += d;
    if (m < 0) [m, y] = [11, y - 1];
    if (m > 11) [m, y] = [0, y + 1];
    void load();
  };
  const ack = (g) => (g.p50S === null ? '—' : duration(g.p50S));
  const ack95 = (g) => (g.p95S === null ? '—' : duration(g.p95S));
  const within = (g, key) => (g.answered.personAlarms ? percent(g.answered[key], g.answered.personAlarms) : '—');
  const range = () => ({ from: new Date(y, m, 1).getTime(), to: new Date(y, m + 1, 1).getTime() });

  async function csv() {
    try {
      const blob = await api.blob('/api/reports/stats.csv' + qs({ ...range(), lang: VigilI18n.language }));
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: 'vigil-stats-' + y + '-' + String(m + 1).padStart(2, '0') + '.csv' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function load() {
    const { from, to } = range();
    label.textContent = month(from);
    fill(body, h('p.loading', t('common.loading')));
    try {
      const s = await api.get('/api/reports/stats' + qs({ from, to }));
      const r = s.byResolution;
      const types = Object.entries(s.byType).sort((a, b) => b[1].total - a[1].total);
      const max = Math.max(1, ...types.map(([, g]) => g.total));
      fill(body,
        h('div.kpis',
          kpi('total', t('stats.total'), number(s.total), t('stats.open', { n: s.open })),
          kpi('genuine', t('reason.genuine'), number(r.genuine + r.dispatched), percent(r.genuine + r.dispatched, s.total)),
          kpi('false', t('reason.false_alarm'), number(r.false_alarm), percent(r.false_alarm, s.total)),
          kpi('p50', t('stats.p50'), ack(s), t('stats.acknowledged', { n: s.acknowledged })),
          kpi(s.p95S !== null && s.p95S > 120 ? 'hot' : 'p95', t('stats.p95'), ack95(s), ''),
          kpi('cancelled', t('stats.cancelled'), number(s.cancelled), t('stats.cancelledHint'))),
        h('section.card.answered#answered', h('h2', t('stats.answered')),
          h('div.kpis',
            [['within30S', 30], ['within60S', 60], ['within180S', 180]].map(([key, limitS]) =>
              kpi(key, '≤ ' + duration(limitS), within(s, key), number(s.answered[key]) + ' / ' + number(s.answered.personAlarms)))),
          h('p.muted', t('stats.answeredHint', { n: number(s.answered.personAlarms) }))),
        h('div.stats-grid',
          h('section.card', h('h2', t('stats.byType')), types.length ? h('ul.bars', types.map(([type, g]) => h('li', h('span', typeName(type)), h('span.bar', h('i', { style: 'width:' + (100 * g.total / max) + '%' })), h('b', g.total)))) : h('p.empty', t('stats.none')),
            table([
              { head: t('history.type'), cell: ([type]) => typeName(type) },
              { head: t('stats.total'), cls: 'num', cell: ([, g]) => g.total },
              { head: t('reason.genuine'), cls: 'num', cell: ([, g]) => g.byResolution.genuine + g.byResolution.dispatched },
              { head: t('reason.false_alarm'), cls: 'num', cell: ([, g]) => g.byResolution.false_alarm },
              { head: t('stats.p50'), cls: 'num', cell: ([, g]) => ack(g) },
              { head: t('stats.p95'), cls: 'num', cell: ([, g]) => ack95(g) },
            ], types)),
          h('section.card', h('h2', t('stats.bySite')), table([
            { head: t('workers.site'), cell: (g) => g.siteName || t('stats.noSite') },
            { head: t('stats.total'), cls: 'num', cell: (g) => g.total },
            { head: t('reason.false_alarm'), cls: 'num', cell: (g) => percent(g.byResolution.false_alarm, g.total) },
            { head: t('stats.p50'), cls: 'num', cell: ack },
            { head: t('stats.p95'), cls: 'num', cell: ack95 },
            { head: '≤ ' + duration(60), cls: 'num', cell: (g) => within(g, 'within60S') },
            { head: '≤ ' + duration(180), cls: 'num', cell: (g) => within(g, 'within180S') },
          ], s.bySite, { empty: t('stats.none') })),
          can.centre() ? h('section.card#by-organisation', h('h2', t('stats.byOrganisation')), table([
            { head: t('field.organisationId'), cell: (g) => organisationName(g.organisationId) },
            { head: t('stats.total'), cls: 'num', cell: (g) => g.total },
            { head: t('reason.false_alarm'), cls: 'num', cell: (g) => percent(g.byResolution.false_alarm, g.total) },
            { head: t('stats.p50'), cls: 'num', cell: ack },
            { head: '≤ ' + duration(60), cls: 'num', cell: (g) => within(g, 'within60S') },
            { head: '≤ ' + duration(180), cls: 'num', cell: (g) => within(g, 'within180S') },
          ], s.byOrganisation, { empty: t('stats.none') })) : null),
        h('p.method.muted', t('stats.method')));
    } catch (err) {
      fill(body, h('p.error', err.message));
    }
  }

  function kpi(cls, name, value, sub) {
    return h('div.kpi.' + cls, h('span.label', name), h('strong.value', value), h('small', sub));
  }

  fill(main, h('div.page.stats',
    h('div.stats-head', h('h1', t('nav.stats')),
      h('div.month-nav', h('button', { type: 'button', 'aria-label': t('stats.prev'), onclick: () => move(-1) }, '‹'), label, h('button', { type: 'button', 'aria-label': t('stats.next'), onclick: () => move(1) }, '›'),
        h('button#stats-csv', { type: 'button', onclick: () => void csv() }, icon('download'), t('history.csv')))),
    body));
  void load();
}
