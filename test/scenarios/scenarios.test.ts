/**
 * Scenarios (simulator/scenarios/*.yaml) against the whole system: real broker, gateway(s) and
 * centre on loopback sockets, pendants running the built firmware on the virtual air, virtual time.
 * Each scenario's expectations are checked on the centre's HTTP API.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReport, runScenario } from '../../cli/sim';
import { loadScenario, parseScenario } from '../../simulator/src/scenario/schema';
import { fallsDataAvailable, REPO_ROOT } from '../../simulator/src/trace';

const DIR = join(REPO_ROOT, 'simulator', 'scenarios');
const BIN = join(REPO_ROOT, 'bin', 'vigil.js');

/** Scenarios that need centre features not built yet (low-battery and device-silent supervision). */
/** Scenarios that need centre features not built yet (none today). */
const WAITING_FOR_CENTRE = new Set<string>([]);
/** Scenarios that replay recorded falls (../shared/data/falls). */
const NEEDS_RECORDINGS = new Set(['fall-no-cancel', 'fall-cancelled', 'demo']);

describe('scenario files', () => {
  it('are all valid', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) expect(() => loadScenario(join(DIR, f))).not.toThrow();
  });

  it('reports every problem of a bad scenario by path', () => {
    const bad = `
name: bad
durationS: 10
gateways: [{ id: gw-1, x: 0, y: 0 }, { id: gw-1, x: 5, y: 0 }]
workers: [{ id: w, name: W, x: 0, y: 0, board: nokia }]
script:
  - { at: 20, worker: nobody, do: press }
  - { at: 1, worker: w, do: replay }
  - { at: 1, worker: w, do: dance }
expect: [{ alarms: 1 }]
`;
    expect(() => parseScenario(bad, 'bad.yaml')).toThrow(/workers\.0\.board: must be one of/);
    const noBoard = bad.replace('board: nokia', 'board: puckjs').replace('do: dance', 'do: walk');
    let message = '';
    try {
      parseScenario(noBoard, 'bad.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("script.0.worker: 'nobody' is not a worker of this scenario");
    expect(message).toContain('script.0.at: 20 s is after the end');
    expect(message).toContain('script.1.trial: is required for replay');
    expect(message).toContain("gateways.1.id: 'gw-1' appears twice");
  });
});

describe('npx vigil sim', () => {
  it('runs a scenario file, narrates it and exits 0 when every expectation holds', () => {
    const r = spawnSync('node', [BIN, 'sim', 'scenario', join(DIR, 'sos.yaml')], { encoding: 'utf8', env: { ...process.env, VIGIL_LOG_LEVEL: 'error' } });
    expect(r.stdout).toContain('Alice Martin holds the button 2.5 s');
    expect(r.stdout).toContain('scenario: sos — PASSED');
    expect(r.status).toBe(0);
  }, 60_000);

  it('exits 2 with every error of an invalid scenario', () => {
    const r = spawnSync('node', [BIN, 'sim', 'scenario', join(REPO_ROOT, 'package.json')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('durationS: is required');
    expect(r.stderr).toContain('gateways: is required');
  });
});

describe('scenarios through the whole system', () => {
  const names = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'demo.yaml').map((f) => f.replace(/\.yaml$/, '')).sort();
  const runnable = names.filter((n) => !WAITING_FOR_CENTRE.has(n) && (fallsDataAvailable() || !NEEDS_RECORDINGS.has(n)));

  it('runs at least five of them in the test suite', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(fallsDataAvailable() ? 7 : 5);
  });

  it.each(runnable)('%s', async (name) => {
    const dataDir = mkdtempSync(join(tmpdir(), `vigil-scn-${name}-`));
    try {
      const report = await runScenario(loadScenario(join(DIR, `${name}.yaml`)), { dataDir });
      if (!report.passed) throw new Error(formatReport(report));
      expect(report.results.length).toBeGreaterThan(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  // Waits for the centre's supervision (another issue): the pendant already sends low_battery at
  // 15 % and then falls silent; the centre must raise low_battery and device_silent alarms.
});
