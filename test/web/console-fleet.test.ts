/**
 * The console's Fleet page in real headless Chromium, on the real path (broker, gateway, centre on
 * loopback sockets, pendants running the built firmware on the virtual air and virtual time): every
 * pendant with its firmware version as its heartbeats report it; an admin opens one, changes two
 * settings, sees them pending, and — once the pendant has applied and acknowledged them over the air —
 * applied, with the new settings hash. An operator sees the same page without the controls. Saves
 * the screenshots of docs/console.md.
 */
import type { VirtualClock } from '../../common/clock';
import type { LiveEvent } from '../../centre/src/domain/live';
import { pumpUntil } from '../../simulator/src/scenario/clock-pump';
import { parseScenario } from '../../simulator/src/scenario/schema';
import { openBrowser, problems, screenshot, type WebBrowser } from './browser';
import { ADMIN, type ConsoleSystem, openConsole, OPERATOR, startSystem } from './console-helpers';

const STORY = parseScenario(`
name: console-fleet
description: Two pendants at work, no alarm, for the Fleet page.
durationS: 15
site: { id: demo-site, name: Demo warehouse }
gateways:
  - { id: gw-1, x: 0, y: 0 }
workers:
  - { id: alice, name: Alice Martin, board: puckjs, x: 4, y: 3.5, idle: stand }
  - { id: bram, name: Bram de Vries, board: bangle2, x: 6, y: 4, idle: stand }
script:
  - { at: 1, worker: alice, do: stand }
expect: [{ alarms: 0 }]
`, 'console-fleet');

describe('console: the fleet and remote pendant settings (Chromium)', () => {
  let web: WebBrowser;
  let sys: ConsoleSystem;
  let clock: VirtualClock;

  beforeAll(async () => {
    web = await openBrowser();
    sys = await startSystem(STORY);
    await sys.run.play();
    clock = (sys.run as unknown as { opts: { clock: VirtualClock } }).opts.clock;
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await sys?.stop();
  });

  it('shows each pendant\'s firmware; an admin\'s change goes from pending to applied as the pendant acknowledges it', async () => {
    const alice = (await sys.box.centre.store.listDevices()).find((d) => d.workerId === 'alice')!;
    const page = await openConsole(web, sys.base, ADMIN);
    await page.goto(`${sys.base}/#/fleet`);
    const rows = page.locator('.fleet-list tbody tr');
    // the list, or the error the page shows instead (so a failure here says why)
    await rows.nth(1).or(page.locator('.fleet-list p.error')).first().waitFor();
    expect(await page.locator('.fleet-list p.error').allInnerTexts()).toEqual([]);
    expect(await rows.count()).toBe(2);
    expect(await page.locator('.fleet-list td.firmware').allInnerTexts()).toEqual(['1.1', '1.1']);

    await page.locator('.fleet-list tbody tr', { hasText: 'Alice Martin' }).click();
    await page.locator('#settings-form').waitFor();
    await page.locator('#settings-form input[name=tiltS]').fill('20');
    await page.locator('#settings-form input[name=sens]').fill('4');
    // the pendant's clamp is the form's range (the API refuses it too): a value it would clamp is not sent
    await page.locator('#settings-form input[name=pre]').fill('50');
    await page.locator('#settings-form button[type=submit]').click();
    expect(await page.locator('#settings-form input[name=pre]:invalid').count()).toBe(1);
    expect((await sys.box.centre.settings.view(alice.id)).state).toBe('unmanaged');
    await page.locator('#settings-form input[name=pre]').fill('');
    let applied = false;
    const off = sys.box.centre.live.subscribe((e: LiveEvent) => {
      if (e.type === 'device' && e.deviceId === alice.id) {
        void sys.box.centre.settings.view(alice.id).then((v) => (applied ||= v.state === 'applied'));
      }
    });
    await page.locator('#settings-form button[type=submit]').click();
    await page.locator('#device-settings .settings-pending').first().waitFor();
    expect(await page.locator('#device-settings tr[data-setting=tiltS]').getAttribute('data-state')).toBe('pending');
    await page.locator('h1').scrollIntoViewIfNeeded(); // else the sticky header is drawn mid-page
    await screenshot(page, 'console-fleet-pending', { fullPage: true });

    // virtual time runs: the settings go over the air, one per acknowledgement
    await pumpUntil(clock, clock.now() + 30_000, { until: () => applied });
    off();
    expect(applied).toBe(true);
    await page.locator('#device-settings .settings-applied').first().waitFor();
    expect(await page.locator('#device-settings tr[data-setting=tiltS] td.in-force').innerText()).toBe('20 s');
    expect(await page.locator('#device-settings tr[data-setting=sens]').getAttribute('data-state')).toBe('applied');
    const v = await sys.box.centre.settings.view(alice.id);
    expect(await page.locator('#device-settings').innerText()).toContain(v.settingsHash!);
    await page.locator('h1').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-fleet', { fullPage: true });
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it('shows an operator the same page without the controls to change settings', async () => {
    const page = await openConsole(web, sys.base, OPERATOR);
    await page.goto(`${sys.base}/#/fleet`);
    await page.locator('.fleet-list tbody tr', { hasText: 'Bram de Vries' }).click();
    await page.locator('#settings-form').waitFor();
    expect(await page.locator('#settings-form input, #settings-form select').count()).toBe(0);
    expect(await page.locator('#settings-form button[type=submit]').count()).toBe(0);
    expect(problems(page)).toEqual([]);
    await page.close();
  });
});
