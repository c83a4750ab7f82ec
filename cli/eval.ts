/**
 * `npx vigil eval`: detection accuracy on recorded trials (docs/detection.md). Text summary on
 * stdout (or exactly one JSON object with --json), a progress bar on stderr, an HTML report with
 * --report.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FIRMWARE_BOARDS, type FirmwareBoard } from '../firmware/tools/build';
import { DEFAULT_SWITCH_ON_S, evaluate, type EvalResult } from '../simulator/src/eval/evaluate';
import { formatSummary, toJson } from '../simulator/src/eval/format';
import { writeReport } from '../simulator/src/eval/report';
import { DEFAULT_FALLS_DIR } from '../simulator/src/trace';
import type { Command } from './main';

const USAGE = `npx vigil eval [--manifest <path/manifest.csv>] [--board puckjs|bangle2|lora] [--rate HZ]
        [--dataset SisFall,UMAFall,FallAllD] [--position waist,chest,neck] [--subjects SA01,FallAllD/S01,…]
        [--json] [--report <dir>] [--folds K | --leave-one-lab-out] [--rotate-random SEED]
        [--sens 1..5] [--engine firmware|detector] [--range-g G] [--tail-s S] [--switch-on-s S]
        [--detectors fall,tilt,still] [--workers N] [--sweep] [--train]

  Every data set and position in the manifest is scored on its own (the trial's own 'position'),
  and a data set's falls with recovery are a set of their own; nothing is pooled.

  --engine firmware   (default) the built firmware/dist/<board>.js in the Espruino stand-in; alarms are
                      the frames it puts on air (after its pre-alarm); range is the firmware's, and
                      --rate sets its hz setting (Puck.js 26/52, Bangle.js 2 25/50)
  --engine detector   firmware/src/lib/detect.js alone (fast); --rate (default 26) and --range-g (default 8)
  --dataset, --position, --subjects   select trials (a subject as 'S01' in any data set or 'FallAllD/S01')
  --folds K           subject-wise cross-validation: the fall model is refitted per fold without its subjects
  --leave-one-lab-out the fall model is fitted on two labs' trials and tested on the third's, for each lab
  --rotate-random S   every trace turned by its own random fixed orientation (seeded)
  --tail-s S          still tail added to every trial (default 45 s; see docs/simulator.md)
  --switch-on-s S     the wearer stands in their own upright this long before every trial, as when
                      switching protection on (default ${DEFAULT_SWITCH_ON_S}; 0: the detector learns from the recording)
  --detectors LIST    which detectors run (default fall); tilt/still also score man_down/no_motion alarms
  --sweep             also score sensitivity settings 1..5 (detector engine); implied by --report
  --train             fit the fall model on every selected subject and print the weights for detect.js`;

function fail(msg: string): never {
  throw Object.assign(new Error(msg), { usage: true });
}

function num(v: string | undefined, name: string, ok: (n: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) fail(`--${name}: '${v}' is not valid`);
  return n;
}

function progressBar(json: boolean): (phase: string, done: number, total: number) => void {
  const tty = process.stderr.isTTY === true;
  let lastPct = -1;
  const t0 = Date.now();
  return (phase, done, total) => {
    const pct = Math.floor((100 * done) / total);
    if (!tty && pct === lastPct) return;
    if (!tty && pct % 10 !== 0 && done !== total) return;
    lastPct = pct;
    const width = 30;
    const fill = Math.round((width * done) / total);
    const line = `${phase.padEnd(9)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(done).padStart(5)}/${total} ${((Date.now() - t0) / 1000).toFixed(0)} s`;
    process.stderr.write(tty ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
    void json;
  };
}

export const evalCommand: Command = {
  summary: 'evaluate fall detection on recorded traces through the firmware',
  usage: USAGE,
  async run(args) {
    let result: EvalResult;
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          manifest: { type: 'string' }, board: { type: 'string' }, rate: { type: 'string' }, position: { type: 'string' }, dataset: { type: 'string' },
          json: { type: 'boolean' }, report: { type: 'string' }, folds: { type: 'string' }, 'leave-one-lab-out': { type: 'boolean' }, 'rotate-random': { type: 'string' },
          'switch-on-s': { type: 'string' },
          subjects: { type: 'string' }, sens: { type: 'string' }, engine: { type: 'string' }, 'range-g': { type: 'string' },
          'tail-s': { type: 'string' }, detectors: { type: 'string' }, workers: { type: 'string' }, sweep: { type: 'boolean' }, train: { type: 'boolean' },
        },
      }));
      const board = (values['board'] ?? 'puckjs') as FirmwareBoard;
      if (!FIRMWARE_BOARDS.includes(board)) fail(`--board: '${board}' is not one of ${FIRMWARE_BOARDS.join(', ')}`);
      const list = (name: string): string[] | undefined => (values[name] ? String(values[name]).split(',').map((s) => s.trim()).filter((s) => s !== '') : undefined);
      const engine = values['engine'] ?? 'firmware';
      if (engine !== 'firmware' && engine !== 'detector') fail(`--engine: '${String(engine)}' is not firmware or detector`);
      const detectors = String(values['detectors'] ?? 'fall').split(',').map((s) => s.trim());
      for (const d of detectors) if (!['fall', 'tilt', 'still'].includes(d)) fail(`--detectors: '${d}' is not fall, tilt or still`);
      const rate = num(values['rate'] as string | undefined, 'rate', (n) => n > 0 && n <= 200);
      const rangeG = num(values['range-g'] as string | undefined, 'range-g', (n) => [2, 4, 8, 16].includes(n));
      const rotate = num(values['rotate-random'] as string | undefined, 'rotate-random', (n) => Number.isInteger(n));
      const folds = num(values['folds'] as string | undefined, 'folds', (n) => Number.isInteger(n) && n >= 2);
      if (folds !== undefined && values['leave-one-lab-out'] === true) fail('--folds and --leave-one-lab-out are two ways of validating: choose one');
      const report = values['report'] as string | undefined;
      const json = values['json'] === true;
      result = await evaluate({
        manifest: (values['manifest'] as string | undefined) ?? join(DEFAULT_FALLS_DIR, 'manifest.csv'),
        engine, board, detectors: { fall: detectors.includes('fall'), tilt: detectors.includes('tilt'), still: detectors.includes('still') },
        ...(rate === undefined ? {} : { rateHz: rate }),
        ...(rangeG === undefined ? {} : { rangeG }),
        ...(rotate === undefined ? {} : { rotateSeed: rotate }),
        ...(folds === undefined ? {} : { folds }),
        ...(list('subjects') ? { subjects: list('subjects') } : {}),
        ...(list('dataset') ? { datasets: list('dataset') } : {}),
        ...(list('position') ? { positions: list('position') } : {}),
        leaveOneLabOut: values['leave-one-lab-out'] === true,
        tailS: num(values['tail-s'] as string | undefined, 'tail-s', (n) => n >= 0 && n <= 600) ?? 45,
        switchOnS: num(values['switch-on-s'] as string | undefined, 'switch-on-s', (n) => n >= 0 && n <= 60) ?? DEFAULT_SWITCH_ON_S,
        sens: num(values['sens'] as string | undefined, 'sens', (n) => Number.isInteger(n) && n >= 1 && n <= 5) ?? 3,
        workers: num(values['workers'] as string | undefined, 'workers', (n) => Number.isInteger(n) && n >= 0) ?? Math.min(2, cpus().length),
        sweep: values['sweep'] === true || report !== undefined,
        train: values['train'] === true,
        onProgress: progressBar(json),
      });
      if (report) {
        const file = await writeReport(result, report);
        process.stderr.write(`report: ${file}\n`);
      }
      process.stdout.write(json ? JSON.stringify(toJson(result)) + '\n' : formatSummary(result));
      return 0;
    } catch (e) {
      const err = e as Error & { usage?: boolean };
      process.stderr.write(`vigil eval: ${err.message}\n${err.usage ? `\nUsage: ${USAGE}\n` : ''}`);
      return 2;
    }
  },
};
