/**
 * Administration and supervisor scoping through the console in real headless Chromium, on a real
 * centre (SQLite, HTTP on loopback, virtual clock): an admin creates a site, a worker, a ladder with
 * two steps, uploads a floor plan, and creates a supervisor scoped to that site; the supervisor then
 * sees only that site's alarm and worker in the queue and the history.
 */
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call } from '../helpers/http';
import { openBrowser, problems, screenshot, PHONE, type WebBrowser } from './browser';
import { openEditor as create, PLAN_SVG, saveEditor as save } from './console-helpers';

const ADA = { username: 'ada', password: 'ada-pass-12' };
const SUE = { username: 'sue', password: 'sue-pass-123' };

async function logIn(web: WebBrowser, base: string, who: { username: string; password: string }, phone = false): Promise<Page> {
  const page = await web.page(phone ? { viewport: PHONE, mobile: true, locale: 'en-GB' } : { locale: 'en-GB' });
  page.setDefaultTimeout(10_000);
  await page.goto(base + '/');
  await page.locator('#login input[name=username]').fill(who.username);
  await page.locator('#login input[name=password]').fill(who.password);
  await page.locator('#login button[type=submit]').click();
  await page.locator('body[data-live=live]').waitFor({ state: 'attached' });
  return page;
}


describe('console administration and supervisor scope (Chromium)', () => {
  let web: WebBrowser;
  let h: Harness;

  beforeAll(async () => {
    web = await openBrowser();
    h = await startHarness({ http: true });
    await h.centre.auth.createUser({ ...ADA, role: 'admin', name: 'Ada Admin' });
    await h.centre.store.putEntity('contact', { id: 'pete', name: 'Porter Pete', kind: 'person', siteId: null, phone: '+44 7700 900001', email: null, webhookUrl: null, language: null });
  });
  afterAll(async () => {
    await web?.close();
    await h?.stop();
  });

  it('creates a site, a worker, a ladder and a floor plan, and a supervisor scoped to the site', async () => {
    const page = await logIn(web, h.base, ADA);
    await create(page, 'sites', { id: 'north', name: 'North yard', timeZone: 'Europe/Oslo' });
    await save(page);
    expect(await h.centre.store.getSite('north')).toMatchObject({ name: 'North yard', timeZone: 'Europe/Oslo' });

    await create(page, 'ladders', { id: 'yard', name: 'Yard ladder' });
    await page.locator('#edit-form button', { hasText: 'Add step' }).click();
    await page.locator('#edit-form button', { hasText: 'Add step' }).click();
    const rows = page.locator('#edit-form .step-row');
    await rows.nth(0).locator('[name=contact]').selectOption('@worker');
    await rows.nth(1).locator('[name=contact]').selectOption('pete');
    await rows.nth(1).locator('[name=timeout]').fill('90');
    await save(page);
    expect((await h.centre.store.getEntity('ladder', 'yard'))!.steps).toEqual([
      { contactId: '@worker', channel: 'sms', timeoutS: 120 }, { contactId: 'pete', channel: 'sms', timeoutS: 90 },
    ]);

    await create(page, 'workers', { id: 'nora', name: 'Nora North', phone: '+44 7700 900555', siteId: 'north', ladderId: 'yard', language: 'nb' });
    await save(page);
    expect(await h.centre.store.getWorker('nora')).toMatchObject({ name: 'Nora North', siteId: 'north', ladderId: 'yard', teamId: null, language: 'nb' });

    // The site's floor plan, from its editor.
    await page.goto(`${h.base}/#/admin/sites`);
    await page.locator('.admin-list tr', { hasText: 'North yard' }).click();
    await page.locator('.plans input[name=widthM]').fill('48');
    await page.locator('.plans input[name=heightM]').fill('30');
    await page.locator('.plans input[name=image]').setInputFiles({ name: 'north.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(PLAN_SVG) });
    await page.locator('.plans button[type=submit]').click();
    await page.locator('.plan-list li', { hasText: '48 × 30 m' }).waitFor();
    expect((await h.centre.store.listFloorPlans('north')).map((p) => [p.floor, p.widthM, p.heightM])).toEqual([['0', 48, 30]]);

    // Edit and delete: a zone on the plan, renamed, then removed; a team created then deleted.
    await create(page, 'zones', { id: 'gate', name: 'Gate', siteId: 'north', floor: '0', x: '10', y: '5', w: '4', h: '3' });
    await save(page);
    expect(await h.centre.store.getEntity('zone', 'gate')).toMatchObject({ siteId: 'north', floor: '0', x: 10, y: 5, w: 4, h: 3, lat: null });
    await page.locator('.admin-list tr', { hasText: 'Gate' }).click();
    await page.locator('#edit-form input[name=name]').fill('Main gate');
    await save(page);
    expect((await h.centre.store.getEntity('zone', 'gate'))!.name).toBe('Main gate');
    await create(page, 'teams', { id: 'night', name: 'Night shift' });
    await save(page);
    await page.locator('.admin-list tr', { hasText: 'Night shift' }).click();
    page.once('dialog', (d) => void d.accept());
    await page.locator('#edit-form button.danger').click();
    await page.locator('.admin-list tr', { hasText: 'Night shift' }).waitFor({ state: 'detached' });
    expect(await h.centre.store.getEntity('team', 'night')).toBeUndefined();

    await create(page, 'users', { username: SUE.username, name: 'Sue Supervisor', password: SUE.password, role: 'supervisor' });
    await page.locator('#edit-form input[data-kind=sites][value=north]').check();
    await screenshot(page, 'console-admin-user');
    await save(page);
    expect((await h.centre.store.getUserByName('sue'))!.scope).toEqual({ siteIds: ['north'], teamIds: [] });
    // A password reset from the user's editor: the new one works.
    await page.locator('.admin-list tr', { hasText: 'Sue Supervisor' }).click();
    await page.locator('.password-reset input[name=reset]').fill('sue-new-pass-1');
    await page.locator('.password-reset button[type=submit]').click();
    await page.locator('.toast', { hasText: 'Password reset' }).waitFor();
    expect((await call(h.base, 'POST', '/api/login', { body: { username: 'sue', password: 'sue-new-pass-1' } })).status).toBe(200);
    await page.locator('.password-reset input[name=reset]').fill(SUE.password);
    const [reset] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/password') && r.request().method() === 'POST'),
      page.locator('.password-reset button[type=submit]').click(),
    ]);
    expect(reset.ok()).toBe(true);
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('shows a supervisor only the alarms and workers of their scope, on a phone too', async () => {
    const nora = { id: '0000c0de', key: '1e'.repeat(16), board: 'puckjs' as const, workerId: 'nora', siteId: 'north', createdAt: h.clock.now(), lastCounter: -1, lastSeenAt: null, batteryPct: null };
    await h.centre.store.addDevice(nora);
    await h.frame('sos'); // Wendy, site A: not Sue's
    await h.frame('sos', {}, nora);
    const page = await logIn(web, h.base, SUE, true);
    await page.locator('.alarm-card').first().waitFor();
    const cards = await page.locator('.alarm-card').allInnerTexts();
    expect(cards).toHaveLength(1);
    expect(cards[0]).toContain('Nora North');
    const workers = await page.locator('.workers tbody tr').allInnerTexts();
    expect(workers.join('\n')).toContain('Nora North');
    expect(workers.join('\n')).not.toContain('Wendy');
    await screenshot(page, 'console-phone-supervisor');
    await page.goto(`${h.base}/#/history`);
    await page.locator('#history-total').waitFor();
    await expect(page.locator('#history-total').innerText()).resolves.toBe('1 alarm');
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('pages the audit log 50 entries at a time, the search starting again at the first page', async () => {
    const at = h.clock.now() - 3_600_000;
    for (let i = 0; i < 60; i++) await h.centre.store.appendAudit({ at: at + i, actor: 'user:pager', action: 'worker_saved', entity: 'worker', entityId: `w${i}` });
    const page = await logIn(web, h.base, ADA);
    await page.goto(`${h.base}/#/audit`);
    await page.locator('#audit-form select[name=action]').selectOption('worker_saved');
    await page.locator('#audit-form input[name=actor]').fill('user:pager');
    await page.locator('#audit-form button[type=submit]').click();
    await page.locator('#audit-total', { hasText: '60' }).waitFor();
    const pager = page.locator('#audit-results nav.pager');
    await expect(pager.locator('span').innerText()).resolves.toBe('1–50 of 60');
    expect(await page.locator('#audit-results tbody tr').count()).toBe(50);
    await expect(pager.locator('button').first().isDisabled()).resolves.toBe(true);
    await pager.locator('button').last().click();
    await pager.locator('span', { hasText: '51–60 of 60' }).waitFor();
    expect(await page.locator('#audit-results tbody tr').count()).toBe(10);
    await expect(page.locator('#audit-results tbody tr').last().innerText()).resolves.toContain('worker w0');
    await expect(pager.locator('button').last().isDisabled()).resolves.toBe(true);
    await page.locator('#audit-form button[type=submit]').click(); // a new search: the first page again
    await pager.locator('span', { hasText: '1–50 of 60' }).waitFor();
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('tells on the alarm page who was notified and how each answered', async () => {
    const alarm = (await h.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.workerId === 'nora')!;
    await h.advance(121_000); // Nora does not answer her own step: the ladder moves on to Pete
    h.sms.reply('+44 7700 900001', 'accepted');
    await h.settle();
    const page = await logIn(web, h.base, SUE);
    await page.goto(`${h.base}/#/alarm/${alarm.id}`);
    const timeline = page.locator('#timeline');
    await timeline.locator('li', { hasText: 'Porter Pete accepted (coming)' }).waitFor();
    const text = await timeline.innerText();
    expect(text).toContain('Step 1 of 2: Nora North by SMS');
    expect(text).toContain('Nora North: no answer');
    expect(text).toContain('Step 2 of 2: Porter Pete by SMS');
    await expect(page.locator('.plan').innerText()).resolves.toMatch(/Nora North[\s\S]*no answer[\s\S]*Porter Pete[\s\S]*accepted/);
    await screenshot(page, 'console-alarm-ladder', { fullPage: true });
    // An SMS to the worker through the centre's modem, written on the page.
    await page.locator('form.sms-form textarea[name=text]').fill('Nora, Pete is on his way to you.');
    await page.locator('form.sms-form button[type=submit]').click();
    await page.locator('#timeline li', { hasText: 'SMS to the worker by sue' }).waitFor();
    await h.settle();
    expect(h.sms.sent.filter((n) => n.to === '+44 7700 900555').map((n) => n.text)).toContain('Nora, Pete is on his way to you.');
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('shows a GPS position on a blank grid with a scale when no map tiles are configured', async () => {
    await h.frame('fall', { position: { kind: 'gps', lat: 51.50136, lon: -0.14189 } });
    const alarm = (await h.centre.store.listAlarms({ states: ['pending', 'raised'] })).find((a) => a.type === 'fall')!;
    const page = await logIn(web, h.base, ADA);
    await page.goto(`${h.base}/#/alarm/${alarm.id}`);
    await page.locator('#map.leaflet-container.blank[data-kind=map] .leaflet-interactive').first().waitFor();
    await page.locator('#map .leaflet-control-scale').waitFor();
    expect(await page.locator('#map img.leaflet-tile').count()).toBe(0); // nothing fetched from a tile server
    await expect(page.locator('#map .worker-label').innerText()).resolves.toBe('Wendy Worker');
    await screenshot(page, 'console-alarm-gps');
    expect(problems(page)).toEqual([]);
    await page.close();
  });
});
