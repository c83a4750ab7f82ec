/**
 * The live map in real headless Chromium on a real centre (SQLite, HTTP on loopback, virtual clock),
 * pendants' frames through the real ingest: a protected worker's pin appears on the site's floor plan
 * at their beacon's zone and moves with them, a GPS fix shows outdoors, the pin goes when protection
 * ends; a worker who is not protected never appears, whatever their pendant sends; a supervisor sees
 * a worker only during an alarm; at phone width the page fits.
 */
import type { Page } from 'playwright-core';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';
import type { DeviceRecord } from '../../centre/src/store/types';
import { openBrowser, problems, screenshot, DESKTOP, PHONE, type WebBrowser } from './browser';
import { PLAN_SVG } from './console-helpers';

const OLGA = { username: 'olga', password: 'olga-pass-1' };
const SUE = { username: 'sue', password: 'sue-pass-123' };
const beacon = (minor: number): number => (12 << 16) | minor;
const ZONES = [
  { id: 'loading-bay', name: 'Loading bay', x: 6, y: 7, w: 12, h: 13, minor: 1 },
  { id: 'offices', name: 'Offices', x: 6, y: 23, w: 12, h: 14, minor: 2 },
  { id: 'workshop', name: 'Workshop', x: 26.5, y: 23.5, w: 13, h: 13, minor: 4 },
];

async function logIn(web: WebBrowser, base: string, who: { username: string; password: string }, phone = false): Promise<Page> {
  const page = await web.page(phone ? { viewport: PHONE, mobile: true, locale: 'en-GB' } : { viewport: DESKTOP, locale: 'en-GB' });
  page.setDefaultTimeout(10_000);
  await page.goto(base + '/');
  await page.locator('#login input[name=username]').fill(who.username);
  await page.locator('#login input[name=password]').fill(who.password);
  await page.locator('#login button[type=submit]').click();
  await page.locator('body[data-live=live]').waitFor({ state: 'attached' });
  await page.goto(base + '/#/map');
  await page.locator('.map-page[data-loaded=yes]').waitFor({ state: 'attached' });
  return page;
}

/** A position frame, and the 10 ms in which status frames are committed in groups. */
async function heard(h: Harness, position: NonNullable<Parameters<Harness['frame']>[1]>['position'], device?: DeviceRecord): Promise<void> {
  await h.frame('position', { position }, device);
  await h.advance(20);
}

const pin = (page: Page, worker: string) => page.locator(`#live-map .pin[data-worker=${worker}]`);
const placeOf = (page: Page, worker: string) => page.locator(`#live-map .leaflet-marker-icon:has(.pin[data-worker=${worker}])`);

