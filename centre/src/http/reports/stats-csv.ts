/**
 * The statistics of a period as CSV (issue 21 part 8): one row for the whole period, one per site,
 * one per alarm type, one per customer organisation (part 1, last: the rows before kept their places) — alarms, cancelled pre-alarms, open, acknowledged with p50/p95, verified
 * (genuine, dispatched) vs false alarms and tests, and the BS 8484-style answer figures: of the person
 * alarms, the share acknowledged within 30 s, 60 s and 3 min. Shares are percentages with one decimal
 * (empty when there were no person alarms); counts are given too, so nothing has to be trusted.
 * Headings (and the alarm types' names) are in the export's language, from the console's catalogue;
 * the group and id columns keep identifiers (all, site, type; site ids, type ids), for formulas.
 */
import type { AlarmStats, StatsGroup } from '../../store/types';
import { BOM, csvField, csvLine } from './csv';

const COLUMNS = [
  'group', 'id', 'name', 'alarms', 'cancelled', 'open', 'acknowledged', 'ackP50S', 'ackP95S', 'genuine', 'dispatched', 'falseAlarm', 'test',
  'personAlarms', 'within30S', 'within60S', 'within180S', 'within30SPct', 'within60SPct', 'within180SPct',
];

export function pct(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((1000 * part) / whole) / 10;
}

function row(group: string, id: string, name: string, g: StatsGroup, d: ',' | ';'): string {
  const a = g.answered;
  const n = (v: number | null): string => (v === null ? '' : d === ';' ? String(v).replace('.', ',') : String(v));
  const values = [
    group, csvField(id, d, true), csvField(name, d, true), g.total, g.cancelled, g.open, g.acknowledged, n(g.p50S), n(g.p95S),
    g.byResolution.genuine, g.byResolution.dispatched, g.byResolution.false_alarm, g.byResolution.test,
    a.personAlarms, a.within30S, a.within60S, a.within180S, n(pct(a.within30S, a.personAlarms)), n(pct(a.within60S, a.personAlarms)), n(pct(a.within180S, a.personAlarms)),
  ];
  return csvLine(values.map((v) => (typeof v === 'number' ? n(v) : v)), d);
}

/** `t` gives the text of a key of the console's catalogue in the export's language (csv.ts `catalogue`). */
export function statsCsv(s: AlarmStats, siteName: (id: string | null) => string, d: ',' | ';', t: (key: string) => string, organisationName: (id: string) => string = (id) => id): string {
  const lines = [row('all', '', '', s, d)];
  for (const g of s.bySite) lines.push(row('site', g.siteId ?? '', siteName(g.siteId), g, d));
  for (const [type, g] of Object.entries(s.byType)) if (g) lines.push(row('type', type, t(`alarmType.${type}`), g, d));
  for (const g of s.byOrganisation) lines.push(row('organisation', g.organisationId, organisationName(g.organisationId), g, d));
  return BOM + csvLine(COLUMNS.map((k) => csvField(t(`csv.stats.${k}`), d)), d) + lines.join('');
}
