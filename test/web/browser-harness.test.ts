/** The Chromium harness itself: pages are isolated, sized, and report their errors. */
import { startHarness, type Harness } from '../helpers/centre-harness';
import { openBrowser, PHONE, problems, type WebBrowser } from './browser';

describe('browser harness', () => {
  let h: Harness;
  let web: WebBrowser;

  beforeAll(async () => {
    h = await startHarness({ http: true });
    web = await openBrowser();
  });
  afterAll(async () => {
    await web?.close();
    await h?.stop();
  });

  it('loads a page from a real centre at phone size and records script errors', async () => {
    const page = await web.page({ viewport: PHONE, locale: 'fr-FR' });
    await page.goto(`${h.base}/`);
    expect(await page.evaluate('[window.innerWidth, navigator.language]')).toEqual([390, 'fr-FR']);
    expect(problems(page)).toEqual([]);
    const thrown = page.waitForEvent('pageerror');
    await page.evaluate("setTimeout(() => { throw new Error('boom'); }, 0)");
    await thrown;
    expect(problems(page).join('\n')).toMatch(/boom/);
  });

  it('gives every page its own storage', async () => {
    const a = await web.page();
    const b = await web.page();
    await a.goto(`${h.base}/`);
    await b.goto(`${h.base}/`);
    await a.evaluate("localStorage.setItem('x', '1')");
    expect(await b.evaluate("localStorage.getItem('x')")).toBeNull();
  });
});
