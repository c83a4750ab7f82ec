/**
 * The console's other screens in real headless Chromium, on the demo's story played through the real
 * path on virtual time (Alice holds SOS, Bram's badge replays a recorded fall, Chloé taps the covert
 * duress signal): the queue with all three by priority; the duress alarm page warns not to call the
 * worker and offers no call or SMS; the admin pages provision a device (settings line shown once);
 * the language picker; the same app at phone width (390×844) without sideways scrolling. Saves the
 * screenshots of docs/console.md.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { parseScenario } from '../../simulator/src/scenario/schema';
import { fallsDataAvailable } from '../../simulator/src/trace';
import { openBrowser, PHONE, problems, screenshot, type WebBrowser } from './browser';
import { ADMIN, type ConsoleSystem, openConsole, OPERATOR, startSystem } from './console-helpers';

const STORY = parseScenario(`
name: console-story
description: Three alarms for the console's screens.
durationS: 75
site: { id: demo-site, name: Demo warehouse }
gateways:
  - { id: gw-1, x: 0, y: 0 }
workers:
  - { id: alice, name: Alice Martin, phone: "+33 6 12 34 56 78", board: puckjs, x: 4, y: 3.5 }
  - { id: bram, name: Bram de Vries, phone: "+31 6 1234 5678", board: puckjs, x: 6, y: 4 }
  - { id: chloe, name: Chloé Dubois, phone: "+32 470 12 34 56", board: puckjs, x: 8, y: -4 }
script:
  - { at: 5, worker: alice, do: hold, s: 2.5 }
${fallsDataAvailable() ? '  - { at: 8, worker: bram, do: replay, trial: SisFall/SA01/F01_R01.csv.gz }' : '  - { at: 8, worker: bram, do: hold, s: 2.5 }'}
  - { at: 40, worker: chloe, do: stand }
  - { at: 42, worker: chloe, do: taps, count: 2 }
expect: [{ alarms: 3 }]
`, 'console-story');

/** Width of the page's content: wider than the window means sideways scrolling. */
const contentWidth = (page: Page): Promise<number> =>
  page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);

