/**
 * The worker app in real headless Chromium at phone size: a worker starts a session with a
 * duration, contacts and a note; on the centre's virtual clock the reminder comes (in the app and
 * by SMS), then session_expired is raised with the note — the phone doing nothing. Extend, edit the
 * note, stop. Another worker sees nothing of it, in the app or through the API with their token.
 * Screenshots for docs/worker.md.
 */
import type { Harness } from '../helpers/centre-harness';
import { openBrowser, problems, screenshot, type WebBrowser } from './browser';
import { nextAlarm, OLE, openApp, PIA, runFor, startAppCentre, text } from './app-helpers';

const MIN = 60_000;

describe('worker app: sessions (Chromium, 390×844)', () => {
  let h: Harness;
  let web: WebBrowser;

  beforeEach(async () => {
    ({ h } = await startAppCentre());
  });
  afterEach(async () => h.stop());
  beforeAll(async () => {
    web = await openBrowser();
  });
  afterAll(async () => web.close());

  it('starts a session; the centre reminds, then raises session_expired with the note when nobody stops it', async () => {
    const page = await openApp(web, h, null);
    await page.locator('#signin').waitFor();
    await screenshot(page, 'app-signin');
    await page.locator('#signin-form input[name=username]').fill(PIA.username);
    await page.locator('#signin-form input[name=password]').fill(PIA.password);
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('#start-session').waitFor();
    expect(await text(page, '#session-card h2')).toBe('Not protected');
    await screenshot(page, 'app-home');

    await page.locator('#start-session').click();
    await page.locator('label.chip', { hasText: '30 min' }).click();
    await page.locator('input[name=phone]').fill('+44 7700 900999');
    await page.locator('input[name=cname0]').fill('Porter Pete');
    await page.locator('input[name=cphone0]').fill('+44 7700 900001');
    await page.locator('input[name=cname1]').fill('Sam Neighbour');
    await page.locator('input[name=cphone1]').fill('+44 7700 900002');
    await page.locator('textarea[name=note]').fill('Meter cupboard, second floor');
    expect(await text(page, '#fallback-line')).toBe('If none of them answers: North ARC, +44 20 7946 0000, then the monitoring centre.');
    await screenshot(page, 'app-start', { fullPage: true });
    await page.locator('#start-submit').click();
    await page.locator('#time-left').waitFor();
    expect(await text(page, '#time-left')).toBe('30 min left');
    const [session] = await h.centre.store.listWorkSessions({ states: ['active'], workerId: PIA.id });
    expect(session).toMatchObject({ note: 'Meter cupboard, second floor', phone: '+44 7700 900999', plannedEndAt: h.clock.now() + 30 * MIN, callList: [{ name: 'Porter Pete', phone: '+44 7700 900001' }, { name: 'Sam Neighbour', phone: '+44 7700 900002' }] });
    await screenshot(page, 'app-running', { fullPage: true });

    // The phone is left alone from here: the centre's clock runs, the app only looks.
    await h.advance(25 * MIN);
    expect(h.sms.log()).toEqual(['+447700900999: Session reminder']);
    await runFor(page, 15_000);
    await page.locator('#reminder').waitFor();
    expect(await text(page, '#reminder h2')).toBe('Your session ends in 5 min');
    await screenshot(page, 'app-reminder');

    const expired = nextAlarm(h, (a) => a.type === 'session_expired', 'session_expired');
    await h.advance(5 * MIN);
    const alarm = await expired;
    expect(alarm.text).toBe('Session ran out without being stopped. Note: Meter cupboard, second floor. Call list: Porter Pete, Sam Neighbour');
    expect(h.sms.log()[1]).toMatch(/^\+447700900001: VIGIL ALARM \d+: Session expired — Pia Phone/);
    await runFor(page, 15_000);
    await page.locator(`[data-alarm="${alarm.id}"]`).waitFor();
    expect(await text(page, `[data-alarm="${alarm.id}"]`)).toContain(`The centre has your alarm (${alarm.number})`);
    expect(await text(page, '#session-card h2')).toBe('Not protected');
    await screenshot(page, 'app-expired');
    expect(problems(page)).toEqual([]);
  });

  it('extends by an hour and to a chosen time, changes the note, stops', async () => {
    const page = await openApp(web, h, PIA);
    await page.locator('#start-session').click();
    await page.locator('#start-submit').click();
    await page.locator('#time-left').waitFor();
    const [s] = await h.centre.store.listWorkSessions({ states: ['active'] });
    const t0 = s!.plannedEndAt!;
    expect(t0).toBe(h.clock.now() + 60 * MIN);

    await page.locator('#extend-1h').click();
    // Locators, not string predicates: the app's CSP (script-src 'self') forbids evaluating strings.
    await page.locator('#time-left', { hasText: /^\s*2 h 00 min left\s*$/ }).waitFor();
    expect((await h.centre.store.getWorkSession(s!.id))!.plannedEndAt).toBe(t0 + 60 * MIN);

    // 14:30 on the centre's day, in the browser's time zone.
    const until = await page.evaluate<number>('(() => { const d = new Date(Date.now()); d.setHours(14, 30, 0, 0); return d.getTime(); })()');
    await page.locator('#extend-until').fill('14:30');
    await page.locator('#extend-to').click();
    // The centre's answer, not the queued request (whose "waiting: extend to 02:30" line shows at once).
    await page.locator('#session-card .pending').waitFor({ state: 'detached' });
    await page.locator('#session-card', { hasText: '02:30' }).waitFor();
    expect((await h.centre.store.getWorkSession(s!.id))!.plannedEndAt).toBe(until);

    await page.locator('#edit-note').click();
    await page.locator('#note-edit').fill('Pump house, north gate');
    await page.locator('#note-save').click();
    await page.locator('#session-controls .note', { hasText: 'Pump house, north gate' }).waitFor();
    expect((await h.centre.store.getWorkSession(s!.id))!.note).toBe('Pump house, north gate');

    await page.locator('#stop').click();
    expect(await text(page, '#session-controls .confirm span')).toBe('Stop the session? You are no longer protected.');
    await page.locator('#stop-yes').click();
    await page.locator('#start-session').waitFor();
    expect((await h.centre.store.getWorkSession(s!.id))!).toMatchObject({ state: 'stopped', endedBy: `worker:${PIA.id}` });
    expect(problems(page)).toEqual([]);
  });

  it('shows another worker nothing of the session, in the app or through the API', async () => {
    const pia = await openApp(web, h, PIA);
    await pia.locator('#start-session').click();
    await pia.locator('textarea[name=note]').fill('Roof, east side');
    await pia.locator('#start-submit').click();
    await pia.locator('#time-left').waitFor();
    const [s] = await h.centre.store.listWorkSessions({ states: ['active'] });

    const ole = await openApp(web, h, OLE);
    expect(await text(ole, '#session-card h2')).toBe('Not protected');
    expect(await ole.locator('body').innerText()).not.toContain('Roof, east side');
    const tries = await ole.evaluate(`(async () => {
      const token = JSON.parse(localStorage.getItem('vigil.app.token'));
      const get = async (path, method = 'GET', body) => (await fetch(path, { method, headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' }, body: body && JSON.stringify(body) })).status;
      return [await get('/api/app/sessions/${s!.id}'), await get('/api/app/sessions/${s!.id}/stop', 'POST', { key: 'ole-key-0001' }), await get('/api/sessions/${s!.id}'), await get('/api/sessions'), await get('/api/workers/${PIA.id}/position')];
    })()`);
    expect(tries).toEqual([404, 404, 401, 401, 401]);
    expect((await h.centre.store.getWorkSession(s!.id))!.state).toBe('active');
  });
});
