/**
 * Every message in the recipient's language (issue 20 part 4): a French contact gets French by SMS,
 * e-mail and webhook; the worker and the worker's call list get the worker's language; the session
 * reminder speaks the worker's language and gives the site's local time; recipients without a language
 * get the centre's default. Real store, engine and outbox on a virtual clock.
 */
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { alarmFacts, LANGUAGES, localTime, t, watchTexts } from '../../centre/src/escalation/language';
import { compose } from '../../centre/src/escalation/messages';
import type { Alarm, Contact } from '../../centre/src/store/types';

const S = 1000;
const MIN = 60 * S;

async function seed(h: Harness, opts: { workerLanguage?: string; timeZone?: string } = {}): Promise<void> {
  const c = (id: string, name: string, x: Partial<Contact>): Contact => ({ id, name, kind: 'person', siteId: SITE, phone: null, email: null, webhookUrl: null, language: null, ...x });
  for (const x of [
    c('lea', 'Léa', { phone: '+33600000001', email: 'lea@example.fr', webhookUrl: 'https://pager.example.fr/hook', language: 'fr' }),
    c('jan', 'Jan', { phone: '+31600000002', language: 'nl-NL' }),
    c('sam', 'Sam', { phone: '+44700000003' }),
  ]) await h.centre.store.putEntity('contact', x);
  await h.centre.store.putEntity('ladder', {
    id: 'day', name: 'Day',
    steps: [
      { contactId: '@worker', channel: 'sms', timeoutS: 60 }, { contactId: 'lea', channel: 'sms', timeoutS: 60 }, { contactId: 'lea', channel: 'email', timeoutS: 60 },
      { contactId: 'lea', channel: 'webhook', timeoutS: 60 }, { contactId: 'jan', channel: 'sms', timeoutS: 60 }, { contactId: 'sam', channel: 'sms', timeoutS: 60 },
    ],
    fallback: null,
  });
  await h.centre.store.upsertSite({ id: SITE, name: 'Site A', ladderId: 'day', timeZone: opts.timeZone ?? null });
  await h.centre.store.upsertWorker({ id: 'w1', name: 'Wendy Worker', phone: '+44 7700 900123', siteId: SITE, language: opts.workerLanguage ?? null });
}

