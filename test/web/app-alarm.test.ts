/**
 * The Alarm button in real headless Chromium at phone size: a cancel within the window raises
 * nothing; without a cancel the alarm is raised with the position Chromium's geolocation override
 * gives. The responder link from the SMS opens the responder page (note, position), whose Accept
 * stops the ladder — and the worker's app then says who is coming. A wrong link is a plain 404.
 */
import type { Harness } from '../helpers/centre-harness';
import { openBrowser, PHONE, problems, screenshot, type WebBrowser } from './browser';
import { nextAlarm, openApp, pause, PIA, runFor, startAppCentre, text } from './app-helpers';

const HERE = { latitude: 51.50136, longitude: -0.14189, accuracy: 14 };

describe('worker app: alarm and responder page (Chromium, 390×844)', () => {
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

  it('raises nothing when the worker cancels within the countdown', async () => {
    const page = await openApp(web, h, PIA, { permissions: ['geolocation'], geolocation: HERE });
    await pause(page);
    const pending = nextAlarm(h, (a) => a.state === 'pending', 'the pre-alarm');
    await page.locator('#alarm-button').click();
    await page.locator('#countdown').waitFor();
    await pending;
    await runFor(page, 3_000);
    expect(await text(page, '#countdown-left')).toBe('7');
    expect(await text(page, '#countdown-text')).toBe('The alarm is sent in 7 s. Cancel if you are all right.');
    await screenshot(page, 'app-countdown');
    const cancelled = nextAlarm(h, (a) => a.state === 'cancelled', 'the cancel');
    await page.locator('#countdown-cancel').click();
    await cancelled;
    await page.locator('#countdown').waitFor({ state: 'hidden' });
    await runFor(page, 60_000);
    await h.advance(5 * 60_000);
    expect((await h.centre.store.listAlarms()).map((a) => [a.type, a.state, a.raisedAt])).toEqual([['sos', 'cancelled', null]]);
    expect(h.sms.sent).toEqual([]);
    expect(problems(page)).toEqual([]);
  });

  it('takes the countdown from the settings: at most 45 s; 0 sends the alarm at once', async () => {
    const page = await openApp(web, h, PIA, { permissions: ['geolocation'], geolocation: HERE });
    await pause(page);
    await page.locator('#open-settings').click();
    const input = page.locator('#settings input[name=countdown]');
    expect(await input.inputValue()).toBe('10');
    await input.fill('90');
    await input.dispatchEvent('change');
    expect(await input.inputValue()).toBe('45');
    await input.fill('0');
    await input.dispatchEvent('change');
    await page.locator('#settings-done').click();

    const raised = nextAlarm(h, (a) => a.state === 'raised', 'the alarm');
    await page.locator('#alarm-button').click();
    const alarm = await raised;
    // No pre-alarm first: nothing to cancel, the alarm itself with the position.
    expect(alarm).toMatchObject({ type: 'sos', workerId: PIA.id, position: { kind: 'gps', lat: HERE.latitude } });
    expect(alarm.raisedAt).toBe(alarm.createdAt);
    expect(await page.locator('#countdown').isVisible()).toBe(false);
    await page.locator(`[data-alarm="${alarm.id}"]`, { hasText: `The centre has your alarm (${alarm.number})` }).waitFor();
    expect(problems(page)).toEqual([]);
  });

  it('raises the alarm with the position of that moment; the responder accepts on the page and the worker sees who is coming', async () => {
    const page = await openApp(web, h, PIA, { permissions: ['geolocation'], geolocation: HERE });
    // A session with a note and a first contact, so the alarm has someone to call and something to say.
    await page.locator('#start-session').click();
    await page.locator('input[name=cname0]').fill('Porter Pete');
    await page.locator('input[name=cphone0]').fill('+44 7700 900001');
    await page.locator('textarea[name=note]').fill('Plant room behind the loading bay');
    await page.locator('#start-submit').click();
    await page.locator('#time-left').waitFor();
    await pause(page);

    const raised = nextAlarm(h, (a) => a.state === 'raised', 'the alarm');
    await page.locator('#alarm-button').click();
    await page.locator('#countdown').waitFor();
    await runFor(page, 10_000);
    const alarm = await raised;
    expect(alarm).toMatchObject({ type: 'sos', workerId: PIA.id, position: { kind: 'gps', lat: HERE.latitude, lon: HERE.longitude } });
    const card = `[data-alarm="${alarm.id}"]`;
    await page.locator(card, { hasText: `The centre has your alarm (${alarm.number})` }).waitFor();
    expect((await h.centre.store.listAudit('alarm', alarm.id)).find((e) => e.action === 'phone_position')?.data).toMatchObject({ accuracyM: 14 });
    expect(await text(page, card)).toContain('Your position was sent (within 14 m).');
    await screenshot(page, 'app-alarm-sent');

    // The escalation's first message goes to the session's first contact, with the number and the link.
    await h.settle();
    const sms = h.sms.sent.find((m) => m.to === '+447700900001')!;
    expect(sms.text).toContain(`VIGIL ALARM ${alarm.number}`);
    const token = sms.link!.split('/r/')[1]!;
    const responder = await web.page({ viewport: PHONE, mobile: true });
    responder.setDefaultTimeout(10_000);
    await responder.clock.install({ time: h.clock.now() });
    const res = await responder.goto(`${h.base}/r/${token}`);
    expect(res!.status()).toBe(200);
    await responder.locator('#alarm').waitFor();
    expect(await text(responder, '#title')).toBe('Alarm: Pia Phone');
    expect(await text(responder, '#note')).toBe('Plant room behind the loading bay');
    expect(await text(responder, '#where')).toMatch(/^51\.50136, -0\.14189 \(within 14 m\)\. Position taken \d+ s ago\.$/);
    expect(await text(responder, '#worker')).toBe('Pia Phone · +44 7700 900456');
    expect(await text(responder, '#contacted')).toMatch(/^Porter Pete \(SMS\): message sent, no answer yet/);
    expect(await text(responder, '#quote')).toBe(`If you call the monitoring centre, quote alarm number ${alarm.number}.`);
    await screenshot(responder, 'app-responder', { fullPage: true });

    const acknowledged = nextAlarm(h, (a) => a.state === 'acknowledged', 'the acceptance');
    await responder.locator('#accept').click();
    expect((await acknowledged).acknowledgedBy).toBe('contact:Porter Pete');
    await responder.locator('#answered', { hasText: 'You accepted.' }).waitFor();
    expect(await text(responder, '#state')).toBe('Porter Pete has accepted and is on the way.');
    await screenshot(responder, 'app-responder-accepted');
    // The ladder stopped: Sue (the ladder's first step) is never sent anything.
    await h.advance(10 * 60_000);
    expect(h.sms.sent.map((m) => m.to)).toEqual(['+447700900001']);
    expect((await h.centre.store.getEscalationByAlarm(alarm.id))?.state).toBe('stopped');

    await runFor(page, 5_000);
    await page.locator(card, { hasText: 'Help is coming: Porter Pete accepted' }).waitFor();
    await screenshot(page, 'app-help-coming');

    // Closed: the link stops working and the page says only that.
    await h.centre.alarms.resolve(alarm.id, 'user:root', 'genuine', 'Pete found her; sprained ankle');
    await runFor(responder, 15_000);
    await responder.locator('#gone').waitFor();
    expect((await responder.reload())!.status()).toBe(404);
    await runFor(page, 5_000);
    await page.locator(card, { hasText: 'Closed by the centre' }).waitFor();
    expect(problems(page)).toEqual([]);
    expect(problems(responder).filter((p) => !/404/.test(p))).toEqual([]);
  });

  it('answers a wrong link with a plain 404 and nothing else', async () => {
    const page = await web.page({ viewport: PHONE });
    for (const path of ['/r/AAAAAAAAAAAAAAAAAAAAAA', '/r/not-a-token', '/api/responder/AAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await page.goto(`${h.base}${path}`);
      expect([path, res!.status()]).toEqual([path, 404]);
      expect(await page.locator('body').innerText()).toMatch(/^(Not found|\{"error":\{"code":"not_found","message":"Not found"\}\})$/);
    }
  });
});
