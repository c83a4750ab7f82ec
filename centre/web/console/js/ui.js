// Shared pieces of the views: toasts, the elapsed-time ticker, status chips, small tables.
import { h, icon, t } from './dom.js';
import { since } from './fmt.js';

export function toast(message, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div#toasts', { role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(box);
  }
  const el = h('div.toast.' + kind, message);
  box.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** Every second, rewrites each [data-since] element below `root` as the time elapsed since it. */
export function startTicker(root) {
  const tick = () => {
    for (const el of root.querySelectorAll('[data-since]')) el.textContent = since(Number(el.dataset.since));
  };
  tick();
  const id = setInterval(tick, 1000);
  return () => clearInterval(id);
}

export function elapsed(ms, cls = '') {
  return h('span.elapsed' + cls, { dataset: { since: String(ms) } }, since(ms));
}

export function statusChip(status) {
  return h('span.chip.status-' + status, t('status.' + status));
}

export function priorityClass(a) {
  return 'p' + a.priority + (a.type === 'duress' ? ' duress' : '');
}

export function batteryView(pct) {
  if (pct === null || pct === undefined) return h('span.muted', '—');
  return h('span.battery' + (pct <= 20 ? '.low' : ''), { title: t('worker.battery') }, icon('battery'), pct + ' %');
}

/** A table: columns [{head, cell(row), cls}], rows; `onRow` makes rows clickable. */
export function table(columns, rows, { onRow, empty, rowClass } = {}) {
  if (!rows.length && empty) return h('p.empty', empty);
  return h('table.grid',
    h('thead', h('tr', columns.map((c) => h('th', { class: c.cls || '' }, c.head)))),
    h('tbody', rows.map((r) => h('tr', {
      class: [onRow ? 'clickable' : '', rowClass ? rowClass(r) : ''].join(' '),
      tabindex: onRow ? '0' : undefined,
      onclick: onRow ? () => onRow(r) : undefined,
      onkeydown: onRow ? (e) => (e.key === 'Enter' ? onRow(r) : undefined) : undefined,
    }, columns.map((c) => h('td', { class: c.cls || '', 'data-label': c.head }, c.cell(r)))))));
}
