/**
 * The responder page /r/<token> in real headless Chromium at phone size, for alarms from a pendant
 * (the app's own path is in app-alarm.test.ts): "I can't" moves the ladder on at once, exactly like
 * an SMS answer; a phone's position on the centre's map tiles, a pendant's zone from its beacon, each
 * with its age; a silent (duress) alarm hides the worker's phone and says not to call; the page
 * follows the browser's language; a link past its lifetime is the same bare 404 as a wrong one.
 */
import { type Harness, SITE } from '../helpers/centre-harness';
import { openBrowser, PHONE, problems, type WebBrowser } from './browser';
import { call } from '../helpers/http';
import { nextAlarm, PIA, startAppCentre, text } from './app-helpers';

const SUE = '+447700900100';
const ARC = '+442079460000';
const HERE = { lat: 51.50136, lon: -0.14189 };
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('responder page (Chromium, 390×844)', () => {
  let h: Harness;
  let web: WebBrowser;

  beforeAll(async () => {
    web = await openBrowser();
  });
  afterAll(async () => web.close());
  beforeEach(async () => {
    ({ h } = await startAppCentre());
  });
  afterEach(async () => h.stop());

  /** Wendy's pendant sends `type`; resolves with the alarm and the link token of the first contact sent it. */
  async function pendantAlarm(type: 'sos' | 'duress'): Promise<{ number: string; id: string; token: string }> {
    const raised = nextAlarm(h, (a) => a.state === 'raised', 'the alarm');
    await h.frame(type);
    const alarm = await raised;
    await h.settle();
    const sms = h.sms.sent[0];
    if (!sms?.link) throw new Error(`no SMS with a link: ${JSON.stringify(h.sms.sent)}`);
    return { number: alarm.number, id: alarm.id, token: sms.link.split('/r/')[1]! };
  }

  async function open(token: string, locale?: string) {
    const page = await web.page({ viewport: PHONE, mobile: true, ...(locale ? { locale } : {}) });
    page.setDefaultTimeout(10_000);
    await page.clock.install({ time: h.clock.now() });
    const res = await page.goto(`${h.base}/r/${token}`);
    expect(res!.status()).toBe(200);
    await page.locator('#alarm').waitFor();
    return page;
  }

  it("I can't: the next step of the ladder is called at once, as for an SMS answer", async () => {
    const a = await pendantAlarm('sos');
    expect(h.sms.sent.map((m) => m.to)).toEqual([SUE]);
    const page = await open(a.token);
    expect(await text(page, '#title')).toBe('Alarm: Wendy Worker');
    expect(await text(page, '#worker')).toBe('Wendy Worker · +44 7700 900123');
    expect(await text(page, '#where')).toBe('No position known');
    expect(await text(page, '#number')).toBe(`Alarm ${a.number}`);
    expect(await page.locator('#duress').isVisible()).toBe(false);

    await page.locator('#reject').click();
    await page.locator('#answered', { hasText: "You said you can't come. The next person is being called." }).waitFor();
    await h.settle();
    // No waiting out Sue's 120 s: the fallback (the monitoring centre) is sent the alarm now.
    expect(h.sms.sent.map((m) => m.to)).toEqual([SUE, ARC]);
    expect(h.sms.sent[1]!.text).toContain(`VIGIL ALARM ${a.number}`);
    expect((await h.centre.store.getAlarm(a.id))!.state).toBe('raised');
    await page.reload();
    await page.locator('#contacted li', { hasText: "Sue Supervisor (SMS): can't come" }).waitFor();
    expect(await page.locator('#reject').isVisible()).toBe(false);
    // Having said no, they can still accept after all.
    const acknowledged = nextAlarm(h, (x) => x.state === 'acknowledged', 'the late acceptance');
    await page.locator('#accept').click();
    expect((await acknowledged).acknowledgedBy).toBe('contact:Sue Supervisor');
    expect(problems(page)).toEqual([]);
  });

  it("shows a phone's position on the centre's map tiles, with its accuracy and age", async () => {
    await h.stop();
    ({ h } = await startAppCentre({ tileUrl: '/tiles/{z}/{x}/{y}.png' }));
    const pia = (await call<{ token: string }>(h.base, 'POST', '/api/app/login', { body: { username: PIA.username, password: PIA.password } })).body.token;
    const raised = nextAlarm(h, (x) => x.state === 'raised', 'the alarm');
    const sent = await call(h.base, 'POST', '/api/app/events', { token: pia, body: { key: 'responder-map-1', kind: 'alarm', alarmType: 'sos', position: { lat: HERE.lat, lon: HERE.lon, accuracyM: 25, takenAt: h.clock.now() } } });
    expect(sent.status).toBe(201);
    await raised;
    await h.settle();
    const token = h.sms.sent[0]!.link!.split('/r/')[1]!;

    const page = await web.page({ viewport: PHONE, mobile: true });
    page.setDefaultTimeout(10_000);
    // The centre's tile server, played by the test: every tile is a 1×1 PNG, and the test sees which were asked for.
    const asked: string[] = [];
    await page.route('**/tiles/**', async (route) => {
      asked.push(new URL(route.request().url()).pathname);
      await route.fulfill({ status: 200, contentType: 'image/png', body: Buffer.from(PNG_1PX, 'base64') });
    });
    await h.advance(5 * 60_000);
    await page.clock.install({ time: h.clock.now() });
    await page.goto(`${h.base}/r/${token}`);
    await page.locator('#map img.tile').first().waitFor();
    // The tile under the position at zoom 17 (slippy-map tile numbers, OpenStreetMap's scheme).
    const n = 2 ** 17;
    const x = Math.floor(((HERE.lon + 180) / 360) * n);
    const r = (HERE.lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
    await page.locator('#map img.tile').nth(24).waitFor({ state: 'attached' });
    expect(await page.locator('#map img.tile').count()).toBe(25);
    expect(asked).toContain(`/tiles/17/${x}/${y}.png`);
    expect(await text(page, '#map .credit')).toBe('© Test tiles');
    expect(await text(page, '#where')).toMatch(/^51\.50136, -0\.14189 \(within 25 m\)\. Position taken 5 min ago\.$/);
    expect(problems(page)).toEqual([]);
  });

  it('names the zone (and the place on the site plan) of a pendant located by a beacon, with its age', async () => {
    const beacon = (1 << 16) | 7;
    await h.centre.store.putEntity('zone', { id: 'boiler', siteId: SITE, name: 'Boiler room', floor: '-1', lat: null, lon: null, x: 12, y: 4 });
    await h.centre.store.putEntity('beacon', { id: String(beacon), siteId: SITE, zoneId: 'boiler', name: 'B7' });
    await h.centre.positions.refresh();
    await h.frame('protection_on');
    await h.frame('heartbeat', { position: { kind: 'beacon', beaconId: beacon, rssiDbm: -61, ageS: 4 } });
    await h.advance(50_000);
    const a = await pendantAlarm('sos');
    const page = await open(a.token);
    // Heard 4 s before the heartbeat, 50 s before the alarm: 54 s old.
    expect(await text(page, '#where')).toBe('Boiler room, floor -1 (site plan: 12 m, 4 m). Position taken 54 s ago.');
    expect(await page.locator('#map').isVisible()).toBe(false);
    expect(problems(page)).toEqual([]);
  });

  it('a silent alarm hides the worker\'s phone and says not to call', async () => {
    const a = await pendantAlarm('duress');
    // A silent alarm goes straight to the monitoring centre (the ladder's fallback).
    expect(h.sms.sent.map((m) => m.to)).toEqual([ARC]);
    const page = await open(a.token);
    expect(await text(page, '#duress')).toBe('SILENT ALARM: the worker may be under threat. Do NOT call them.');
    expect(await text(page, '#title')).toBe('Silent alarm: Wendy Worker');
    expect(await text(page, '#worker')).toBe('Wendy Worker');
    expect(await page.locator('#call').isVisible()).toBe(false);
    expect(await page.locator('body').innerText()).not.toContain('900123');
    expect(problems(page)).toEqual([]);
  });

  it('follows the browser\'s language', async () => {
    const a = await pendantAlarm('sos');
    const page = await open(a.token, 'fr-FR');
    await page.locator('#accept', { hasText: /./ }).waitFor();
    expect(await text(page, '#accept')).not.toBe("I accept — I'm on my way");
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('fr');
  });

  it('a link past its lifetime is the same bare 404 as a wrong one', async () => {
    // Links that live an hour (the shortest the config allows), so the virtual hour passes quickly.
    await h.stop();
    ({ h } = await startAppCentre({ responderTokenTtlH: 1 }));
    const a = await pendantAlarm('sos');
    const page = await open(a.token);
    await h.advance(3600_000 - 60_000);
    await page.reload();
    await page.locator('#alarm').waitFor();
    // Past the hour; the alarm is still open.
    await h.advance(60_000 + 1000);
    expect((await h.centre.store.getAlarm(a.id))!.state).not.toBe('resolved');
    const [expired, wrong] = await Promise.all([a.token, 'AAAAAAAAAAAAAAAAAAAAAA'].map((t) => fetch(`${h.base}/r/${t}`).then(async (r) => [r.status, await r.text()])));
    expect(expired).toEqual(wrong);
    expect(expired![0]).toBe(404);
    const [dataExpired, dataWrong] = await Promise.all([a.token, 'AAAAAAAAAAAAAAAAAAAAAA'].map((t) => fetch(`${h.base}/api/responder/${t}`).then(async (r) => [r.status, await r.text()])));
    expect(dataExpired).toEqual(dataWrong);
    expect((await fetch(`${h.base}/api/responder/${a.token}/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"answer":"accepted"}' })).status).toBe(404);
    // The open page, on its next look, says only that the link no longer works.
    await page.clock.runFor(15_000);
    await page.locator('#gone').waitFor();
    expect(await page.locator('#alarm').isVisible()).toBe(false);
  });
});
