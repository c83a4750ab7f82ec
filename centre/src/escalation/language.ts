/**
 * Messages in the recipient's language (issue 20): the seven languages the console, app and responder
 * page speak, from one set of catalogues beside theirs (`centre/web/shared/i18n/notify.<lang>.json`,
 * kept complete by test/web/i18n.test.ts). The recipient's language is the contact's, for the worker
 * (and the worker's own call list) the worker's, else the centre's default. English fills any gap, and
 * a key missing in English shows itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlarmType } from '../../../protocol/src';

export const LANGUAGES = ['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb'] as const;
export type Language = (typeof LANGUAGES)[number];

const DIR = join(__dirname, '..', '..', 'web', 'shared', 'i18n');
const CATALOGUES = new Map<Language, Record<string, string>>(
  LANGUAGES.map((l) => [l, JSON.parse(readFileSync(join(DIR, `notify.${l}.json`), 'utf8')) as Record<string, string>]),
);

/** `fr-FR` → fr, `no`/`nn` → nb; unknown or absent → undefined. */
export function languageOf(tag: string | null | undefined): Language | undefined {
  const base = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0]!;
  if (base === 'no' || base === 'nn') return 'nb';
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Language) : undefined;
}

/** The first of the given tags that names a language we speak, else English. */
export function pickLanguage(...tags: (string | null | undefined)[]): Language {
  for (const t of tags) {
    const l = languageOf(t);
    if (l) return l;
  }
  return 'en';
}

export function t(lang: Language, key: string, params: Record<string, string | number> = {}): string {
  const s = CATALOGUES.get(lang)?.[key] ?? CATALOGUES.get('en')![key] ?? key;
  return s.replace(/\{(\w+)\}/g, (all, name: string) => (params[name] === undefined ? all : String(params[name])));
}

export function alarmTypeLabel(lang: Language, type: AlarmType): string {
  return t(lang, `notify.type.${type}`);
}

/** The facts of an alarm as words (for the voice channel's prompt, and anyone else who needs them). */
export interface AlarmFacts {
  number: string;
  type: AlarmType;
  worker?: string | null;
  site?: string | null;
}

/**
 * The alarm's facts in `lang`, one sentence each: number and type, worker, site — e.g. fr: "Alarme
 * Vigil 1042 : Chute. Travailleur : Chloé Dupont. Site : Entrepôt Nord." The voice channel speaks
 * this; `parts` gives each sentence alone for prompts assembled from pieces.
 */
export function alarmFacts(lang: Language, f: AlarmFacts): { text: string; parts: { head: string; worker: string | null; site: string | null } } {
  const head = t(lang, 'notify.facts.head', { number: f.number, type: alarmTypeLabel(lang, f.type) });
  const worker = f.worker ? t(lang, 'notify.facts.worker', { worker: f.worker }) : null;
  const site = f.site ? t(lang, 'notify.facts.site', { site: f.site }) : null;
  return { text: [head, worker, site].filter((x): x is string => !!x).join(' '), parts: { head, worker, site } };
}

/** A wall-clock time `HH:MM` in an IANA zone (`Europe/Paris`), for people on site; an unknown zone falls back to UTC, said so. */
export function localTime(ms: number, timeZone: string | null | undefined): string {
  const format = (zone: string): string => new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
  if (timeZone) {
    try {
      return format(timeZone);
    } catch {
      // an unknown zone name: fall through to UTC, labelled
    }
  }
  return `${format('UTC')} UTC`;
}

/** Whether the runtime knows an IANA zone (the registry checks a site's before storing it). */
export function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The Bangle.js 2's screen texts in `lang`, in the order the firmware indexes them (`VSet.txt`,
 * firmware/src/boards/bangle2.js and docs/firmware.md), with `%` where the firmware puts a number.
 */
export const WATCH_KEYS = ['sos', 'fall', 'man_down', 'no_motion', 'cancel', 'sent', 'alarm', 'received', 'coming', 'checkIn', 'checkInTitle', 'sessionEnds', 'batteryLow', 'protected', 'off', 'protection', 'close'] as const;

export function watchTexts(lang: Language): string[] {
  return WATCH_KEYS.map((k) => t(lang, `watch.${k}`).replace(/\{\w+\}/g, '%'));
}
