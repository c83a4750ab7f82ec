/**
 * The phone as a device, in real headless Chromium: a session where the phone watches for falls
 * makes the phone the session's device (heartbeats expected); DeviceMotion samples go through the
 * pendant's own detector (firmware/src/lib/detect.js, served as the centre's copy of it) and the pendant's pre-alarm
 * rules: a fall gives a 20 s cancel window, then an alarm with the position; a man-down pre-alarm is
 * cancelled by the worker getting up again, with nothing raised.
 */
import type { Page } from 'playwright-core';
import { copyOf } from '../../centre/tools/firmware-copy';
import type { Harness } from '../helpers/centre-harness';
import { openBrowser, problems, screenshot, type WebBrowser } from './browser';
import { nextAlarm, openApp, pause, PIA, runFor, startAppCentre, text } from './app-helpers';

const HZ = 50;
const noise = (i: number): number => 0.01 * Math.sin(i * 1.7);
/** Phone samples in g at 50 Hz: `s` seconds holding gravity along (x, y, z). */
const hold = (s: number, x: number, y: number, z: number): number[][] => Array.from({ length: Math.round(s * HZ) }, (_, i) => [x + noise(i), y + noise(i + 3), z + noise(i + 5)]);
/** Standing, a free fall, an impact, lying on the back. */
const FALL = [...hold(5, 0, 1, 0), ...hold(0.35, 0.1, 0.15, 0.05), ...hold(0.06, 2.2, 1.5, 0.8), ...hold(10, 0, 0, 1)];

/** Fires the samples at the page as the browser would, with the sensor's interval. */
async function move(page: Page, samples: number[][]): Promise<void> {
  await page.evaluate(`(${JSON.stringify(samples)}).forEach(([x, y, z]) => window.dispatchEvent(new DeviceMotionEvent('devicemotion', {
    accelerationIncludingGravity: { x: x * 9.80665, y: y * 9.80665, z: z * 9.80665 }, interval: ${1000 / HZ} })))`);
}

describe('worker app: the phone as a device (Chromium, 390×844)', () => {
  let h: Harness;
  let web: WebBrowser;

  beforeAll(async () => {
    web = await openBrowser();
    ({ h } = await startAppCentre());
  });
  afterAll(async () => {
    await web.close();
    await h.stop();
  });

  it('serves the pendant\'s detector file unchanged', async () => {
    const res = await fetch(`${h.base}/app/detect.js`);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await res.text()).toBe(copyOf('firmware/src/lib/detect.js'));
  });

  it('detects a fall with the pendant\'s detector and rules; getting up cancels a man-down by itself', async () => {
    const page = await openApp(web, h, PIA, { permissions: ['geolocation'], geolocation: { latitude: 48.13743, longitude: 11.57549, accuracy: 9 } });
    await page.locator('#start-session').click();
    await page.locator('input[name=usePhone]').check();
    await page.locator('#start-submit').click();
    await page.locator('#time-left').waitFor();
    const [session] = await h.centre.store.listWorkSessions({ states: ['active'] });
    const phone = (await h.centre.store.listDevices({ workerId: PIA.id }))[0]!;
    expect([phone.board, session!.deviceId]).toEqual(['phone', phone.id]);
    expect(await text(page, '.detector p')).toBe('Put the phone where you wear it and stand upright: it learns how you stand in 10 s.');
    await screenshot(page, 'app-phone-detects');
    await pause(page);
    await move(page, hold(1, 0, 1, 0)); // the sensor runs while the worker puts the phone away
    await runFor(page, 10_000);
    await page.locator('.detector p', { hasText: 'This phone watches for falls' }).waitFor();
    expect((await h.centre.store.getDevice(phone.id))!.lastSeenAt).toBe(h.clock.now());

    const pending = nextAlarm(h, (a) => a.type === 'fall' && a.state === 'pending', 'the fall pre-alarm');
    await move(page, FALL);
    await page.locator('#countdown').waitFor();
    expect(await text(page, '#countdown-what')).toBe('Fall detected');
    expect(await text(page, '#countdown-left')).toBe('20');
    await pending;
    await screenshot(page, 'app-fall-detected');
    const raised = nextAlarm(h, (a) => a.type === 'fall' && a.state === 'raised', 'the fall alarm');
    await runFor(page, 20_000);
    expect(await raised).toMatchObject({ deviceId: phone.id, workerId: PIA.id, position: { kind: 'gps', lat: 48.13743, lon: 11.57549 } });

    // Still lying there: the re-armed detectors see a man-down after 30 s; standing up cancels it.
    const manDown = nextAlarm(h, (a) => a.type === 'man_down' && a.state === 'pending', 'the man-down pre-alarm');
    await move(page, hold(31, 0, 0, 1));
    await manDown;
    expect(await text(page, '#countdown-what')).toBe('Man down detected');
    const cancelled = nextAlarm(h, (a) => a.type === 'man_down' && a.state === 'cancelled', 'the man-down cancel');
    await move(page, hold(4, 0, 1, 0));
    await cancelled;
    await page.locator('#countdown').waitFor({ state: 'hidden' });
    expect((await h.centre.store.listAlarms()).map((a) => `${a.type}:${a.state}`).sort()).toEqual(['fall:raised', 'man_down:cancelled']);
    expect(problems(page)).toEqual([]);
  });
});
