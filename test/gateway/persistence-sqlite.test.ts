/**
 * Runs aedes-persistence's abstract test suite (node:test, 50 tests) against the SQLite persistence
 * in a child process, and checks every test passed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('SQLite Aedes persistence', () => {
  it("passes aedes-persistence's abstract test suite", () => {
    const root = join(__dirname, '..', '..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', join('test', 'gateway', 'aedes-persistence-suite.ts')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const summary = (key: string): number => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? NaN);
    const failures = r.stdout.split('\n').filter((l) => l.startsWith('not ok'));
    expect(failures).toEqual([]);
    expect(summary('fail')).toBe(0);
    expect(summary('pass')).toBeGreaterThanOrEqual(50);
    expect(r.status).toBe(0);
  });
});
