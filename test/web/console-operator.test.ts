/**
 * The console end to end in real headless Chromium, on the real path: Bram's badge replays a recorded
 * fall (SisFall SA01 F01) through the built firmware on the virtual air; the gateway hears it, the
 * centre raises the alarm after the pre-alarm, and the operator's console shows it — within 2 s of the
 * centre raising it — with its position. The operator acknowledges; resolving without a comment is
 * refused (page and API), with one it works; the history shows it. A read-only user sees the alarm
 * but has no Acknowledge button, and the API refuses them. (Without the recordings in
 * /work/shared/data/falls the test uses the SOS scenario — a pendant button press — instead.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadScenario, type Scenario } from '../../simulator/src/scenario/schema';
import { fallsDataAvailable, REPO_ROOT } from '../../simulator/src/trace';
import { call, login } from '../helpers/http';
import { openBrowser, problems, screenshot, type WebBrowser } from './browser';
import { type ConsoleSystem, openConsole, OPERATOR, READER, startSystem, whenAlarm } from './console-helpers';

const FALL = fallsDataAvailable();
const TYPE = FALL ? 'fall' : 'sos';
const WHO = FALL ? 'Bram de Vries' : 'Alice Martin';

/** Without the recordings: Alice's SOS (sos.yaml) without its scripted acknowledgement — here the operator acknowledges. */
function sosByButton(): Scenario {
  const s = loadScenario(join(REPO_ROOT, 'simulator', 'scenarios', 'sos.yaml'));
  return { ...s, script: s.script.filter((x) => x.do !== 'acknowledge'), expect: s.expect.slice(0, 1) };
}

