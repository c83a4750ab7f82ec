/**
 * Real headless Chromium for the web apps' tests: Debian's `chromium` driven by playwright-core
 * (`npx playwright install` cannot download here). One browser per test file — `openBrowser()` in
 * beforeAll, `close()` in afterAll — and a fresh, isolated context (own storage, own language,
 * own viewport) per page. Wait on page state (locators, `expect(...).toBeVisible()`-style polling
 * through `waitFor`, `page.waitForFunction`), never on time.
 *
 * The tests' tsconfig has no DOM types: give page code as a string expression
 * (`page.evaluate('document.title')`) — but a predicate that is polled (`page.waitForFunction`, `waitFor`)
 * must be a locator or a function: a polled string is compiled in the page, which the apps'
 * Content-Security-Policy (script-src 'self', no eval) refuses.
 *
 * Every page records its console errors, failed requests and uncaught exceptions: `problems(page)`
 * lists them, so a test can assert the page ran cleanly.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['VIGIL_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
/**
 * `make screenshots` (VIGIL_SCREENSHOTS=1) writes the guides' pictures into docs/screenshots; an
 * ordinary test run still takes them (a page that cannot be drawn fails) but into a temporary
 * directory, so `make test` never rewrites tracked files.
 */
export const SCREENSHOTS = process.env.VIGIL_SCREENSHOTS === '1' ? join(__dirname, '..', '..', 'docs', 'screenshots') : join(tmpdir(), 'vigil-screenshots');

/** A phone (the size the console and the worker app are tested at). */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** BCP 47 tag the browser reports (navigator.languages), e.g. 'fr-FR'. */
  locale?: string;
  /** Emulate a touch phone (isMobile + hasTouch). */
  mobile?: boolean;
  /** Permissions to grant (e.g. ['geolocation']) and a position for navigator.geolocation. */
  permissions?: string[];
  geolocation?: { latitude: number; longitude: number; accuracy?: number };
  /** Lets pages play sound without a click first (Chromium's autoplay policy). */
  autoplay?: boolean;
}

export interface WebBrowser {
  browser: Browser;
  /** A new page in its own context. */
  page(opts?: PageOptions): Promise<Page>;
  close(): Promise<void>;
}

const problemLog = new WeakMap<Page, string[]>();

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function openBrowser(opts: { autoplay?: boolean } = {}): Promise<WebBrowser> {
  if (!chromiumAvailable()) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (it is in .ci/run's PACKAGES)`);
  // playwright gives each launch a fresh temporary --user-data-dir and removes it on close.
  const args = [...CHROMIUM_ARGS, ...(opts.autoplay ? ['--autoplay-policy=no-user-gesture-required'] : [])];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args, headless: true });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async page(o: PageOptions = {}) {
      const context = await browser.newContext({
        viewport: o.viewport ?? DESKTOP,
        ...(o.locale ? { locale: o.locale } : {}),
        ...(o.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
        ...(o.permissions ? { permissions: o.permissions } : {}),
        ...(o.geolocation ? { geolocation: o.geolocation } : {}),
      });
      contexts.push(context);
      const page = await context.newPage();
      const problems: string[] = [];
      problemLog.set(page, problems);
      page.on('console', (m) => {
        // Chromium asks for /favicon.ico by itself; an app without one is not broken.
        if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(`console: ${m.text()} (${m.location().url})`);
      });
      page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
      page.on('requestfailed', (r) => {
        // Streams and requests cut short by navigation or by closing the page are not failures of the app.
        const why = r.failure()?.errorText ?? '';
        if (!/ERR_ABORTED/.test(why)) problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
      });
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Console errors, uncaught exceptions and failed requests seen by the page so far. */
export function problems(page: Page): string[] {
  return [...(problemLog.get(page) ?? [])];
}

/** Saves a PNG `<name>.png` under SCREENSHOTS (the guides in docs/ show them). */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: opts.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  return path;
}

/** Polls the expression in the page until it is truthy; the error names `what`. */
export async function waitFor(page: Page, what: string, expression: string, timeoutMs = 10_000): Promise<void> {
  try {
    await page.waitForFunction(expression, undefined, { timeout: timeoutMs, polling: 'raf' });
  } catch (e) {
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}: ${(e as Error).message.split('\n')[0]}`);
  }
}
