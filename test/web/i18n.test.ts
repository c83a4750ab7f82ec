/**
 * Every web app speaks the console's seven languages completely: for each `<app>.en.json` catalogue,
 * every other language has a catalogue with exactly the same keys and the same {placeholders}.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '..', '..', 'centre', 'web', 'shared', 'i18n');
const LANGUAGES = ['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb'];
const apps = readdirSync(DIR).filter((f) => f.endsWith('.en.json')).map((f) => f.slice(0, -'.en.json'.length));
const load = (app: string, lang: string): Record<string, string> => JSON.parse(readFileSync(join(DIR, `${app}.${lang}.json`), 'utf8')) as Record<string, string>;
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('web translations', () => {
  it('has only known languages', () => {
    for (const f of readdirSync(DIR).filter((n) => n.endsWith('.json'))) expect(LANGUAGES).toContain(f.split('.')[1]);
  });

  describe.each(apps.flatMap((app) => LANGUAGES.filter((l) => l !== 'en').map((lang) => [app, lang] as const)))('%s in %s', (app, lang) => {
    it('translates every English key, with the same placeholders, and nothing else', () => {
      const en = load(app, 'en');
      const other = load(app, lang);
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      for (const [k, v] of Object.entries(en)) expect([k, placeholders(other[k]!)]).toEqual([k, placeholders(v)]);
      for (const v of Object.values(other)) expect(v.trim().length).toBeGreaterThan(0);
    });
  });
});
