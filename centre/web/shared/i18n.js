// Translations for Vigil's web apps (console, worker app, responder page). Each app loads its own
// catalogue, `/shared/i18n/<app>.<lang>.json`, a flat map of keys to strings with {name}
// placeholders. English is the reference: a key missing in another language falls back to English,
// and a key missing in English shows itself, so a gap is visible rather than silent.
'use strict';
(function (root) {
  const LANGUAGES = {
    en: 'English', fr: 'Français', nl: 'Nederlands', de: 'Deutsch', es: 'Español', sv: 'Svenska', nb: 'Norsk bokmål',
  };
  const STORAGE_KEY = 'vigil.lang';
  let strings = {};
  let fallback = {};
  let current = 'en';

  function pick() {
    const saved = root.localStorage && root.localStorage.getItem(STORAGE_KEY);
    if (saved && LANGUAGES[saved]) return saved;
    const wanted = (root.navigator && root.navigator.languages) || [];
    for (const tag of wanted) {
      const base = String(tag).toLowerCase().split('-')[0];
      if (LANGUAGES[base]) return base;
      if (base === 'no' || base === 'nn') return 'nb';
    }
    return 'en';
  }

  async function fetchCatalogue(app, lang) {
    const res = await root.fetch('/shared/i18n/' + app + '.' + lang + '.json', { cache: 'no-cache' });
    if (!res.ok) throw new Error('no ' + lang + ' catalogue for ' + app);
    return res.json();
  }

  /**
   * Loads `app`'s catalogue — or several, e.g. ['common', 'console'], merged in that order — in `lang`
   * (or the user's language); resolves to the language used.
   */
  async function load(app, lang) {
    const apps = Array.isArray(app) ? app : [app];
    current = lang && LANGUAGES[lang] ? lang : pick();
    const merged = async (l) => Object.assign({}, ...(await Promise.all(apps.map((a) => fetchCatalogue(a, l)))));
    fallback = await merged('en');
    strings = current === 'en' ? fallback : await merged(current).catch(() => fallback);
    if (root.document) root.document.documentElement.lang = current;
    return current;
  }

  /** The string for `key` with `{name}` placeholders filled from `params`. */
  function t(key, params) {
    const s = strings[key] !== undefined ? strings[key] : fallback[key] !== undefined ? fallback[key] : key;
    return params ? s.replace(/\{(\w+)\}/g, (m, n) => (params[n] === undefined ? m : String(params[n]))) : s;
  }

  /** Fills every element with `data-i18n="key"` (text) or `data-i18n-attr="attr:key,attr:key"`. */
  function apply(scope) {
    const el = scope || root.document;
    el.querySelectorAll('[data-i18n]').forEach((n) => (n.textContent = t(n.getAttribute('data-i18n'))));
    el.querySelectorAll('[data-i18n-attr]').forEach((n) => {
      for (const pair of n.getAttribute('data-i18n-attr').split(',')) {
        const [attr, key] = pair.split(':');
        n.setAttribute(attr.trim(), t(key.trim()));
      }
    });
  }

  function setLanguage(lang) {
    if (!LANGUAGES[lang]) return;
    root.localStorage.setItem(STORAGE_KEY, lang);
  }

  /** Dates and durations in the user's language. */
  function formatDateTime(ms) {
    return new Intl.DateTimeFormat(current === 'nb' ? 'nb-NO' : current, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
  }

  root.VigilI18n = { LANGUAGES, load, t, apply, setLanguage, formatDateTime, get language() { return current; } };
})(typeof window !== 'undefined' ? window : globalThis);
