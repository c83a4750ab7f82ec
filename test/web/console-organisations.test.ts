/**
 * Customer organisations in the console, in real headless Chromium on a real centre (issue 21 part
 * 1): the centre's own admin creates an organisation, a site of it and its admin, and sees every
 * record's organisation with a filter; that organisation's admin then sees only their organisation —
 * no organisations page, no organisation column, not the default organisation's site or worker — and
 * what they create is theirs. The history of the centre's staff filters by organisation, their
 * statistics have a table per organisation.
 */
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { openBrowser, problems, screenshot, type WebBrowser } from './browser';
import { openConsole as logIn, openEditor, saveEditor } from './console-helpers';

async function create(page: Page, section: string, fields: Record<string, string>): Promise<void> {
  await openEditor(page, section, fields);
  await saveEditor(page);
}

const STAFF = { username: 'cora', password: 'cora-pass-123' };
const ACME = { username: 'acme-admin', password: 'acme-pass-123' };

describe('customer organisations in the console (Chromium)', () => {
  let web: WebBrowser;
  let h: Harness;

  beforeAll(async () => {
    web = await openBrowser();
    h = await startHarness({ http: true });
    await h.centre.auth.createUser({ ...STAFF, role: 'admin', name: 'Cora Centre' });
  });
  afterAll(async () => {
    await web?.close();
    await h?.stop();
  });

  it('lets the centre\'s admin create an organisation with its site and admin, and shows each record\'s organisation', async () => {
    const page = await logIn(web, h.base, STAFF);
    await create(page, 'organisations', { id: 'acme', name: 'Acme Security' });
    expect(await h.centre.store.getOrganisation('acme')).toMatchObject({ name: 'Acme Security' });
    await create(page, 'sites', { organisationId: 'acme', id: 'acme-hq', name: 'Acme HQ' });
    expect(await h.centre.store.getSite('acme-hq')).toMatchObject({ organisationId: 'acme' });
    await create(page, 'users', { organisationId: 'acme', username: ACME.username, name: 'Alan Acme', password: ACME.password, role: 'admin' });
    expect(await h.centre.store.getUserByName(ACME.username)).toMatchObject({ organisationId: 'acme', role: 'admin' });

    await page.goto(`${h.base}/#/admin/sites`);
    const rows = page.locator('.admin-list tbody tr');
    await rows.filter({ hasText: 'Acme HQ' }).waitFor();
    expect(await rows.filter({ hasText: 'Acme HQ' }).innerText()).toContain('Acme Security');
    expect(await rows.filter({ hasText: 'Site A' }).innerText()).toContain('Default organisation');
    await page.locator('#organisation-filter').selectOption('acme');
    await rows.filter({ hasText: 'Site A' }).waitFor({ state: 'detached' });
    expect(await rows.allInnerTexts()).toHaveLength(1);
    await screenshot(page, 'console-admin-organisations');
    await page.locator('#organisation-filter').selectOption('');
    await rows.filter({ hasText: 'Site A' }).waitFor();

    await page.goto(`${h.base}/#/admin/organisations`);
    await page.locator('.admin-list tbody tr', { hasText: 'Acme Security' }).waitFor();
    await page.goto(`${h.base}/#/history`);
    await page.locator('#history-form select[name=organisationId]').waitFor();
    await h.frame('sos'); // the default organisation's alarm, in the statistics per organisation
    await page.goto(`${h.base}/#/stats`);
    await page.locator('#by-organisation tbody tr', { hasText: 'Default organisation' }).waitFor();
    // the operator screen: the default organisation's alarm and worker, gone when another organisation is chosen
    await page.goto(`${h.base}/#/`);
    await page.locator('.alarm-card').first().waitFor();
    await page.locator('.workers tbody tr', { hasText: 'Wendy' }).waitFor();
    await page.locator('#filter-organisation').selectOption('acme');
    await page.locator('.alarm-card').first().waitFor({ state: 'detached' });
    expect(await page.locator('.workers tbody tr', { hasText: 'Wendy' }).count()).toBe(0);
    await page.locator('#filter-organisation').selectOption('default');
    await page.locator('.alarm-card').first().waitFor();
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('shows an organisation\'s admin only their organisation, and files what they create under it', async () => {
    const page = await logIn(web, h.base, ACME);
    await page.goto(`${h.base}/#/admin/sites`);
    await page.locator('.admin-list tbody tr', { hasText: 'Acme HQ' }).waitFor();
    const text = await page.locator('.page.admin').innerText();
    expect(text).not.toContain('Site A');
    expect(text).not.toContain('Organisations');
    expect(await page.locator('#organisation-filter').count()).toBe(0);
    await create(page, 'workers', { id: 'al', name: 'Al Acme', siteId: 'acme-hq' });
    expect(await h.centre.store.getWorker('al')).toMatchObject({ organisationId: 'acme' });
    await page.goto(`${h.base}/#/admin/workers`);
    await page.locator('.admin-list tbody tr', { hasText: 'Al Acme' }).waitFor();
    expect(await page.locator('.admin-list').innerText()).not.toContain('Wendy');
    await screenshot(page, 'console-admin-organisation-admin');
    await page.goto(`${h.base}/#/admin/organisations`);
    await page.locator('.admin-list h2', { hasText: 'Workers' }).waitFor();
    await page.goto(`${h.base}/#/stats`);
    await page.locator('#answered').waitFor();
    expect(await page.locator('#by-organisation').count()).toBe(0);
    expect(problems(page)).toEqual([]);
    await page.close();
  });
});
