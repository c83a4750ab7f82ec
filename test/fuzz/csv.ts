/**
 * CSV exports (centre/src/http/reports/csv.ts): rows of alarms whose free text — worker and site
 * names, who acknowledged or resolved, comments, places — is whatever people typed, formulas
 * included. Each row is read back with an RFC 4180 reader, as a spreadsheet would.
 *
 * Invariants: every row reads back as exactly its 15 cells; no cell starts with = + - @ tab or CR
 * (a spreadsheet would run it: OWASP "CSV injection"); a neutralised cell is the text with one
 * apostrophe before it, any other the text itself.
 */
import fc from 'fast-check';
import { csvRow, type CsvContext } from '../../centre/src/http/reports/csv';
import type { AlarmView } from '../../centre/src/domain/views';
import type { Surface } from './engine';

const FORMULAS = ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x","click")', '=cmd|\' /C calc\'!A0', '"=1"', ' =1', '\n=1', '；=1', '＝1', '=', '-', '+', '@'];
const text = fc.oneof(fc.constantFrom(...FORMULAS), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.tuple(fc.constantFrom(...FORMULAS), fc.string({ maxLength: 8 })).map(([a, b]) => a + b));

export interface CsvInput {
  delimiter: ',' | ';';
  site: string;
  worker: string;
  ackBy: string;
  resolvedBy: string;
  comment: string;
  place: string;
}

const arbitrary: fc.Arbitrary<CsvInput> = fc.record({ delimiter: fc.constantFrom<',' | ';'>(',', ';'), site: text, worker: text, ackBy: text, resolvedBy: text, comment: text, place: text });

/** RFC 4180 reader for one CRLF-ended record. */
export function readRecord(line: string, delimiter: string): string[] | undefined {
  if (!line.endsWith('\r\n')) return undefined;
  const s = line.slice(0, -2);
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) return undefined;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          cell += s[i++];
        }
      }
      if (i < s.length && s[i] !== delimiter) return undefined;
    } else {
      while (i < s.length && s[i] !== delimiter) {
        if (s[i] === '"' || s[i] === '\r' || s[i] === '\n') return undefined;
        cell += s[i++];
      }
    }
    cells.push(cell);
    if (i >= s.length) return cells;
    i++; // the delimiter
  }
}

const CTX = (delimiter: ',' | ';', site: string): CsvContext => ({ delimiter, t: (k) => k, time: (ms) => (ms === null ? '' : String(ms)), siteName: () => site });

export const csvSurface: Surface<CsvInput, Record<string, number>> = {
  name: 'csv',
  what: 'CSV export rows with formulas, quotes, delimiters and line breaks in every free-text field',
  arbitrary,
  async setup() {
    return { rows: 0, neutralised: 0 };
  },
  run(stats, input) {
    const alarm = {
      id: 'a1', number: 1042, type: 'sos', state: 'resolved', siteId: 's1', workerId: 'w1', deviceId: null, createdAt: 1, raisedAt: 2, acknowledgedAt: 3, acknowledgedBy: `user:${input.ackBy}`,
      resolvedAt: 4, resolvedBy: input.resolvedBy, resolution: 'test', comment: input.comment, worker: { id: 'w1', name: input.worker, phone: null }, place: { label: input.place }, positionAgeS: null,
    } as unknown as AlarmView;
    const line = csvRow(alarm, CTX(input.delimiter, input.site));
    const cells = readRecord(line, input.delimiter);
    if (!cells || cells.length !== 15) throw new Error(`the row does not read back as 15 cells: ${JSON.stringify(line)}`);
    stats['rows']!++;
    const free: [number, string][] = [[3, input.site], [4, input.worker], [8, input.ackBy], [11, input.resolvedBy], [13, input.comment], [14, input.place]];
    for (const [i, typed] of free) {
      const cell = cells[i]!;
      if (/^[=+\-@\t\r]/.test(cell)) throw new Error(`cell ${i} would run as a formula: ${JSON.stringify(cell)}`);
      if (cell !== typed) {
        if (cell !== `'${typed}`) throw new Error(`cell ${i} reads ${JSON.stringify(cell)} for ${JSON.stringify(typed)}`);
        stats['neutralised']!++;
      }
    }
  },
  stats: (s) => s,
  async teardown() {},
  smokeRuns: 2000,
};