describe('live map (Chromium)', () => {
  let web: WebBrowser;
  let h: Harness;
  let bram: DeviceRecord;
  let carl: DeviceRecord;

  beforeAll(async () => {
    web = await openBrowser();
    h = await startHarness({ http: true });
    const store = h.centre.store;
    await h.centre.auth.createUser({ ...OLGA, role: 'operator', name: 'Olga Operator' });
    await h.centre.auth.createUser({ ...SUE, role: 'supervisor', name: 'Sue Supervisor', scope: { siteIds: [SITE], teamIds: [] } });
    for (const z of ZONES) {
      await store.putEntity('zone', { id: z.id, siteId: SITE, name: z.name, floor: '0', lat: null, lon: null, x: z.x, y: z.y, w: z.w, h: z.h });
      await store.putEntity('beacon', { id: String(beacon(z.minor)), siteId: SITE, zoneId: z.id, name: null });
    }
    await h.centre.positions.refresh();
    await store.upsertWorker({ id: 'w2', name: 'Bram Builder', phone: null, siteId: SITE });
    await store.upsertWorker({ id: 'w3', name: 'Carl Contractor', phone: null, siteId: SITE });
    bram = { ...h.device, id: '0000cafe', workerId: 'w2' };
    carl = { ...h.device, id: '0000f00d', workerId: 'w3' };
    await store.addDevice(bram);
    await store.addDevice(carl);
    await h.centre.auth.createUser({ username: 'ada', password: 'ada-pass-12', role: 'admin', name: 'Ada Admin' });
    const ada = await login(h.base, 'ada', 'ada-pass-12');
    const res = await fetch(`${h.base}/api/sites/${SITE}/plans/0?widthM=48&heightM=30`, { method: 'PUT', headers: { authorization: `Bearer ${ada}`, 'content-type': 'image/svg+xml' }, body: PLAN_SVG });
    expect([200, 201]).toContain(res.status);
  });
  afterAll(async () => {
    await web?.close();
    await h?.stop();
  });

  it('shows a protected worker at their zone, moves them, shows GPS outdoors, and drops them when protection ends; the unprotected never appear', async () => {
    const page = await logIn(web, h.base, OLGA);
    await page.locator('.map-list li.empty').waitFor();
    // Carl is not protected: his pendant's positions are not kept, so he never appears.
    await heard(h, { kind: 'beacon', beaconId: beacon(4), rssiDbm: -60, ageS: 2 }, carl);
    await heard(h, { kind: 'gps', lat: 59.91, lon: 10.75 }, carl);

    await h.frame('protection_on');
    await h.frame('heartbeat', { position: { kind: 'beacon', beaconId: beacon(1), rssiDbm: -61, ageS: 2 } });
    await h.advance(20); // heartbeats are committed in groups every 10 ms
    await placeOf(page, 'w1').and(page.locator('[data-place=loading-bay]')).waitFor();
    await page.locator('.map-list li[data-worker=w1]', { hasText: 'Loading bay' }).waitFor();
    expect(await page.locator('#map-view').inputValue()).toBe(`${SITE}|0`);

    // Moves: another zone, the same pin.
    await h.advance(5000);
    await h.frame('heartbeat', { position: { kind: 'beacon', beaconId: beacon(2), rssiDbm: -58, ageS: 2 } });
    await h.advance(20);
    await placeOf(page, 'w1').and(page.locator('[data-place=offices]')).waitFor();
    expect(await pin(page, 'w1').count()).toBe(1);

    // Bram, protected outdoors: in the list, and on the outdoor map.
    await h.frame('protection_on', {}, bram);
    await heard(h, { kind: 'gps', lat: 59.9127, lon: 10.7461 }, bram);
    await page.locator('.map-list li[data-worker=w2]', { hasText: 'GPS 59.9127' }).waitFor();
    await screenshot(page, 'console-map');
    await page.locator('.map-list li[data-worker=w2]').click();
    await pin(page, 'w2').waitFor();
    expect(await page.locator('#map-view').inputValue()).toBe('geo');
    await heard(h, { kind: 'gps', lat: 59.9131, lon: 10.7470 }, bram);
    await page.locator('.map-list li[data-worker=w2]', { hasText: 'GPS 59.9131' }).waitFor();
    await page.locator('#map-view').selectOption(`${SITE}|0`);
    await pin(page, 'w1').waitFor();

    // Protection ends: the pin goes, and so does the list entry.
    await h.frame('protection_off');
    await pin(page, 'w1').waitFor({ state: 'detached' });
    await page.locator('.map-list li[data-worker=w1]').waitFor({ state: 'detached' });
    await page.locator('.map-list li[data-worker=w2]').waitFor();
    expect(await page.locator('[data-worker=w3]').count()).toBe(0);
    const api = await call(h.base, 'GET', '/api/console/map', { token: await login(h.base, OLGA.username, OLGA.password) });
    expect((api.body as { workers: { id: string }[] }).workers.map((w) => w.id)).toEqual(['w2']);
    expect(problems(page)).toEqual([]);
    await page.context().close();
    await h.frame('protection_off', {}, bram);
  });

  it('a supervisor sees a worker only during an alarm of theirs, and the page fits a phone', async () => {
    await h.advance(60_000);
    await h.frame('protection_on', {}, bram);
    await heard(h, { kind: 'beacon', beaconId: beacon(4), rssiDbm: -62, ageS: 2 }, bram);
    const page = await logIn(web, h.base, SUE, true);
    await page.locator('.map-list li.empty').waitFor();
    await h.frame('sos', {}, bram);
    await pin(page, 'w2').waitFor();
    await page.locator('.map-list li[data-worker=w2][data-status=alarm]', { hasText: 'Workshop' }).waitFor();
    // Positions during the alarm follow the worker.
    await h.advance(3000);
    await heard(h, { kind: 'beacon', beaconId: beacon(2), rssiDbm: -57, ageS: 2 }, bram);
    await placeOf(page, 'w2').and(page.locator('[data-place=offices]')).waitFor();
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    const box = (await page.locator('#live-map').boundingBox())!;
    expect(box.width).toBeGreaterThan(PHONE.width - 40);
    expect(box.height).toBeGreaterThan(250);
    await screenshot(page, 'console-map-phone');
    // The alarm ends: the supervisor no longer sees where the (still protected) worker is.
    const [alarm] = await h.centre.store.listAlarms({ states: ['raised'] });
    const r = await h.centre.alarms.resolve(alarm!.id, 'user:olga', 'false_alarm', 'pressed by mistake');
    expect(r.ok).toBe(true);
    await pin(page, 'w2').waitFor({ state: 'detached' });
    await page.locator('.map-list li.empty').waitFor();
    expect(problems(page)).toEqual([]);
  });
});