describe('messages in the recipient\'s language', () => {
  let h: Harness;
  afterEach(() => h.stop());

  it('writes to a French contact in French on every channel, to a Dutch one in Dutch, to others in the default', async () => {
    h = await startHarness({ config: { escalation: { defaultLadderId: null, callListTimeoutS: 90, broadcastRepeatS: 120, publicUrl: 'https://centre.example.org', responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3, defaultLanguage: 'en' } } });
    await seed(h, { workerLanguage: 'de' });
    await h.frame('sos');
    const [alarm] = await h.centre.store.listAlarms({ states: ['raised'] });
    await h.advance(6 * 60 * S);
    const sms = (to: string): string => h.sms.sent.find((n) => n.to === to)!.text;
    // the worker, in German
    expect(sms('+447700900123')).toMatch(new RegExp(`^VIGIL ALARM ${alarm!.number}: SOS · Wendy Worker \\(\\+44 7700 900123\\) · Antworten Sie 1 oder JA zum Annehmen`));
    // Léa: French SMS, e-mail and webhook text
    expect(sms('+33600000001')).toMatch(new RegExp(`^ALARME VIGIL ${alarm!.number} : SOS · Wendy Worker .* · Répondez 1 ou OUI pour accepter, 2 ou NON si vous ne pouvez pas \\(OUI ${alarm!.number} si vous en avez plusieurs\\)\\. · https://`));
    const mail = h.email.sent.find((n) => n.to === 'lea@example.fr')!;
    expect(mail.subject).toBe(`ALARME VIGIL ${alarm!.number} : SOS — Wendy Worker (+44 7700 900123)`);
    expect(mail.text.split('\n')[0]).toBe(`ALARME VIGIL ${alarm!.number} : SOS`);
    const hook = h.webhook.sent.find((n) => n.to === 'https://pager.example.fr/hook')!;
    expect(hook.text).toContain('Répondez accepter ou refuser.');
    expect(hook.data).toMatchObject({ language: 'fr', alarm: { type: 'sos' } }); // the structured part stays language-neutral
    // Jan (nl-NL) in Dutch; Sam (no language) in the centre's default
    expect(sms('+31600000002')).toContain('Antwoord 1 of JA om te accepteren');
    expect(sms('+44700000003')).toContain('Reply 1 or YES to accept');
  });

  it('uses the centre\'s default for recipients without a language, and the worker\'s for the call list', async () => {
    h = await startHarness({ config: { escalation: { defaultLadderId: null, callListTimeoutS: 90, broadcastRepeatS: 120, publicUrl: null, responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3, defaultLanguage: 'sv' } } });
    await seed(h, { workerLanguage: 'es' });
    await h.centre.store.putEntity('ladder', { id: 'day', name: 'Day', steps: [{ contactId: 'sam', channel: 'sms', timeoutS: 60 }], fallback: null });
    const s = await h.centre.sessions.start({ workerId: 'w1', callList: [{ name: 'Mamá', phone: '+34600000009' }] }, 'user:op');
    expect(s.ok).toBe(true);
    await h.frame('fall');
    await h.advance(120 * S);
    expect(h.sms.sent.map((n) => [n.to, n.text.split(' · ')[0]])).toEqual([
      ['+34600000009', expect.stringMatching(/^ALARMA VIGIL \d+: Caída$/)],
      ['+44700000003', expect.stringMatching(/^VIGIL LARM \d+: Fall$/)],
    ]);
  });

  it('tells a French monitoring centre about duress in French, never the worker', async () => {
    h = await startHarness();
    await seed(h, { workerLanguage: 'fr' });
    await h.centre.store.putEntity('contact', { id: 'arc', name: 'Télésurveillance', kind: 'monitoring_centre', siteId: null, phone: '+33100000000', email: null, webhookUrl: null, language: 'fr' });
    await h.frame('duress');
    expect(h.sms.sent.map((n) => n.to)).toEqual(['+33100000000']);
    expect(h.sms.sent[0]!.text).toMatch(/^ALARME VIGIL \d+ : ALARME SILENCIEUSE \(agression\) · N'appelez PAS le travailleur : il est peut-être menacé\. · Wendy Worker/);
  });

  it('reminds the worker in their language, with the end in the site\'s local time', async () => {
    h = await startHarness({ config: { sessions: { reminderBeforeMin: 5, checkInGraceS: 120, protectionCheckInMin: 0, maxDurationH: 24 } } });
    await seed(h, { workerLanguage: 'fr', timeZone: 'Europe/Paris' });
    const end = h.clock.now() + 30 * MIN;
    const s = await h.centre.sessions.start({ workerId: 'w1', plannedEndAt: end }, 'user:op');
    expect(s.ok).toBe(true);
    await h.advance(26 * MIN);
    const reminder = h.sms.sent.find((n) => n.subject === 'Rappel de session')!;
    const paris = new Date(end + 3600_000).toISOString().slice(11, 16); // January: UTC+1
    expect(reminder.text).toBe(`Vigil : votre session de travail isolé se termine dans 5 min (${paris}). Prolongez-la ou arrêtez-la dans l'application, sinon une alarme sera déclenchée.`);
  });

  it('refuses a site time zone the runtime does not know, and a language we do not speak', async () => {
    h = await startHarness();
    expect(await h.centre.admin.putSite({ id: 'mars', name: 'Base', timeZone: 'Mars/Olympus' }, 'user:op')).toMatchObject({ ok: false, code: 'invalid', errors: [expect.stringContaining("unknown time zone 'Mars/Olympus'")] });
    expect(await h.centre.admin.putSite({ id: 'oslo', name: 'Oslo', timeZone: 'Europe/Oslo' }, 'user:op')).toMatchObject({ ok: true, value: { timeZone: 'Europe/Oslo' } });
    expect(await h.centre.admin.putWorker({ id: 'w9', name: 'X', language: 'it' }, 'user:op')).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('says UTC when the site has no time zone', () => {
    expect(localTime(Date.UTC(2026, 6, 1, 12, 5), null)).toBe('12:05 UTC');
    expect(localTime(Date.UTC(2026, 6, 1, 12, 5), 'Europe/Oslo')).toBe('14:05'); // summer time
    expect(localTime(Date.UTC(2026, 6, 1, 12, 5), 'Mars/Olympus')).toBe('12:05 UTC');
  });
});

describe('the alarm\'s facts for the voice channel, and every language complete', () => {
  it.each([
    ['en', 'Vigil alarm 1042: Fall. Worker: Chloé Dupont. Site: North warehouse.'],
    ['fr', 'Alarme Vigil 1042 : Chute. Travailleur : Chloé Dupont. Site : North warehouse.'],
    ['nl', 'Vigil alarm 1042: Val. Medewerker: Chloé Dupont. Locatie: North warehouse.'],
    ['de', 'Vigil Alarm 1042: Sturz. Person: Chloé Dupont. Standort: North warehouse.'],
    ['es', 'Alarma Vigil 1042: Caída. Trabajador: Chloé Dupont. Centro: North warehouse.'],
    ['sv', 'Vigil larm 1042: Fall. Anställd: Chloé Dupont. Plats: North warehouse.'],
    ['nb', 'Vigil alarm 1042: Fall. Ansatt: Chloé Dupont. Sted: North warehouse.'],
  ] as const)('%s', (lang, text) => {
    expect(alarmFacts(lang, { number: '1042', type: 'fall', worker: 'Chloé Dupont', site: 'North warehouse' }).text).toBe(text);
  });

  it('leaves out what is not known', () => {
    expect(alarmFacts('en', { number: '7', type: 'sos' })).toEqual({ text: 'Vigil alarm 7: SOS.', parts: { head: 'Vigil alarm 7: SOS.', worker: null, site: null } });
  });

  it.each(LANGUAGES.map((l) => [l]))('%s: a composed SMS has no placeholder left, the watch has all its texts', (lang) => {
    const alarm = { id: 'a', number: '1042', type: 'sos', state: 'raised', priority: 2, siteId: 's', deviceId: 'd', workerId: 'w', incidentRef: 1, lastCounter: 1, position: null, positionAt: Date.now() - 120_000, createdAt: 0, raisedAt: 0, updatedAt: 0, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null } as Alarm;
    const c = compose({ alarm, workerName: 'W', workerPhone: null, place: { label: 'Atelier' } as never, nowMs: Date.now(), link: 'https://x/r/y', round: 2 }, { key: 'k', contactId: 'c', name: 'C', role: 'ladder', channel: 'sms', address: '+1', timeoutS: 60, language: lang });
    expect(c.language).toBe(lang);
    expect(c.text).not.toMatch(/\{\w+\}|notify\./);
    expect(c.text).toContain('1042');
    expect(c.text).toContain(t(lang, 'notify.round', { round: 2 }));
    const watch = watchTexts(lang);
    expect(watch).toHaveLength(17);
    expect(watch.every((s) => s.length > 0 && !/[{}]/.test(s))).toBe(true);
  });
});
