/**
 * CSV for spreadsheet users (RFC 4180): a UTF-8 byte-order mark so that Excel reads accents right,
 * CRLF line ends, fields quoted when they hold the delimiter, a quote or a line break, quotes doubled.
 * Free text people typed (comments, names, places) that starts with = + - @ or a tab/CR is prefixed
 * with an apostrophe, so a spreadsheet shows it instead of running it as a formula (OWASP "CSV injection").
 * Column headings and alarm type names come from the console's catalogue in the user's language.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlarmView } from '../../domain/views';

export const BOM = '\uFEFF';
const LANGS = new Set(['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb']);
const catalogues = new Map<string, Record<string, string>>();

export function catalogue(webDir: string, lang: string): (key: string) => string {
  const load = (l: string): Record<string, string> => {
    let c = catalogues.get(l);
    if (!c) {
      try {
        c = JSON.parse(readFileSync(join(webDir, 'shared', 'i18n', `console.${l}.json`), 'utf8')) as Record<string, string>;
      } catch {
        c = {};
      }
      catalogues.set(l, c);
    }
    return c;
  };
  const main = load(LANGS.has(lang) ? lang : 'en');
  const en = load('en');
  return (key) => main[key] ?? en[key] ?? key;
}

export function csvField(v: string | number | null | undefined, delimiter: string, freeText = false): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (freeText && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return s.includes(delimiter) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: string[], delimiter: string): string {
  return fields.join(delimiter) + '\r\n';
}

/** Local time in the user's zone as `YYYY-MM-DD HH:MM:SS`, which spreadsheets read as a date. */
export function localTime(timeZone: string): (ms: number | null) => string {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (ms) => (ms === null ? '' : f.format(new Date(ms)));
}

export interface CsvContext {
  delimiter: ',' | ';';
  t: (key: string) => string;
  time: (ms: number | null) => string;
  siteName: (id: string | null) => string;
}

const COLUMNS = ['number', 'type', 'state', 'site', 'worker', 'created', 'raised', 'acknowledged', 'acknowledgedBy', 'ackSeconds', 'resolved', 'resolvedBy', 'resolution', 'comment', 'place'] as const;

export function csvHeader(c: CsvContext): string {
  return csvLine(COLUMNS.map((k) => csvField(c.t(`csv.${k}`), c.delimiter)), c.delimiter);
}

export function csvRow(a: AlarmView, c: CsvContext): string {
  const ack = a.acknowledgedAt === null ? '' : String(Math.max(0, Math.round((a.acknowledgedAt - (a.raisedAt ?? a.createdAt)) / 1000)));
  const who = (actor: string | null) => (actor ?? '').replace(/^user:/, '');
  const values: [string | number | null, boolean][] = [
    [a.number, false], [c.t(`alarmType.${a.type}`), false], [c.t(`state.${a.state}`), false], [c.siteName(a.siteId), true], [a.worker?.name ?? '', true],
    [c.time(a.createdAt), false], [c.time(a.raisedAt), false], [c.time(a.acknowledgedAt), false], [who(a.acknowledgedBy), true], [ack, false],
    [c.time(a.resolvedAt), false], [who(a.resolvedBy), true], [a.resolution ? c.t(`reason.${a.resolution}`) : '', false], [a.comment ?? '', true], [a.place?.label ?? '', true],
  ];
  return csvLine(values.map(([v, free]) => csvField(v, c.delimiter, free)), c.delimiter);
}
