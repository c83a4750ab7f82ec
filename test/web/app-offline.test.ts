/**
 * The worker app without a connection, in real headless Chromium: an installable app (manifest,
 * icons, a service worker that opens the app offline); an alarm raised offline waits on the phone,
 * the screen says the centre does not have it and offers the fallback number, and it is raised once
 * when the connection returns; an alarm whose answer was lost is sent again with its key and still
 * raised once; a pairing link signs a phone in once; a phone an admin signed out says so loudly.
 */
import type { Harness } from '../helpers/centre-harness';
import { call } from '../helpers/http';
import { openBrowser, problems, screenshot, type WebBrowser } from './browser';
import { nextAlarm, openApp, pause, PIA, runFor, startAppCentre, text } from './app-helpers';

/** What the page functions read (the tests' tsconfig has no DOM types). */
type SwNavigator = { navigator: { serviceWorker: { ready: Promise<unknown>; controller: unknown } } };

describe('worker app: offline, installable, paired (Chromium, 390×844)', () => {
  let h: Harness;
  let admin: string;
  let web: WebBrowser;

  beforeAll(async () => {
    web = await openBrowser();
  });
  afterAll(async () => web.close());
  beforeEach(async () => {
    ({ h, admin } = await startAppCentre());
  });
  afterEach(async () => h.stop());

  it('is installable and opens without a connection', async () => {
    const page = await openApp(web, h, PIA);
    const manifest = await (await fetch(`${h.base}/app/manifest.webmanifest`)).json() as { start_url: string; display: string; icons: { src: string; type: string }[] };
    expect(manifest).toMatchObject({ start_url: '/app/', display: 'standalone' });
    for (const icon of manifest.icons) {
      const r = await fetch(h.base + icon.src);
      expect([icon.src, r.status, r.headers.get('content-type')]).toEqual([icon.src, 200, icon.type]);
    }
    // Functions, not strings: the app's CSP (script-src 'self') forbids evaluating strings.
    await page.waitForFunction(() => (globalThis as unknown as SwNavigator).navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as SwNavigator).navigator.serviceWorker.controller !== null);
    await page.context().setOffline(true);
    await page.reload();
    await page.locator('#alarm-button').waitFor();
    await page.locator('#link.bad').waitFor();
    expect(await text(page, '#link')).toMatch(/^No connection to the centre since /);
    expect(await text(page, '#who')).toBe(PIA.name);
  });

  it('keeps an alarm raised offline on the phone and raises it once when the connection returns', async () => {
    const page = await openApp(web, h, PIA, { permissions: ['geolocation'], geolocation: { latitude: 52.37, longitude: 4.89, accuracy: 30 } });
    await pause(page);
    await page.context().setOffline(true);
    await page.locator('#alarm-button').click();
    await runFor(page, 10_000);
    const card = page.locator('.alarm-card').first();
    await card.locator('text=Not sent yet: no connection.').waitFor();
    expect(await card.locator('a.call').innerText()).toBe('Call North ARC · +44 20 7946 0000');
    expect(await card.locator('a.call').getAttribute('href')).toBe('tel:+442079460000');
    expect(await text(page, '#queue-card')).toMatch(/Waiting to be sent .* Alarm: cancel window started .* Alarm: alarm$/);
    await screenshot(page, 'app-offline');
    expect(await h.centre.store.listAlarms()).toEqual([]);

    const raised = nextAlarm(h, (a) => a.state === 'raised', 'the alarm');
    await page.context().setOffline(false);
    await runFor(page, 2_000);
    const alarm = await raised;
    expect(alarm.position).toEqual({ kind: 'gps', lat: 52.37, lon: 4.89 });
    await card.locator(`text=The centre has your alarm (${alarm.number})`).waitFor();
    await page.locator('#queue-card').waitFor({ state: 'hidden' });
    expect((await h.centre.store.listAlarms()).map((a) => a.state)).toEqual(['raised']);
    expect(problems(page).filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p))).toEqual([]);
  });

  it('sends an alarm whose answer was lost again with the same key: raised once', async () => {
    const page = await openApp(web, h, PIA);
    await page.locator('#open-settings').click();
    await page.locator('input[name=countdown]').fill('0');
    await page.locator('input[name=countdown]').dispatchEvent('change');
    await page.locator('#settings-done').click();
    await pause(page);
    let posts = 0;
    await page.route('**/api/app/events', async (route) => {
      posts++;
      if (posts === 1) {
        await route.fetch(); // the centre gets it and answers; the answer never reaches the phone
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    const raised = nextAlarm(h, (a) => a.state === 'raised', 'the alarm');
    await page.locator('#alarm-button').click();
    const alarm = await raised;
    await page.locator('#link.bad').waitFor();
    await runFor(page, 2_000);
    await page.locator(`[data-alarm="${alarm.id}"]`).waitFor();
    expect(posts).toBe(2);
    expect((await h.centre.store.listAlarms()).map((a) => a.id)).toEqual([alarm.id]);
    expect((await h.centre.store.listAudit('alarm', alarm.id)).filter((e) => e.action === 'raised')).toHaveLength(1);
  });

  it('pairs a phone from the link an admin created, once; a phone signed out by an admin says it cannot send alarms', async () => {
    const p = await call<{ link: string; code: string }>(h.base, 'POST', `/api/workers/${PIA.id}/app-pairing`, { token: admin, body: {} });
    const page = await openApp(web, h, null);
    await page.goto(`${h.base}/app/#pair=${p.body.code}`);
    await page.locator('#who', { hasText: PIA.name }).waitFor();
    await page.locator('#alarm-button').waitFor();
    expect(await page.evaluate('location.hash')).toBe('');

    const again = await web.page();
    await again.goto(`${h.base}/app/#pair=${p.body.code}`);
    await again.locator('#signin-error', { hasText: 'This pairing code is wrong, used or expired.' }).waitFor();

    expect((await call(h.base, 'DELETE', `/api/workers/${PIA.id}/app-phones`, { token: admin })).status).toBe(200);
    await runFor(page, 15_000);
    await page.locator('#link.bad', { hasText: 'You are signed out: this phone cannot send alarms.' }).waitFor();
    await screenshot(page, 'app-signed-out');
  });
});
