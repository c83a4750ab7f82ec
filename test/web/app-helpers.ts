/**
 * The worker app's browser tests share this: a real centre on a virtual clock (SQLite, the real
 * services, recording SMS/e-mail/webhook notifiers, HTTP on a loopback port) with a site, a
 * ladder, two phone-only workers with app logins, and pages of the app at phone size whose own
 * clock the test drives (Playwright's fake timers), so countdowns and polls happen when the test
 * says, never after a sleep.
 */
import type { Page } from 'playwright-core';
import type { LiveEvent } from '../../centre/src/domain/live';
import type { Alarm } from '../../centre/src/store/types';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';
import { waitForValue } from '../../rig/wait';
import { PHONE, type PageOptions, type WebBrowser } from './browser';

export const PIA = { id: 'w2', name: 'Pia Phone', username: 'pia', password: 'pia-pass-1', phone: '+44 7700 900456' };
export const OLE = { id: 'w3', name: 'Ole Other', username: 'ole', password: 'ole-pass-1', phone: '+44 7700 900789' };

export async function startAppCentre(opts: { responderTokenTtlH?: number; tileUrl?: string } = {}): Promise<{ h: Harness; admin: string }> {
  const h = await startHarness({
    http: true,
    config: {
      escalation: { publicUrl: 'https://centre.example.org', callListTimeoutS: 60, broadcastRepeatS: 120, defaultLadderId: null, responderTokenTtlH: opts.responderTokenTtlH ?? 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 },
      ...(opts.tileUrl ? { console: { tileUrl: opts.tileUrl, tileAttribution: '© Test tiles', tileMaxZoom: 19 } } : {}),
    },
  });
  const store = h.centre.store;
  await store.putEntity('contact', { id: 'sue', name: 'Sue Supervisor', kind: 'supervisor', siteId: SITE, phone: '+44 7700 900100', email: null, webhookUrl: null, language: null });
  await store.putEntity('contact', { id: 'arc', name: 'North ARC', kind: 'monitoring_centre', siteId: SITE, phone: '+44 20 7946 0000', email: null, webhookUrl: null, language: null });
  await store.putEntity('ladder', { id: 'day', name: 'Day', steps: [{ contactId: 'sue', channel: 'sms', timeoutS: 120 }], fallback: { contactId: 'arc', channel: 'sms', timeoutS: 120 } });
  await store.upsertSite({ id: SITE, name: 'North depot', ladderId: 'day' });
  await h.centre.auth.createUser({ username: 'root', password: 'root-pass', role: 'admin', name: 'Rita Root' });
  const admin = await login(h.base, 'root', 'root-pass');
  for (const w of [PIA, OLE]) {
    await store.upsertWorker({ id: w.id, name: w.name, phone: w.phone, siteId: SITE });
    const r = await call(h.base, 'PUT', `/api/workers/${w.id}/app-login`, { token: admin, body: { username: w.username, password: w.password } });
    if (r.status !== 200) throw new Error(`app login for ${w.id}: ${r.status}`);
  }
  return { h, admin };
}

/** A phone with the app open, signed in as `who`, its clock started at the centre's time. */
export async function openApp(web: WebBrowser, h: Harness, who: { username: string; password: string } | null, opts: PageOptions = {}): Promise<Page> {
  const page = await web.page({ viewport: PHONE, mobile: true, ...opts });
  page.setDefaultTimeout(10_000);
  await page.clock.install({ time: h.clock.now() });
  await page.goto(`${h.base}/app/`);
  if (who) await signIn(page, who);
  return page;
}

export async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.locator('#signin-form input[name=username]').fill(who.username);
  await page.locator('#signin-form input[name=password]').fill(who.password);
  await page.locator('#signin-form button[type=submit]').click();
  await page.locator('#alarm-button').waitFor();
  await page.locator('#link.ok').waitFor();
}

/** Stops the page's clock where it is: from now on its timers run only through runFor. */
export async function pause(page: Page): Promise<void> {
  // The page's clock runs on between reading it and pausing; on a loaded machine by more than the
  // margin, which Playwright refuses ("fast-forward to the past"): read it again and retry.
  for (;;) {
    try {
      await page.clock.pauseAt((await page.evaluate<number>('Date.now()')) + 50);
      return;
    } catch (e) {
      if (!/to the past/.test(String(e))) throw e;
    }
  }
}

/** Lets the app's own timers run for `ms` of its time (its poll, countdowns), then the page settle. */
export async function runFor(page: Page, ms: number): Promise<void> {
  await page.clock.runFor(ms);
}

/** Resolves with the next live alarm event that matches (subscribe before acting). */
export function nextAlarm(h: Harness, match: (a: Alarm) => boolean, what: string): Promise<Alarm> {
  return waitForValue<LiveEvent>((fn) => h.centre.live.subscribe(fn), (e) => e.type === 'alarm' && match(e.alarm), 10_000, what).then((e) => (e as Extract<LiveEvent, { type: 'alarm' }>).alarm);
}

/** Text of an element, for assertions on what the worker reads. */
export async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();
}
