// A worker's personal data, on the worker's admin page (admins): everything the centre holds about
// them as JSON or CSV (GDPR article 15), and their erasure (article 17) — the alarm statistics stay
// under a pseudonym, the person goes. Both are recorded in the audit log by the centre.
import { api } from '../api.js';
import { h, icon, t } from '../dom.js';
import { toast } from '../ui.js';

async function download(path, name) {
  const blob = await api.blob(path);
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function personalData(worker, done) {
  const base = '/api/workers/' + encodeURIComponent(worker.id);
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const run = (fn) => async () => {
    try {
      await fn();
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  const erase = run(async () => {
    const typed = prompt(t('people.eraseConfirm', { name: worker.name, id: worker.id }));
    if (typed === null) return;
    const r = await api.post(base + '/erase', { confirm: typed.trim() });
    toast(t('people.erased', { pseudonym: r.pseudonym }), 'good');
    await done();
  });
  return h('section.personal-data#personal-data',
    h('h3', t('people.title')),
    h('p.muted', t('people.hint')),
    h('div.buttons',
      h('button#export-json', { type: 'button', onclick: run(() => download(base + '/data', 'vigil-worker-' + worker.id + '.json')) }, icon('download'), t('people.exportJson')),
      h('button#export-csv', { type: 'button', onclick: run(() => download(base + '/data.csv?tz=' + encodeURIComponent(tz), 'vigil-worker-' + worker.id + '.csv')) }, icon('download'), t('people.exportCsv')),
      h('button.danger#erase', { type: 'button', onclick: erase }, t('people.erase'))));
}
