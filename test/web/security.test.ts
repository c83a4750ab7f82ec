/**
 * The three web apps in real Chromium with hostile data (docs/security.md, "Browser"): a worker,
 * a site and a note whose text is markup and script — what an admin with bad intent, or a registry
 * import from elsewhere, could store. Each page shows the text as text and runs none of it, under the
 * centre's Content-Security-Policy (script-src 'self', style-src 'self', no inline anything), and
 * Chromium reports no violation of that policy: the apps still do all their work within it.
 */
import type { Page } from 'playwright-core';
import { SITE } from '../helpers/centre-harness';
import { call } from '../helpers/http';
import { type Harness } from '../helpers/centre-harness';
import { openBrowser, PHONE, DESKTOP, problems, type WebBrowser } from './browser';
import { nextAlarm, openApp, PIA, startAppCentre } from './app-helpers';

const NAME = '<img src=x onerror="window.__xss=1">Wendy';
const SITE_NAME = '<script>window.__xss=2</script>North';
const NOTE = '<svg onload="window.__xss=3"></svg>=cmd|calc';
const ZONE = '"><iframe src=javascript:window.__xss=4>';

const xss = (page: Page): Promise<unknown> => page.evaluate(() => (globalThis as Record<string, unknown>)['__xss']);

/** Console messages that report a CSP violation (Chromium logs them as errors). */
function violations(page: Page): string[] {
  return problems(page).filter((p) => /Content Security Policy|Refused to/i.test(p));
}

describe('hostile names in the web apps (Chromium, CSP)', () => {
  let web: WebBrowser;
  let h: Harness;
  let admin: string;
  let alarmId: string;
  let token: string;

  beforeAll(async () => {
    web = await openBrowser();
    ({ h, admin } = await startAppCentre());
    const { store } = h.centre;
    await store.upsertSite({ id: SITE, name: SITE_NAME, ladderId: 'day' });
    await store.upsertWorker({ id: 'w1', name: NAME, phone: '+44 7700 900123', siteId: SITE });
    await store.upsertWorker({ id: PIA.id, name: NAME + ' (phone)', phone: PIA.phone, siteId: SITE });
    await store.putEntity('zone', { id: 'z1', siteId: SITE, name: ZONE, floor: '0', x: 1, y: 1 } as never);
    const raised = nextAlarm(h, (a) => a.state === 'raised', 'the alarm');
    await h.frame('sos');
    alarmId = (await raised).id;
    await h.settle();
    expect((await call(h.base, 'POST', `/api/alarms/${alarmId}/notes`, { token: admin, body: { text: NOTE } })).status).toBeLessThan(300);
    token = h.sms.sent[0]!.link!.split('/r/')[1]!;
  }, 60_000);

  afterAll(async () => {
    await web.close();
    await h.stop();
  });

  it('every page is served with the strict policy', async () => {
    for (const path of ['/', '/app/', `/r/${token}`, '/api/health']) {
      const res = await fetch(h.base + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('console: the alarm queue and the alarm page show the names and the note as text', async () => {
    const page = await web.page({ viewport: DESKTOP, locale: 'en-GB' });
    page.setDefaultTimeout(10_000);
    await page.goto(h.base + '/');
    await page.locator('#login input[name=username]').fill('root');
    await page.locator('#login input[name=password]').fill('root-pass');
    await page.locator('#login button[type=submit]').click();
    const card = page.locator(`.alarm-card[data-id="${alarmId}"]`);
    await card.waitFor();
    await expect(card.innerText()).resolves.toContain(NAME);
    await card.click();
    await page.locator('#timeline li', { hasText: NOTE }).waitFor();
    await page.goto(`${h.base}/#/admin`);
    await page.locator('main', { hasText: NAME }).first().waitFor();
    // Inline widths (the statistics' bars) go through the CSSOM, which the policy allows; a style
    // attribute would be refused and the bar drawn with no width.
    const width = await page.evaluate(async (url: string) => {
      const dom = (await import(url)) as { h: (spec: string, attrs: Record<string, string>) => { style: { width: string } } };
      return dom.h('i', { style: 'width: 42%' }).style.width;
    }, `${h.base}/js/dom.js`);
    expect(width).toBe('42%');
    await page.goto(`${h.base}/#/history`);
    await page.locator('main', { hasText: NAME }).first().waitFor();
    expect(await xss(page)).toBeUndefined();
    expect(await page.locator('img[src=x], iframe, script:not([src])').count()).toBe(0);
    expect(violations(page)).toEqual([]);
    expect(problems(page)).toEqual([]);
  });

  it('worker app: the worker sees their own name as text', async () => {
    const page = await openApp(web, h, PIA);
    await page.locator('body', { hasText: NAME }).first().waitFor();
    expect(await xss(page)).toBeUndefined();
    expect(violations(page)).toEqual([]);
    expect(problems(page)).toEqual([]);
  });

  it('responder page: the worker and the site as text', async () => {
    const page = await web.page({ viewport: PHONE, mobile: true });
    page.setDefaultTimeout(10_000);
    await page.goto(`${h.base}/r/${token}`);
    await page.locator('#alarm').waitFor();
    await page.locator('#title', { hasText: NAME }).waitFor();
    expect(await xss(page)).toBeUndefined();
    expect(await page.locator('img[src=x], iframe, script:not([src])').count()).toBe(0);
    expect(violations(page)).toEqual([]);
    expect(problems(page)).toEqual([]);
  });
});
