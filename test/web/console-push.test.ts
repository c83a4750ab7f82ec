/**
 * Web Push, the browser's half, in real headless Chromium: the console's service worker receives a
 * push through Chromium's DevTools protocol (ServiceWorker.deliverPushMessage: the push service's
 * delivery, after the browser's decryption) and shows the notification — in the subscriber's language,
 * one per alarm (a later push of the same alarm replaces it), duress saying not to call — and a tap on
 * it opens the alarm in the console tab, which keeps its login.
 *
 * Chromium offers no way to tap a notification from a test (WPT issue 51125): the tap is a
 * NotificationEvent made in the service worker and dispatched to its own handler, on the notification
 * Chromium shows. What differs from a real tap: the handler may not focus the tab or open a window (a
 * real tap allows both); opening a window when no console tab is open is therefore not tested here.
 */
import type { CDPSession, Page, Worker } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { alarmUrl, encodePushMessage, englishText, type PushMessage } from '../../centre/src/notify/push/payload';
import { openBrowser, problems, DESKTOP, type WebBrowser } from './browser';

const OLGA = { username: 'olga', password: 'olga-pass-1' };

interface Shown {
  title: string;
  body: string;
  tag: string;
  requireInteraction: boolean;
  data: { alarmId: string; kind: string; url: string };
}

async function consolePage(web: WebBrowser, base: string, locale = 'en-GB'): Promise<Page> {
  const page = await web.page({ viewport: DESKTOP, locale, permissions: ['notifications'] });
  page.setDefaultTimeout(10_000);
  await page.goto(base + '/');
  await page.locator('#login input[name=username]').fill(OLGA.username);
  await page.locator('#login input[name=password]').fill(OLGA.password);
  await page.locator('#login button[type=submit]').click();
  await page.locator('body[data-live=live][data-sw=ready]').waitFor({ state: 'attached' });
  return page;
}

/** The registration Chromium knows for the page's origin, through the DevTools protocol. */
async function registration(page: Page): Promise<{ cdp: CDPSession; registrationId: string; origin: string }> {
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  const found = new Promise<string>((resolve) => cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
    const r = e.registrations.find((x) => !x.isDeleted && x.scopeURL === `${origin}/`);
    if (r) resolve(r.registrationId);
  }));
  await cdp.send('ServiceWorker.enable');
  return { cdp, registrationId: await found, origin };
}

function serviceWorker(page: Page): Worker {
  const sw = page.context().serviceWorkers().find((w) => w.url().endsWith('/sw.js'));
  if (!sw) throw new Error('the console has no service worker');
  return sw;
}

async function notifications(sw: Worker): Promise<Shown[]> {
  return sw.evaluate(async () => {
    const reg = (globalThis as unknown as { registration: { getNotifications(): Promise<Shown[]> } }).registration;
    return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, data: n.data }));
  });
}

