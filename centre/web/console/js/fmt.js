// Times, durations and names in the user's language. Ages are measured on the centre's clock
// (`serverNow`), so an operator PC with a wrong clock still shows the right "3 min ago".
import { t } from './dom.js';

let offsetMs = 0;

/** Remembers how far the centre's clock is from this browser's (from the overview and the stream). */
export function syncClock(serverNowMs) {
  offsetMs = serverNowMs - Date.now();
}

export function serverNow() {
  return Date.now() + offsetMs;
}

const locale = () => (VigilI18n.language === 'nb' ? 'nb-NO' : VigilI18n.language);

export function dateTime(ms) {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
}

export function time(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const sameDay = new Date(serverNow()).toDateString() === d.toDateString();
  return new Intl.DateTimeFormat(locale(), sameDay ? { timeStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

export function day(ms) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(ms));
}

export function month(ms) {
  return new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric' }).format(new Date(ms));
}

/** A duration as the language writes it: "4 min 05 s", "2 h 10 min", "3 d 4 h". */
export function duration(seconds, style = 'narrow') {
  const s = Math.max(0, Math.round(seconds));
  const parts = s < 3600 ? { minutes: Math.floor(s / 60), seconds: s % 60 } : s < 86400 ? { hours: Math.floor(s / 3600), minutes: Math.floor((s % 3600) / 60) } : { days: Math.floor(s / 86400), hours: Math.floor((s % 86400) / 3600) };
  if (parts.minutes === 0 && parts.seconds !== undefined) delete parts.minutes;
  // DurationFormat leaves out zero units: "0 s" must still show.
  if (s === 0) return new Intl.NumberFormat(locale(), { style: 'unit', unit: 'second', unitDisplay: style === 'narrow' ? 'narrow' : 'short' }).format(0);
  if (Intl.DurationFormat) return new Intl.DurationFormat(locale(), { style }).format(parts);
  return Object.entries(parts).map(([k, v]) => v + ' ' + k[0]).join(' ');
}

/** Elapsed since `ms` on the centre's clock. */
export function since(ms) {
  return ms === null || ms === undefined ? '—' : duration((serverNow() - ms) / 1000);
}

/** "3 min ago" in the language. */
export function ago(ms) {
  if (ms === null || ms === undefined) return '—';
  const s = Math.max(0, Math.round((serverNow() - ms) / 1000));
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto', style: 'short' });
  if (Math.abs(s) < 60) return rtf.format(-s, 'second');
  if (Math.abs(s) < 3600) return rtf.format(-Math.round(s / 60), 'minute');
  if (Math.abs(s) < 86400) return rtf.format(-Math.round(s / 3600), 'hour');
  return rtf.format(-Math.round(s / 86400), 'day');
}

export function number(n, opts) {
  return n === null || n === undefined ? '—' : new Intl.NumberFormat(locale(), opts).format(n);
}

export function percent(part, whole) {
  return whole ? new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(part / whole) : '—';
}

export const typeName = (type) => t('alarmType.' + type);
export const stateName = (state) => t('state.' + state);
export const reasonName = (r) => t('reason.' + r);
export const statusName = (s) => t('status.' + s);

/** `user:ana` → ana, `contact:Sue` → Sue, `device:00ab12cd` → pendant 00ab12cd, `system` → the centre. */
export function actor(a) {
  if (!a) return '—';
  const [kind, ...rest] = String(a).split(':');
  const who = rest.join(':');
  if (kind === 'user') return who;
  if (kind === 'contact') return who;
  if (kind === 'device') return t('actor.device', { id: who });
  if (kind === 'worker' || kind === 'app') return t('actor.worker', { id: who });
  if (kind === 'system') return t('actor.system');
  return a;
}
