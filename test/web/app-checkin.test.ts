/**
 * Presence prompts (check-ins) in the worker app, in real headless Chromium at phone size: a
 * session with a check-in every 15 min; on the centre's virtual clock the prompt comes, the app
 * shows it with a Confirm button and the deadline, Confirm reaches the centre and moves the next
 * prompt on; a prompt left unanswered past the grace raises check_in_missed on the server, with the
 * note, and the app shows that the centre raised it.
 */
import type { Harness } from '../helpers/centre-harness';
import { openBrowser, problems, screenshot, type WebBrowser } from './browser';
import { nextAlarm, openApp, PIA, runFor, startAppCentre, text } from './app-helpers';

const MIN = 60_000;

describe('worker app: check-ins (Chromium, 390×844)', () => {
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

  it('prompts at the interval; Confirm checks in; a missed prompt raises check_in_missed', async () => {
    const page = await openApp(web, h, PIA);
    await page.locator('#start-session').click();
    await page.locator('select[name=checkIn]').selectOption('15');
    await page.locator('textarea[name=note]').fill('Night round, building C');
    await page.locator('#start-submit').click();
    await page.locator('#time-left').waitFor();
    const [s] = await h.centre.store.listWorkSessions({ states: ['active'], workerId: PIA.id });
    expect(s).toMatchObject({ checkInIntervalS: 900, nextCheckInAt: h.clock.now() + 15 * MIN });
    expect(await page.locator('#check-in-prompt').count()).toBe(0);

    // The centre prompts; the app shows it on its next look.
    await h.advance(15 * MIN);
    expect((await h.centre.store.getWorkSession(s!.id))!.checkInPromptedAt).toBe(h.clock.now());
    await runFor(page, 15_000);
    await page.locator('#check-in-prompt').waitFor();
    expect(await text(page, '#check-in-prompt h2')).toBe('Check in: are you all right?');
    await screenshot(page, 'app-check-in');
    await page.locator('#check-in-prompt button', { hasText: "I'm all right" }).click();
    await page.locator('#check-in-prompt').waitFor({ state: 'detached' });
    const confirmed = (await h.centre.store.getWorkSession(s!.id))!;
    expect(confirmed).toMatchObject({ checkInPromptedAt: null, lastCheckInAt: h.clock.now(), nextCheckInAt: h.clock.now() + 15 * MIN });

    // The next prompt, left alone: past the grace (120 s) the centre raises check_in_missed.
    await h.advance(15 * MIN);
    await runFor(page, 15_000);
    await page.locator('#check-in-prompt').waitFor();
    // Listening from here: its real-time limit covers only the step that raises the alarm.
    const missed = nextAlarm(h, (a) => a.type === 'check_in_missed', 'check_in_missed');
    await h.advance(2 * MIN);
    const alarm = await missed;
    expect(alarm).toMatchObject({ workerId: PIA.id, state: 'raised' });
    expect(alarm.text).toContain('Night round, building C');
    await runFor(page, 15_000);
    await page.locator(`[data-alarm="${alarm.id}"]`, { hasText: `The centre has your alarm (${alarm.number})` }).waitFor();
    expect(problems(page)).toEqual([]);
  });
});