/** Polls the service worker's notifications until `predicate` holds. */
async function until(sw: Worker, predicate: (n: Shown[]) => boolean, what: string): Promise<Shown[]> {
  for (let i = 0; i < 100; i++) {
    const n = await notifications(sw);
    if (predicate(n)) return n;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the service worker never showed ${what}: ${JSON.stringify(await notifications(sw))}`);
}

function message(m: Omit<PushMessage, 'v' | 'title' | 'body' | 'url'>): string {
  return encodePushMessage({ ...m, v: 1, ...englishText(m), url: alarmUrl(m.alarmId) });
}

describe('console service worker: a push becomes a notification, a tap opens the alarm (Chromium)', () => {
  let web: WebBrowser;
  let h: Harness;

  beforeAll(async () => {
    web = await openBrowser();
    h = await startHarness({ http: true });
    await h.centre.auth.createUser({ ...OLGA, role: 'operator', name: 'Olga Operator' });
  });
  afterAll(async () => {
    await web?.close();
    await h?.stop();
  });

  it('shows the alarm in the subscriber\'s language, replaces it when it is resolved, and a tap opens the alarm', async () => {
    await h.frame('sos');
    const [alarm] = await h.centre.store.listAlarms({ states: ['raised'] });
    const page = await consolePage(web, h.base);
    const { cdp, registrationId, origin } = await registration(page);
    const sw = serviceWorker(page);
    const base = { id: `push:${alarm!.id}:raised:s1`, alarmId: alarm!.id, number: alarm!.number, type: 'sos', priority: 2, duress: false, worker: 'Wendy Worker', site: 'Site A', at: h.clock.now(), afterMin: null };

    await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${origin}/`, registrationId, data: message({ ...base, kind: 'raised', lang: 'fr' }) });
    const [shown] = await until(sw, (n) => n.length === 1, 'the raised alarm');
    expect(shown).toMatchObject({ title: `Alarme ${alarm!.number} : SOS`, body: 'SOS — Wendy Worker, Site A', tag: `alarm-${alarm!.id}`, requireInteraction: true });
    expect(shown!.data).toMatchObject({ alarmId: alarm!.id, kind: 'raised', url: `/#/alarm/${alarm!.id}` });

    // Still unacknowledged, then resolved: the same notification, rewritten.
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${origin}/`, registrationId, data: message({ ...base, id: 'u', kind: 'unacknowledged', afterMin: 5, lang: 'en' }) });
    await until(sw, (n) => n.length === 1 && n[0]!.title === `Still not acknowledged: alarm ${alarm!.number}`, 'the reminder');
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${origin}/`, registrationId, data: message({ ...base, id: 'r', kind: 'resolved', lang: 'de' }) });
    const [resolved] = await until(sw, (n) => n.length === 1 && n[0]!.data.kind === 'resolved', 'the resolution');
    expect(resolved).toMatchObject({ title: `Abgeschlossen: Alarm ${alarm!.number}`, body: 'SOS abgeschlossen — Wendy Worker, Site A', requireInteraction: false });

    // A tap: the console tab shows the alarm.
    await page.goto(h.base + '/#/history');
    await page.locator('body[data-view=history]').waitFor({ state: 'attached' });
    await sw.evaluate(async () => {
      const g = globalThis as unknown as { registration: { getNotifications(): Promise<unknown[]> }; dispatchEvent(e: unknown): void; NotificationEvent: new (t: string, i: unknown) => unknown };
      const [n] = await g.registration.getNotifications();
      g.dispatchEvent(new g.NotificationEvent('notificationclick', { notification: n }));
    });
    await page.waitForURL(`**/#/alarm/${alarm!.id}`);
    await page.locator('.alarm-head', { hasText: alarm!.number }).waitFor();
    expect(await notifications(sw)).toEqual([]); // the tapped notification is closed
    expect(problems(page)).toEqual([]);
  });

  it('a duress push says not to call the worker; a push it cannot read still shows where to look', async () => {
    const page = await consolePage(web, h.base);
    const { cdp, registrationId, origin } = await registration(page);
    const sw = serviceWorker(page);
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: `${origin}/`, registrationId,
      data: message({ id: 'd', kind: 'raised', alarmId: 'a-duress', number: '2001', type: 'duress', priority: 1, duress: true, worker: 'Wendy Worker', site: 'Site A', at: h.clock.now(), afterMin: null, lang: 'nl' }),
    });
    const [duress] = await until(sw, (n) => n.some((x) => x.tag === 'alarm-a-duress'), 'the duress alarm');
    expect(duress!.title).toBe('Alarm 2001: Overval (stil alarm)');
    expect(duress!.body).toContain('STIL ALARM (overval): bel de medewerker niet');
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${origin}/`, registrationId, data: 'not json' });
    const all = await until(sw, (n) => n.some((x) => x.tag === 'vigil'), 'a notification for an unreadable push');
    expect(all.find((x) => x.tag === 'vigil')).toMatchObject({ title: 'Vigil', body: 'Open the console' });
  });
});
