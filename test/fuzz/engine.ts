/**
 * The fuzzing engine behind `make fuzz` and the corpus replay in `make test` (docs/security.md).
 *
 * A surface is one external entry point (HTTP, the MQTT broker, radio frames, a serial line, DC-09
 * answers, configs, CSV): it builds the real component once, generates inputs with fast-check, sends
 * each one through the public seam (a socket, a decoder, a parser) and throws when an invariant
 * breaks. The engine drives `runs` inputs, checks the process-level invariants every `checkEvery`
 * inputs (no fault escaped, memory bounded, the surface's own check — e.g. a canary alarm still
 * raised before its deadline), and on a failure lets fast-check shrink the input and saves the
 * minimised input to the surface's corpus, which the replay test runs on every `make test`.
 *
 * Coverage guidance would be better than generators; @jazzer.js/core does not run here (see
 * docs/security.md, "Fuzzing"), so the generators carry the structure instead: valid messages from
 * the project's own encoders, mutated.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { processFaults } from '../../common/process-guard';

export interface Surface<I, C> {
  name: string;
  /** One line for the report: what an input is. */
  what: string;
  /** The inputs; a function of the set-up surface when they depend on it (the routes an API publishes). */
  arbitrary: fc.Arbitrary<I> | ((ctx: C) => fc.Arbitrary<I>);
  setup(): Promise<C>;
  /** Sends one input; throws (saying which invariant) when one breaks. */
  run(ctx: C, input: I): Promise<void> | void;
  /** Invariants over the whole run so far (a canary alarm raised in time, counters consistent). */
  check?(ctx: C): Promise<void> | void;
  /** Counters worth reporting (rejections by code…). */
  stats?(ctx: C): Record<string, number>;
  teardown(ctx: C): Promise<void>;
  /** Inputs per `check` (default 1000). */
  checkEvery?: number;
  /** Largest heap growth tolerated over the run after warm-up (default 64 MiB). */
  heapGrowthLimitMb?: number;
  /** Inputs the replay test adds to the corpus on each `make test` (default 200). */
  smokeRuns?: number;
}

export interface CorpusEntry {
  /** Why this input is kept: the finding it reproduces, or the case it pins. */
  why: string;
  input: unknown;
}

export interface RunReport {
  surface: string;
  inputs: number;
  seconds: number;
  heapStartMb: number;
  heapMaxMb: number;
  heapEndMb: number;
  rssMaxMb: number;
  stats: Record<string, number>;
  /** Stopped by `seconds` before `runs` inputs. */
  interrupted: boolean;
}

const CORPUS_DIR = join(__dirname, 'corpus');

export function corpusFile(surface: string): string {
  return join(CORPUS_DIR, `${surface}.json`);
}

/** Byte arrays are kept as `{"$hex": "…"}` so the corpus stays JSON that people can read. */
function replacer(_k: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return { $hex: Buffer.from(v).toString('hex') };
  return v;
}

function reviver(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { $hex?: unknown }).$hex === 'string' && Object.keys(v).length === 1) {
    return Uint8Array.from(Buffer.from((v as { $hex: string }).$hex, 'hex'));
  }
  return v;
}

export function readCorpus(surface: string): CorpusEntry[] {
  const file = corpusFile(surface);
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8'), reviver) as CorpusEntry[];
}

export function addToCorpus(surface: string, entry: CorpusEntry): void {
  const entries = readCorpus(surface);
  entries.push(entry);
  writeFileSync(corpusFile(surface), JSON.stringify(entries, replacer, 1) + '\n');
}

const MB = 1024 * 1024;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Faults that escaped a handler (common/process-guard.ts): none may appear during a run. */
function faultCount(): number {
  return Object.values(processFaults.snapshot()).reduce((a, b) => a + b, 0);
}

export interface RunOptions {
  runs: number;
  seed: number;
  /** Save a failing, shrunk input to the corpus (make fuzz), or only report it (tests). */
  save: boolean;
  log?: (line: string) => void;
  /** Stop generating after this long (FUZZ_SECONDS): what ran is reported as such, not as a failure. */
  seconds?: number;
}