describe('console screens (Chromium)', () => {
  let web: WebBrowser;
  let sys: ConsoleSystem;

  beforeAll(async () => {
    web = await openBrowser();
    sys = await startSystem(STORY);
    await sys.run.play();
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await sys?.stop();
  });

  it('queues the three alarms by priority (duress first), then age', async () => {
    const page = await openConsole(web, sys.base, OPERATOR);
    await page.locator('.alarm-card').nth(2).waitFor();
    const types = await page.locator('.alarm-card').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { type: string } }).dataset.type));
    const open = await sys.box.centre.store.listAlarms({ states: ['raised'] });
    const expected = [...open].sort((a, b) => a.priority - b.priority || a.raisedAt! - b.raisedAt!).map((a) => a.type);
    expect(types).toEqual(expected);
    expect(types[0]).toBe('duress');
    expect(new Set(types)).toEqual(new Set(['duress', 'sos', fallsDataAvailable() ? 'fall' : 'sos']));
    await page.locator('.workers tbody tr').nth(2).waitFor();
    await screenshot(page, 'console-queue-three');
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('warns in large letters not to call the worker on a duress alarm, and offers no call or SMS', async () => {
    const page = await openConsole(web, sys.base, OPERATOR);
    await page.locator('.alarm-card[data-type=duress]').click();
    await page.locator('#duress-warning').waitFor();
    await expect(page.locator('#duress-warning').innerText()).resolves.toContain('DO NOT CALL THE WORKER');
    expect(await page.locator('a[href^="tel:"], a[href^="sms:"], form.sms-form').count()).toBe(0);
    await expect(page.locator('.who').innerText()).resolves.toContain('Withheld: do not call (duress)');
    await page.locator('#map.leaflet-container .leaflet-interactive').first().waitFor();
    await screenshot(page, 'console-alarm-duress', { fullPage: true });
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('lets an admin provision a device and shows its settings line once', async () => {
    const page = await openConsole(web, sys.base, ADMIN);
    await page.goto(`${sys.base}/#/admin/devices`);
    await page.locator('#new').click();
    await page.locator('#edit-form select[name=board]').selectOption('bangle2');
    await page.locator('#edit-form select[name=workerId]').selectOption('alice');
    await page.locator('#edit-form select[name=siteId]').selectOption('demo-site');
    await page.locator('#edit-form button[type=submit]').click();
    const line = await page.locator('#settings-line').innerText();
    const devices = await sys.box.centre.store.listDevices();
    const made = devices.find((d) => d.board === 'bangle2')!;
    expect(made.workerId).toBe('alice');
    expect(line).toContain(made.id);
    expect(line).toContain(made.key);
    await screenshot(page, 'console-admin');
    await page.locator('#editor button.primary').click();
    await page.locator('#editor').waitFor({ state: 'hidden' });
    expect(await page.locator('.admin-list').innerText()).not.toContain(made.key);
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('speaks the language chosen on the login page', async () => {
    const page = await web.page({ locale: 'en-GB' });
    await page.goto(sys.base + '/');
    await page.locator('#login select[name=lang]').selectOption('fr');
    await page.locator('#login button[type=submit]', { hasText: 'Se connecter' }).waitFor();
    await page.locator('#login input[name=username]').fill(OPERATOR.username);
    await page.locator('#login input[name=password]').fill(OPERATOR.password);
    await page.locator('#login button[type=submit]').click();
    await page.locator('nav.tabs a[data-view=queue]', { hasText: 'Alarmes' }).waitFor();
    await page.locator('.alarm-card[data-type=duress]', { hasText: 'Agression' }).waitFor();
    await page.locator('header select').selectOption('de');
    await page.locator('nav.tabs a[data-view=history]', { hasText: 'Verlauf' }).waitFor();
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('asks plainly for the click browsers need before a page may make sound', async () => {
    const page = await openConsole(web, sys.base, OPERATOR);
    await page.locator('body[data-sound=on]').waitFor({ state: 'attached' }); // the login click counted
    await page.reload(); // still logged in (this tab), but no click yet on this page
    await page.locator('.alarm-card').first().waitFor();
    await page.locator('#sound-off').waitFor();
    await expect(page.locator('#sound-off').innerText()).resolves.toContain('click here once');
    // One click where the banner is (any click on the page would do: it is the gesture browsers need).
    const box = (await page.locator('#sound-off').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('body[data-sound=on]').waitFor({ state: 'attached' });
    await page.locator('#sound-off').waitFor({ state: 'hidden' });
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('says plainly when it is not live, and catches up when the connection returns', async () => {
    const page = await openConsole(web, sys.base, OPERATOR);
    await page.locator('.alarm-card').nth(2).waitFor();
    // The network drops: the stream ends and no new ticket can be had.
    await page.route('**/api/stream/ticket', (route) => route.abort('internetdisconnected'));
    await page.evaluate(() => (globalThis as unknown as { document: { dispatchEvent(e: unknown): void } }).document.dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event('vigil:reconnect')));
    await page.locator('body[data-live=down]').waitFor({ state: 'attached', timeout: 15_000 });
    await page.locator('#not-live').waitFor();
    await expect(page.locator('#not-live').innerText()).resolves.toContain('NOT LIVE');
    await screenshot(page, 'console-not-live');
    // Meanwhile an alarm is acknowledged elsewhere: the page learns of it on reconnecting.
    const sos = (await sys.box.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.type === 'sos')!;
    await sys.box.centre.alarms.acknowledge(sos.id, 'user:someone');
    await page.unroute('**/api/stream/ticket');
    await page.locator('body[data-live=live]').waitFor({ state: 'attached', timeout: 15_000 });
    await page.locator('#not-live').waitFor({ state: 'hidden' });
    await page.locator(`.alarm-card[data-id="${sos.id}"][data-state=acknowledged]`).waitFor();
    // The aborted ticket requests were the test's doing.
    expect(problems(page).filter((p) => !p.includes('/api/stream/ticket'))).toEqual([]);
    await page.close();
  });

  it('draws nothing on a map whose page was left while the floor plan was still loading', async () => {
    const page = await openConsole(web, sys.base, OPERATOR);
    // Hold the zones' answer (the plan's last fetch) until the operator has left the alarm page.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked!: () => void;
    const zonesAsked = new Promise<void>((r) => (asked = r));
    await page.route('**/api/zones', async (route) => {
      asked();
      await held;
      await route.continue().catch(() => undefined);
    });
    await page.locator('.alarm-card[data-type=sos]').first().click();
    await page.locator('#alarm-state').waitFor(); // the alarm page (acknowledged or not: earlier tests act on it)
    await zonesAsked;
    await page.goto(`${sys.base}/#/history`);
    await page.locator('#results table').waitFor();
    const answered = page.waitForResponse('**/api/zones');
    release();
    await answered;
    await page.unroute('**/api/zones');
    // The stale plan() resumes now; it used to draw on the removed map and throw. Two animation
    // frames later it has run to its end.
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('shows the audit log to an admin, filtered and exported, and a worker\'s personal data with its export and a refused erasure', async () => {
    const page = await openConsole(web, sys.base, ADMIN);
    await page.goto(`${sys.base}/#/audit`);
    await page.locator('#audit-results table').waitFor();
    await page.locator('#audit-form select[name=action]').selectOption('login');
    await page.locator('#audit-form button[type=submit]').click();
    await page.locator('#audit-results td', { hasText: 'user:ada' }).first().waitFor();
    expect(await page.locator('#audit-results tbody tr').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'console-audit');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#audit-csv').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('Number,Time,Who,Action,On,Id,Details,Redacted'); // the console's language (en-GB here)
    expect(csv).toContain('user:ada,login,user');
    expect((await sys.box.centre.store.searchAudit({ actions: ['audit_exported'] })).total).toBe(1);

    await page.goto(`${sys.base}/#/admin/workers`);
    await page.locator('.admin-list td', { hasText: 'Alice Martin' }).click();
    await page.locator('#personal-data').waitFor();
    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#export-json').click()]);
    const data = JSON.parse(readFileSync(await json.path(), 'utf8')) as { worker: { name: string }; alarms: unknown[] };
    expect(data.worker.name).toBe('Alice Martin');
    expect(data.alarms.length).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'console-personal-data', { fullPage: true });
    // Alice's SOS is still open: the erasure is refused, and says why
    page.once('dialog', (d) => void d.accept('alice'));
    await page.locator('#erase').click();
    await page.locator('.toast', { hasText: 'still open' }).waitFor();
    expect(await sys.box.centre.store.getWorker('alice')).toBeDefined();
    expect(problems(page).filter((p) => !/409 \(Conflict\).*\/api\/workers\/alice\/erase/.test(p))).toEqual([]);
    await page.close();
  });

  it('works at phone width (390×844) without sideways scrolling', async () => {
    const page = await openConsole(web, sys.base, OPERATOR, { viewport: PHONE, mobile: true });
    await page.locator('.alarm-card').nth(2).waitFor();
    expect(await contentWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'console-phone-queue');
    await page.locator('.alarm-card[data-type=sos][data-state=raised], .alarm-card[data-type=fall][data-state=raised]').first().click();
    await page.locator('#acknowledge').waitFor();
    await page.locator('#map.leaflet-container .leaflet-interactive').first().waitFor();
    expect(await contentWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'console-phone-alarm');
    await page.locator('#acknowledge').click();
    await page.locator('#alarm-state[data-state=acknowledged]').waitFor();
    for (const view of ['history', 'stats', 'account']) {
      await page.goto(`${sys.base}/#/${view}`);
      await page.locator(view === 'history' ? '#results table' : view === 'stats' ? '.kpi.total' : '.account form').waitFor();
      expect([view, (await contentWidth(page)) <= PHONE.width]).toEqual([view, true]);
    }
    await page.goto(`${sys.base}/#/history`);
    await page.locator('#results table').waitFor();
    await screenshot(page, 'console-phone-history');
    expect(problems(page)).toEqual([]);
    await page.close();
  });
});
