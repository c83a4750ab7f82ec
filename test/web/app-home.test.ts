/**
 * The worker app's home screen for a worker with a pendant, in real headless Chromium at phone
 * size: the pendant with its battery and when the centre last heard it (from the pendant's own
 * frames), protection off then on when the pendant starts protection mode — and no "this phone
 * watches for falls" option, since the pendant does that.
 */
import type { Harness } from '../helpers/centre-harness';
import { call } from '../helpers/http';
import { openBrowser, problems, screenshot, type WebBrowser } from './browser';
import { openApp, runFor, startAppCentre, text } from './app-helpers';

const WENDY = { username: 'wendy', password: 'wendy-pass-1' };

describe('worker app: home with a pendant (Chromium, 390×844)', () => {
  let h: Harness;
  let web: WebBrowser;

  beforeAll(async () => {
    web = await openBrowser();
  });
  afterAll(async () => web.close());
  beforeEach(async () => {
    let admin: string;
    ({ h, admin } = await startAppCentre());
    expect((await call(h.base, 'PUT', '/api/workers/w1/app-login', { token: admin, body: WENDY })).status).toBe(200);
  });
  afterEach(async () => h.stop());

  it('shows the pendant (battery, last seen) and the protection the pendant started', async () => {
    const page = await openApp(web, h, WENDY);
    expect(await text(page, '#pendant-card')).toBe('Pendant 0000beef · battery unknown · not heard yet');
    expect(await text(page, '#session-card h2')).toBe('Not protected');

    await h.frame('protection_on');
    await h.advance(2 * 60_000);
    await runFor(page, 15_000);
    await page.locator('#session-card h2', { hasText: 'Protected' }).waitFor();
    expect(await text(page, '#pendant-card')).toBe('Pendant 0000beef · battery 80 % · last seen 2 min ago');
    await screenshot(page, 'app-home-pendant');

    // Protection mode has no end: nothing to extend; the note and Stop stay.
    expect(await page.locator('#start-session').count()).toBe(0);
    expect(await page.locator('#extend-1h, #extend-to').count()).toBe(0);
    expect(await page.locator('#edit-note').isVisible()).toBe(true);
    expect(await page.locator('#stop').isVisible()).toBe(true);
    expect(await page.locator('#session-controls').innerText()).not.toContain('null');
    expect(problems(page)).toEqual([]);
  });

  it('offers no "phone watches for falls" to a worker whose pendant does it', async () => {
    const page = await openApp(web, h, WENDY);
    await page.locator('#start-session').click();
    await page.locator('#start-submit').waitFor();
    expect(await page.locator('#use-phone-line').isVisible()).toBe(false);
  });
});