/** Replays every corpus input, then `runs` generated ones; throws on the first broken invariant. */
export async function fuzz<I, C>(surface: Surface<I, C>, opts: RunOptions): Promise<RunReport> {
  const log = opts.log ?? (() => undefined);
  const ctx = await surface.setup();
  const faultsBefore = faultCount();
  const checkEvery = surface.checkEvery ?? 1000;
  const started = performance.now();
  let inputs = 0;
  gc();
  let heapStart = process.memoryUsage().heapUsed;
  let heapMax = heapStart;
  let rssMax = process.memoryUsage().rss;
  const warmUp = Math.min(opts.runs, Math.max(checkEvery, Math.floor(opts.runs / 10)));
  const limit = (surface.heapGrowthLimitMb ?? 64) * MB;

  const periodic = async (): Promise<void> => {
    // A surface without I/O (config, csv) runs as one long chain of microtasks: without a turn of the
    // event loop, what Node defers to it (process.nextTick: the YAML parser's warnings, with their
    // documents) piles up and reads as a leak of the component (the config million failed so at 400,000).
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (faultCount() !== faultsBefore) throw new Error(`a fault escaped its handler: ${JSON.stringify(processFaults.snapshot())}`);
    await surface.check?.(ctx);
    const m = process.memoryUsage();
    rssMax = Math.max(rssMax, m.rss);
    if (inputs >= warmUp && inputs < warmUp + checkEvery) {
      gc();
      heapStart = process.memoryUsage().heapUsed;
    }
    if (inputs > warmUp && inputs % (checkEvery * 20) < checkEvery) {
      gc();
      const heap = process.memoryUsage().heapUsed;
      heapMax = Math.max(heapMax, heap);
      if (heap - heapStart > limit) throw new Error(`heap grew by ${((heap - heapStart) / MB).toFixed(1)} MiB after ${inputs} inputs (limit ${limit / MB} MiB)`);
    }
    if (inputs % (checkEvery * 50) === 0) {
      const s = (performance.now() - started) / 1000;
      log(`  ${surface.name}: ${inputs} inputs, ${s.toFixed(0)} s, heap ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MiB`);
    }
  };

  try {
    for (const [i, entry] of readCorpus(surface.name).entries()) {
      try {
        await surface.run(ctx, entry.input as I);
      } catch (e) {
        throw new Error(`corpus entry ${i} of ${surface.name} (${entry.why}): ${(e as Error).message}`, { cause: e });
      }
      inputs++;
    }
    await periodic();
    const arbitrary = typeof surface.arbitrary === 'function' ? surface.arbitrary(ctx) : surface.arbitrary;
    const property = fc.asyncProperty(arbitrary, async (input) => {
      await surface.run(ctx, input);
      inputs++;
      if (inputs % checkEvery === 0) await periodic();
    });
    const result = await fc.check(property, { numRuns: opts.runs, seed: opts.seed, endOnFailure: false,
      ...(opts.seconds ? { interruptAfterTimeLimit: opts.seconds * 1000, markInterruptAsFailure: false } : { markInterruptAsFailure: true }) });
    if (result.failed) {
      const input = result.counterexample?.[0];
      const reason = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
      if (opts.save && input !== undefined) {
        addToCorpus(surface.name, { why: `found by make fuzz (seed ${opts.seed}): ${reason.slice(0, 300)}`, input });
        log(`  ${surface.name}: finding saved to ${corpusFile(surface.name)}`);
      }
      throw new Error(`${surface.name}: ${reason}\n  input (shrunk ${result.numShrinks} times): ${JSON.stringify(input, replacer)?.slice(0, 2000)}`);
    }
    await periodic();
    gc();
    const end = process.memoryUsage();
    return {
      surface: surface.name, inputs, seconds: (performance.now() - started) / 1000, heapStartMb: heapStart / MB, heapMaxMb: Math.max(heapMax, end.heapUsed) / MB,
      heapEndMb: end.heapUsed / MB, rssMaxMb: Math.max(rssMax, end.rss) / MB, stats: surface.stats?.(ctx) ?? {}, interrupted: result.interrupted,
    };
  } finally {
    await surface.teardown(ctx);
  }
}
