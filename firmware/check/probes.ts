/**
 * The conformance probes (firmware/check/probes/*.js): small programs of ours that exercise every
 * Espruino API the firmware calls, and how each fails. Each runs in the real interpreter (recorded by
 * firmware/check/record.ts into fixtures/) and in the stand-in (test/simulator/conformance.test.ts),
 * and both must print the same lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanLine } from './interpreter';

export const CHECK_DIR = __dirname;
export const PROBE_DIR = join(__dirname, 'probes');
export const FIXTURE_DIR = join(__dirname, 'fixtures');

/** The interpreter layouts fixtures are recorded on: a Puck.js v2 and a Bangle.js 2 build. */
export type Layout = 'puck' | 'bangle';

export interface Probe {
  name: string;
  layouts: Layout[];
  /** The program as both engines run it: the prelude, then the probe. */
  code: string;
}

export function listProbes(): Probe[] {
  const prelude = readFileSync(join(PROBE_DIR, 'prelude.js'), 'latin1');
  return readdirSync(PROBE_DIR)
    .filter((f) => f.endsWith('.js') && f !== 'prelude.js')
    .sort()
    .map((f) => {
      const body = readFileSync(join(PROBE_DIR, f), 'latin1');
      const m = /^\/\/ boards: (.+)$/m.exec(body);
      const layouts = (m ? m[1]!.split(/[ ,]+/) : ['puck']) as Layout[];
      return { name: f.replace(/\.js$/, ''), layouts, code: prelude + body };
    });
}

/**
 * A run's printed lines between `@@begin` and `@@end`, without what belongs to the Linux build
 * rather than to the board: the console prompt and its escapes, Storage's compaction spinner, and
 * Serial1 having no device path on Linux.
 */
export function probeOutput(raw: string[]): string[] {
  const lines = raw.map(cleanLine);
  const from = lines.findIndex((l) => l.includes('@@begin'));
  const to = lines.findIndex((l) => l.includes('@@end'));
  return lines
    .slice(from < 0 ? 0 : from + 1, to < 0 ? lines.length : to)
    .filter((l) => !/^Compacting\.\.\./.test(l) && l !== 'ERROR: No path defined for device' && l.trim() !== '');
}

export function fixturePath(probe: string, layout: Layout): string {
  return join(FIXTURE_DIR, 'probes', `${probe}.${layout}.txt`);
}

/** A fixture's recorded lines (its `#` header, which says where they come from, left out). */
export function readFixture(probe: string, layout: Layout): string[] {
  return readFileSync(fixturePath(probe, layout), 'latin1').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}
