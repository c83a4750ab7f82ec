/**
 * Every benchmark also runs at a tiny size (`BENCH_TINY=1`), in seconds, inside `make test`
 * (test/bench/benches.test.ts): to prove that it still runs to its end and reports, not to measure —
 * its figures are meaningless and its targets are not judged. A tiny run never writes over the
 * results of a real one (bench/results/). Settings given explicitly (arguments, BENCH_* variables)
 * still win.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TINY = process.env['BENCH_TINY'] === '1';

/** The full size, or the tiny one under BENCH_TINY=1. */
export function sized(full: number, tiny: number): number {
  return TINY ? tiny : full;
}

/** Where to write result files: bench/results/, or a temporary directory for a tiny run. */
export function resultsDir(): string {
  if (TINY) return mkdtempSync(join(tmpdir(), 'vigil-bench-tiny-'));
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  return dir;
}
