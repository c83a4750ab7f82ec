// The operator screen: filters by site and team (and for the centre's own staff by organisation), the open alarms by priority then age (new ones
// highlighted and sounding until acknowledged), and the workers with their status.
import { api } from '../api.js';
import { fill, h, icon, select, t } from '../dom.js';
import { ago, time, typeName } from '../fmt.js';
import { can, onChange, setFilter, siteName, sortedAlarms, state, teamName, workerShown } from '../state.js';
import { batteryView, elapsed, priorityClass, startTicker, statusChip, table, toast } from '../ui.js';

const STATUS_ORDER = ['alarm', 'pending', 'silent', 'protected', 'off'];

export function render(main) {
  const page = h('div.page.operator');
  fill(main, page);
  let search = '';
  const draw = () => {
    const alarms = sortedAlarms();
    const workers = state.workers.filter(workerShown).filter((w) => !search || w.name.toLowerCase().includes(search))
      .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.name.localeCompare(b.name));
    const counts = Object.fromEntries(STATUS_ORDER.map((s) => [s, state.workers.filter(workerShown).filter((w) => w.status === s).length]));
    const searchBox = h('input.search', { type: 'search', placeholder: t('queue.searchWorker'), 'aria-label': t('queue.searchWorker'), value: search, oninput: (e) => {
      search = e.target.value.trim().toLowerCase();
      draw();
      const again = page.querySelector('input.search');
      again.focus();
      again.setSelectionRange(again.value.length, again.value.length);
    } });
    fill(page,
      h('div.filters',
        h('label.inline', h('span', t('filter.site')), select({ id: 'filter-site', onchange: (e) => setFilter('siteId', e.target.value) }, [['', t('filter.allSites')], ...state.sites.map((s) => [s.id, s.name])], state.filters.siteId)),
        h('label.inline', h('span', t('filter.team')), select({ id: 'filter-team', onchange: (e) => setFilter('teamId', e.target.value) }, [['', t('filter.allTeams')], ...state.teams.map((s) => [s.id, s.name])], state.filters.teamId)),
        can.centre() ? h('label.inline', h('span', t('field.organisationId')), select({ id: 'filter-organisation', onchange: (e) => setFilter('organisationId', e.target.value) },
          [['', t('admin.allOrganisations')], ...state.organisations.map((o) => [o.id, o.name])], state.filters.organisationId)) : null,
        h('div.counts', STATUS_ORDER.map((s) => h('span.chip.status-' + s, t('status.' + s), ' ', h('b', counts[s]))))),
      h('div.operator-grid',
        h('section.queue', { 'aria-labelledby': 'queue-title' },
          h('div.section-head', h('h2#queue-title', t('queue.title')), h('span.count' + (alarms.some((a) => a.state === 'raised') ? '.hot' : ''), alarms.length)),
          alarms.length ? h('ol.alarm-list', alarms.map(card)) : h('div.calm', icon('check'), h('p', t('queue.calm')))),
        h('section.workers', { 'aria-labelledby': 'workers-title' },
          h('div.section-head', h('h2#workers-title', t('workers.title')), h('span.count', workers.length), searchBox),
          table([
            { head: t('workers.status'), cls: 'status-col', cell: (w) => statusChip(w.status) },
            { head: t('workers.name'), cell: (w) => h('span', h('strong', w.name), w.teamId ? h('small.muted.block', teamName(w.teamId)) : null) },
            { head: t('workers.site'), cell: (w) => siteName(w.siteId) },
            { head: t('worker.battery'), cls: 'num', cell: (w) => batteryView(w.batteryPct) },
            { head: t('workers.lastSeen'), cell: (w) => (w.lastSeenAt ? h('span', { title: time(w.lastSeenAt) }, ago(w.lastSeenAt)) : h('span.muted', t('workers.never'))) },
            { head: t('workers.position'), cell: (w) => (w.place ? h('span', w.place.label, h('small.muted.block', ago(w.positionAt))) : h('span.muted', '—')) },
          ], workers, {
            empty: t('workers.none'),
            rowClass: (w) => 'worker-' + w.status,
            onRow: (w) => { if (w.alarmId) location.hash = '#/alarm/' + w.alarmId; },
          }))));
  };

  function card(a) {
    const start = a.raisedAt ?? a.createdAt;
    const open = () => (location.hash = '#/alarm/' + a.id);
    const ack = can.act() && a.state === 'raised'
      ? h('button.primary.ack', { type: 'button', onclick: async (e) => {
        e.stopPropagation();
        e.target.disabled = true;
        try {
          await api.post('/api/alarms/' + a.id + '/acknowledge');
        } catch (err) {
          toast(err.message, 'error');
          e.target.disabled = false;
        }
      } }, icon('check'), t('alarm.acknowledge'))
      : null;
    return h('li.alarm-card.' + priorityClass(a).replace(' ', '.') + '.state-' + a.state + (state.fresh.has(a.id) ? '.fresh' : ''), {
      dataset: { id: a.id, type: a.type, state: a.state }, tabindex: '0', onclick: open, onkeydown: (e) => (e.key === 'Enter' ? open() : undefined),
    },
    h('div.when', elapsed(start, '.big'), h('small', time(start))),
    h('div.what',
      h('div.line1', h('strong.type', typeName(a.type)), h('span.state-badge.' + a.state, t('state.' + a.state)), h('span.muted', '#' + a.number), a.type === 'duress' ? h('span.tag.danger', t('duress.short')) : null),
      h('div.line2', a.worker ? a.worker.name : t('alarm.noWorker'), a.siteId ? h('span.muted', ' · ' + siteName(a.siteId)) : null),
      h('div.line3.place', icon('pin'), a.place ? a.place.label : t('alarm.noPosition'), a.positionAt ? h('span.muted', ' · ' + t('alarm.positionAge', { age: ago(a.positionAt) })) : null)),
    h('div.actions', ack));
  }

  draw();
  const off = onChange(draw);
  const stopTicker = startTicker(page);
  return () => {
    off();
    stopTicker();
  };
}
