/**
 * The console's browser tests share this: the whole system (broker, gateway, centre on loopback
 * sockets, pendants running the built firmware on the virtual air, virtual time) from a scenario
 * file, with console users of each role, and console pages logged in as one of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startScenario } from '../../cli/sim';
import type { LiveEvent } from '../../centre/src/domain/live';
import type { AlarmView } from '../../centre/src/domain/views';
import type { SingleBox } from '../../cli/singlebox';
import type { ScenarioRun } from '../../simulator/src/scenario/runner';
import { loadScenario, type Scenario } from '../../simulator/src/scenario/schema';
import { REPO_ROOT } from '../../simulator/src/trace';
import type { VirtualAir } from '../../simulator/src/air';
import { DEFAULT_BEACON_UUID, ibeaconAdvert } from '../../simulator/src/ibeacon';
import { login } from '../helpers/http';
import { DESKTOP, type PageOptions, type WebBrowser } from './browser';

export const OPERATOR = { username: 'olga', password: 'olga-pass-1', name: 'Olga Operator' };
export const READER = { username: 'rex', password: 'rex-pass-12', name: 'Rex Reader' };
export const ADMIN = { username: 'ada', password: 'ada-pass-12', name: 'Ada Admin' };

export interface ConsoleSystem {
  run: ScenarioRun;
  box: SingleBox;
  base: string;
  stop(): Promise<void>;
}

/** The system playing a scenario file of simulator/scenarios (by name) or a scenario given whole. */
export async function startSystem(scenario: string | Scenario): Promise<ConsoleSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-console-'));
  const s = typeof scenario === 'string' ? loadScenario(join(REPO_ROOT, 'simulator', 'scenarios', `${scenario}.yaml`)) : scenario;
  const { run, box } = await startScenario(s, { clock: 'virtual', dataDir, users: [{ ...OPERATOR, role: 'operator' }] });
  await box.centre.auth.createUser({ ...READER, role: 'readonly' });
  await box.centre.auth.createUser({ ...ADMIN, role: 'admin' });
  const base = `http://127.0.0.1:${box.centre.httpPort}`;
  // The runner keeps its air to itself; the test reaches in to hang beacons on the walls.
  await furnish(base, box, (run as unknown as { opts: { air: VirtualAir } }).opts.air, s.site.id);
  return {
    run, box, base,
    async stop() {
      await run.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A console page logged in as `who`, live. */
export async function openConsole(web: WebBrowser, base: string, who: { username: string; password: string }, opts: PageOptions = {}): Promise<Page> {
  const page = await web.page({ viewport: DESKTOP, locale: 'en-GB', ...opts });
  page.setDefaultTimeout(10_000);
  await page.goto(base + '/');
  await page.locator('#login input[name=username]').fill(who.username);
  await page.locator('#login input[name=password]').fill(who.password);
  await page.locator('#login button[type=submit]').click();
  // Selectors, not page functions: the console's CSP (rightly) forbids evaluating strings.
  await page.locator('body[data-live=live]').waitFor({ state: 'attached' });
  return page;
}

/** Resolves with the first live alarm event that matches, and the wall-clock time it happened (subscribe before acting). */
export function whenAlarm(box: SingleBox, match: (a: AlarmView) => boolean): Promise<{ alarm: AlarmView; at: number }> {
  return new Promise((resolve) => {
    const off = box.centre.live.subscribe((e: LiveEvent) => {
      if (e.type === 'alarm' && match(e.alarm)) {
        off();
        resolve({ alarm: e.alarm, at: Date.now() });
      }
    });
  });
}

const ibeacon = (major: number, minor: number): Uint8Array => ibeaconAdvert(major, minor, DEFAULT_BEACON_UUID, -59);
const beaconId = (major: number, minor: number): string => String((major << 16) | minor);

/** A 48 × 30 m warehouse drawn in SVG: the floor plan an admin would upload. */
export const PLAN_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 300" width="960" height="600">
<rect width="480" height="300" fill="#fbfaf7"/><g fill="none" stroke="#3b4a5e" stroke-width="4"><rect x="2" y="2" width="476" height="296"/>
<path d="M200 2v120M200 170v128M2 160h120M160 160h40M330 2v90M330 130v40h148"/></g>
<g fill="#d9dee6"><rect x="230" y="190" width="220" height="14"/><rect x="230" y="230" width="220" height="14"/><rect x="230" y="270" width="220" height="14"/>
<rect x="350" y="20" width="14" height="60"/><rect x="390" y="20" width="14" height="60"/><rect x="430" y="20" width="14" height="60"/></g>
</svg>`;

/**
 * Zones with beacons where the scenario's workers stand (the site's floor 0 plan), so pendants
 * report positions the centre names; and the floor plan itself.
 */
async function furnish(base: string, box: SingleBox, air: VirtualAir, siteId: string): Promise<void> {
  const store = box.centre.store;
  const zones = [
    { id: 'loading-bay', name: 'Loading bay', x: 6, y: 7, w: 12, h: 13, beacon: [12, 1], at: { x: 6, y: 4 } },
    { id: 'offices', name: 'Offices', x: 6, y: 23, w: 12, h: 14, beacon: [12, 2], at: { x: 4, y: 3.5 } },
    { id: 'racking', name: 'Racking', x: 34, y: 5, w: 26, h: 10, beacon: [12, 3], at: { x: 8, y: -4 } },
    { id: 'workshop', name: 'Workshop', x: 26.5, y: 23.5, w: 13, h: 13, beacon: [12, 4], at: { x: -6, y: 5 } },
  ];
  for (const z of zones) {
    await store.putEntity('zone', { id: z.id, siteId, name: z.name, floor: '0', lat: null, lon: null, x: z.x, y: z.y, w: z.w, h: z.h });
    await store.putEntity('beacon', { id: beaconId(z.beacon[0]!, z.beacon[1]!), siteId, zoneId: z.id, name: null });
    air.addBeacon(`beacon-${z.id}`, z.at, ibeacon(z.beacon[0]!, z.beacon[1]!));
  }
  const token = await login(base, ADMIN.username, ADMIN.password);
  const res = await fetch(`${base}/api/sites/${siteId}/plans/0?widthM=48&heightM=30`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/svg+xml' }, body: PLAN_SVG });
  if (res.status !== 200 && res.status !== 201) throw new Error(`floor plan upload: ${res.status} ${await res.text()}`);
}

/** Opens an admin section's editor for a new record and fills the given inputs and selects. */
export async function openEditor(page: Page, section: string, fields: Record<string, string>): Promise<void> {
  await page.goto(page.url().replace(/#.*$/, '') + `#/admin/${section}`);
  await page.locator('#new').click();
  for (const [name, value] of Object.entries(fields)) {
    const el = page.locator(`#edit-form [name="${name}"]`).first();
    if ((await el.evaluate((e) => (e as unknown as { tagName: string }).tagName)) === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
}

/** Saves the open editor and waits for it to close. */
export async function saveEditor(page: Page): Promise<void> {
  await page.locator('#edit-form button[type=submit]').click();
  await page.locator('#editor').waitFor({ state: 'hidden' });
}
