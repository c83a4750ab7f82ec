/**
 * `make fuzz`: every surface (or those named) with FUZZ_RUNS inputs each (default 1,000,000), in this
 * process, with the garbage collector exposed so that memory is measured after collection. A broken
 * invariant is shrunk, saved to test/fuzz/corpus/<surface>.json and ends the run with exit code 1.
 *
 *   node --expose-gc -r tsx/cjs test/fuzz/run.ts [surface…]     FUZZ_RUNS=n FUZZ_SEED=s FUZZ_SECONDS=t
 *
 * FUZZ_SECONDS stops each surface's generated inputs after t seconds (a run that must fit a slot);
 * the report then says how many ran.
 */
import { installProcessGuard } from '../../common/process-guard';
import { createLogger } from '../../common/log';
import { fuzz, type RunReport } from './engine';
import { SURFACES } from './surfaces';

async function main(names: string[]): Promise<number> {
  installProcessGuard(createLogger('fuzz', 'error'));
  const runs = Number(process.env['FUZZ_RUNS'] ?? 1_000_000);
  const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
  const seconds = process.env['FUZZ_SECONDS'] ? Number(process.env['FUZZ_SECONDS']) : undefined;
  const chosen = names.length ? names.flatMap((n) => SURFACES.filter((s) => s.name === n)) : SURFACES;
  if (names.length && chosen.length !== names.length) {
    process.stderr.write(`unknown surface; choose from ${SURFACES.map((s) => s.name).join(', ')}\n`);
    return 2;
  }
  if (!(globalThis as { gc?: unknown }).gc) process.stderr.write('warning: run with node --expose-gc for exact memory figures\n');
  const reports: RunReport[] = [];
  let failed = 0;
  for (const s of chosen) {
    process.stdout.write(`== ${s.name} (${s.what}): ${runs} inputs, seed ${seed}\n`);
    try {
      const r = await fuzz(s, { runs, seed, save: true, log: (l) => process.stdout.write(l + '\n'), ...(seconds ? { seconds } : {}) });
      reports.push(r);
      if (r.interrupted) process.stdout.write(`   stopped by FUZZ_SECONDS=${seconds} before ${runs} inputs\n`);
      process.stdout.write(`   ok: ${r.inputs} inputs in ${r.seconds.toFixed(1)} s (${Math.round(r.inputs / r.seconds)}/s), heap ${r.heapStartMb.toFixed(0)}→${r.heapEndMb.toFixed(0)} MiB (max ${r.heapMaxMb.toFixed(0)}), rss max ${r.rssMaxMb.toFixed(0)} MiB\n`);
      process.stdout.write(`   ${JSON.stringify(r.stats)}\n`);
    } catch (e) {
      failed++;
      process.stdout.write(`   FAILED: ${(e as Error).message}\n`);
    }
  }
  process.stdout.write(`\n| surface | inputs | seconds | inputs/s | heap after warm-up → end (MiB) | rss max (MiB) |\n|---|---|---|---|---|---|\n`);
  for (const r of reports) process.stdout.write(`| ${r.surface} | ${r.inputs} | ${r.seconds.toFixed(0)} | ${Math.round(r.inputs / r.seconds)} | ${r.heapStartMb.toFixed(0)} → ${r.heapEndMb.toFixed(0)} | ${r.rssMaxMb.toFixed(0)} |\n`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