describe(`console: an operator handles a ${TYPE} alarm from a virtual pendant (Chromium)`, () => {
  let web: WebBrowser;
  let sys: ConsoleSystem;
  let page: Page;
  let alarmId = '';
  let alarmNumber = '';

  beforeAll(async () => {
    web = await openBrowser({ autoplay: true });
    sys = await startSystem(FALL ? 'fall-no-cancel' : sosByButton());
  }, 60_000);
  afterAll(async () => {
    await web?.close();
    await sys?.stop();
  });

  it('shows the alarm within 2 s of the centre raising it, with its position', async () => {
    page = await openConsole(web, sys.base, OPERATOR);
    await page.locator('.calm').waitFor();
    const raised = whenAlarm(sys.box, (a) => a.type === TYPE && a.state === 'raised');
    const playing = sys.run.play();
    const { alarm, at } = await raised;
    await page.locator(`.alarm-card[data-type=${TYPE}][data-state=raised]`).waitFor({ timeout: 5_000 });
    const shownAfterMs = Date.now() - at;
    console.log(`console: the ${TYPE} alarm was on the operator's screen ${shownAfterMs} ms after the centre raised it`);
    expect(shownAfterMs).toBeLessThan(2_000);
    alarmId = alarm.id;
    alarmNumber = alarm.number;
    const card = page.locator(`.alarm-card[data-id="${alarm.id}"]`);
    expect(alarm.place).not.toBeNull();
    await expect(card.locator('.place').innerText()).resolves.toContain(alarm.place!.label);
    await expect(card.innerText()).resolves.toContain(WHO);
    // New and unacknowledged: highlighted, and the page sounded it (WebAudio, unlocked by the login click).
    await page.locator(`.alarm-card.fresh[data-id="${alarm.id}"]`).waitFor();
    await page.locator('body[data-sound=on]:not([data-beeps="0"])').waitFor({ state: 'attached' });
    await playing;
    await screenshot(page, 'console-queue');
    expect(problems(page)).toEqual([]);
  }, 120_000);

  it('lets a read-only user see the alarm but not acknowledge it: no button, and the API refuses', async () => {
    const reader = await openConsole(web, sys.base, READER);
    await reader.goto(`${sys.base}/#/alarm/${alarmId}`);
    await reader.locator('#readonly').waitFor();
    expect(await reader.locator('#acknowledge').count()).toBe(0);
    expect(await reader.locator('.alarm-card .ack').count()).toBe(0);
    const token = await login(sys.base, READER.username, READER.password);
    const r = await call(sys.base, 'POST', `/api/alarms/${alarmId}/acknowledge`, { token });
    expect(r.status).toBe(403);
    expect((await sys.box.centre.store.getAlarm(alarmId))!.state).toBe('raised');
    await reader.close();
  });

  it('opens the alarm page with the position on the map, and acknowledges', async () => {
    await page.locator(`.alarm-card[data-id="${alarmId}"]`).click();
    await page.locator('#acknowledge').waitFor();
    await expect(page.locator('#place').innerText()).resolves.not.toContain('Position unknown');
    await page.locator('#map.leaflet-container[data-kind=plan] .leaflet-interactive').first().waitFor();
    await expect(page.locator('#timeline').innerText()).resolves.toContain('Alarm raised');
    await page.locator('#acknowledge').click();
    await page.locator('#alarm-state[data-state=acknowledged]').waitFor();
    await expect(page.locator('#timeline').innerText()).resolves.toContain(`Acknowledged by ${OPERATOR.username}`);
    expect((await sys.box.centre.store.getAlarm(alarmId))!.state).toBe('acknowledged');
    await screenshot(page, 'console-alarm', { fullPage: true });
  });

  it('writes a note on the timeline', async () => {
    await page.locator('form.note-form textarea[name=text]').fill('Called Bram: no answer. First aider on the way.');
    await page.locator('form.note-form button[type=submit]').click();
    await page.locator('#timeline li', { hasText: `Note by ${OPERATOR.username}` }).waitFor();
    await expect(page.locator('#timeline').innerText()).resolves.toContain('Called Bram: no answer. First aider on the way.');
  });

  it('refuses to resolve without a comment, in the page and in the API', async () => {
    await page.locator('#resolve-form select[name=reason]').selectOption('false_alarm');
    await page.locator('#resolve').click();
    await expect(page.locator('#resolve-error').innerText()).resolves.toBe('A comment is required to resolve the alarm.');
    const token = await login(sys.base, OPERATOR.username, OPERATOR.password);
    const r = await call<{ error: { code: string } }>(sys.base, 'POST', `/api/alarms/${alarmId}/resolve`, { token, body: { reason: 'false_alarm', comment: '  ' } });
    expect([r.status, r.body.error.code]).toEqual([400, 'invalid']);
    expect((await sys.box.centre.store.getAlarm(alarmId))!.state).toBe('acknowledged');
  });

  it('resolves with a reason and a comment', async () => {
    await page.locator('#resolve-form textarea[name=comment]').fill('Bram slipped on the wet floor; first aider checked him, no injury.');
    await page.locator('#resolve').click();
    await page.locator('#closed').waitFor();
    const a = (await sys.box.centre.store.getAlarm(alarmId))!;
    expect([a.state, a.resolution, a.comment]).toEqual(['resolved', 'false_alarm', 'Bram slipped on the wet floor; first aider checked him, no injury.']);
    await page.locator('a.back').click();
    await page.locator('.calm').waitFor();
  });

  it('shows the alarm in the history', async () => {
    await page.locator('nav.tabs a[data-view=history]').click();
    const row = page.locator('#results tbody tr', { hasText: alarmNumber });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain(WHO);
    expect(text).toContain('Resolved');
    expect(text).toContain('False alarm');
    expect(text).toContain('first aider checked him');
    await screenshot(page, 'console-history');
    // The same search as CSV, for spreadsheets: a byte-order mark, then the headings and the row.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('Number,Type,State');
    expect(csv).toContain(`${alarmNumber},${FALL ? 'Fall' : 'SOS'},Resolved`);
    expect(csv).toContain('"Bram slipped on the wet floor; first aider checked him, no injury."');
    const month = new Date((await sys.box.centre.store.getAlarm(alarmId))!.createdAt).toISOString().slice(0, 7);
    await page.goto(`${sys.base}/#/stats/${month}`);
    await page.locator('.kpi.total .value', { hasText: /^1$/ }).waitFor();
    // the share of person alarms acknowledged within 30 s / 60 s / 3 min: this one was, within 3 min at least
    expect(await page.locator('#answered .kpi.within180S .value').innerText()).toMatch(/^100\s?%$/);
    await screenshot(page, 'console-stats');
    const [statsCsv] = await Promise.all([page.waitForEvent('download'), page.locator('#stats-csv').click()]);
    const figures = readFileSync(await statsCsv.path(), 'utf8').replace(/^\uFEFF/, '').split('\r\n');
    expect(figures[0]).toContain('% acknowledged within 30 s,% acknowledged within 60 s,% acknowledged within 3 min');
    expect(figures[1]).toMatch(/^all,,,1,0,0,1,/);
    expect(problems(page)).toEqual([]);
  });
});
