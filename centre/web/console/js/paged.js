// A search page (history, audit log): a form of filters between two dates (the user's days), the
// results as a table 50 a page with a pager under it, and the CSV download of the same search (the
// centre writes the file). The view says what to fetch and how to show a row; this does the rest.
import { api, qs } from './api.js';
import { fill, h, icon, t } from './dom.js';
import { number, serverNow } from './fmt.js';
import { table, toast } from './ui.js';

export const PAGE = 50;

/** A day (YYYY-MM-DD) in local time, `daysBack` days before the centre's today. */
export function localDay(daysBack = 0) {
  const ms = serverNow() - daysBack * 86400000;
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

/** The dates as the user means them: from the start of `from` to the end of `to`, local time (ms). */
export function dayRange(q) {
  return {
    from: q.from ? new Date(q.from + 'T00:00').getTime() : '',
    to: q.to ? new Date(q.to + 'T00:00').getTime() + 86400000 : '',
  };
}

/**
 * The search of a page. `o`: { id (the page's name: message keys `<id>.total`, `<id>.totalOne`, element
 * ids `<id>-total`, `<id>-form`), resultsId, csvId, q (the filters, with from and to), filters() (the
 * other query parameters), load(params) (→ { total, rows }), columns, empty, onRow?,
 * csv: { path, name (of the file), lang (send the user's language), refresh (search again after) } }.
 * Returns { results, form(fields), input(name, attrs), search() }.
 */
export function pagedSearch(o) {
  const results = h('div.results#' + o.resultsId);
  let offset = 0;
  const params = () => ({ ...dayRange(o.q), ...o.filters() });

  async function search() {
    fill(results, h('p.loading', t('common.loading')));
    try {
      const r = await o.load({ ...params(), limit: PAGE, offset });
      const one = new Intl.PluralRules(VigilI18n.language).select(r.total) === 'one';
      const go = (to) => () => {
        offset = to;
        void search();
      };
      fill(results,
        h('p.summary#' + o.id + '-total', t(o.id + (one ? '.totalOne' : '.total'), { n: number(r.total) })),
        table(o.columns, r.rows, { empty: o.empty, onRow: o.onRow }),
        r.total > PAGE ? h('nav.pager',
          h('button', { type: 'button', disabled: offset === 0, onclick: go(Math.max(0, offset - PAGE)) }, t('history.prev')),
          h('span', t('history.page', { from: offset + 1, to: Math.min(r.total, offset + PAGE), total: r.total })),
          h('button', { type: 'button', disabled: offset + PAGE >= r.total, onclick: go(offset + PAGE) }, t('history.next'))) : null);
    } catch (err) {
      fill(results, h('p.error', err.message));
    }
  }

  async function csv() {
    try {
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      const blob = await api.blob(o.csv.path + qs({ ...params(), tz, ...(o.csv.lang ? { lang: VigilI18n.language } : {}) }));
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: o.csv.name + '-' + o.q.from + '-' + o.q.to + '.csv' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      if (o.csv.refresh) void search();
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  /** An input bound to the filter `name`. */
  const input = (name, attrs = {}) => h('input', { name, value: o.q[name], oninput: (e) => (o.q[name] = e.target.value), ...attrs });

  /** The form: the two dates, the page's own `fields`, Search and the CSV download. */
  function form(fields) {
    return h('form.search-form#' + o.id + '-form', { onsubmit: (e) => {
      e.preventDefault();
      offset = 0;
      void search();
    } },
    h('label.field', h('span.label', t('history.from')), input('from', { type: 'date' })),
    h('label.field', h('span.label', t('history.to')), input('to', { type: 'date' })),
    ...fields,
    h('div.buttons', h('button.primary', { type: 'submit' }, t('history.search')), h('button#' + o.csvId, { type: 'button', onclick: () => void csv() }, icon('download'), t('history.csv'))));
  }

  return { results, form, search, input };
}
