/**
 * `make test` runs every fuzzed surface (test/fuzz/surfaces.ts) at a tiny size: its saved corpus —
 * every finding of `make fuzz`, minimised, and the cases kept on purpose — then a few hundred
 * generated inputs with a fixed seed, under the same invariants as the million-input runs.
 */
import { fuzz } from './engine';
import { SURFACES } from './surfaces';

describe.each(SURFACES.map((s) => [s.name, s] as const))('fuzzed surface %s', (_name, surface) => {
  it('replays its corpus and a few hundred seeded inputs with every invariant holding', async () => {
    const report = await fuzz(surface, { runs: surface.smokeRuns ?? 200, seed: 42, save: false });
    expect(report.inputs).toBeGreaterThanOrEqual(surface.smokeRuns ?? 200);
  }, 120_000);
});
