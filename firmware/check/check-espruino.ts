/**
 * `make check-espruino ESPRUINO=<interpreter>`: the release check that needs no hardware. Every built
 * board file runs in the real Espruino interpreter (a Linux build of its public source, see
 * docs/firmware.md "The real interpreter"), loaded as `make flash` loads it, with only the board's
 * hardware stood in for (hw-*.js), through what a pendant lives through: boot unprovisioned, provision,
 * protection off and on, an SOS hold answered by the centre, a check-in, a recorded fall replayed in
 * real time, a man-down, and a reboot in the middle of an alarm. Every frame it puts on air is decoded
 * by the protocol package; its counter must rise across the reboot. Takes a few minutes (real time).
 *
 * ESPRUINO is used for every board; ESPRUINO_BANGLE, when set, for the Bangle.js 2 (its own memory
 * layout and AES-CCM). `--record` writes the memory figures to fixtures/memory.json for the stand-in's
 * memory test; `--board puckjs` runs one board.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_FALLS_DIR, fallsDataAvailable, readManifest, readTrace, resample } from '../../simulator/src/trace';
import { buildFirmware, FIRMWARE_BOARDS, type FirmwareBoard } from '../tools/build';
import { assertFlashReads, describe as describeInterpreter } from './record';
import { pretokenise, RealPendant } from './pendant';
import { fallSamples, lyingSamples, SCENARIOS, traceFiles } from './scenarios';

const ID = '0a1b2c3d';
const KEY = '000102030405060708090a0b0c0d0e0f';
/** Short times so the check runs in minutes; the ranges are those settings.js allows. */
export const CHECK_SETTINGS = { id: ID, key: KEY, hb: 10, pre: 15, tiltS: 10, recoverS: 1, still: false, scan: 0 };

export interface BoardResult {
  board: FirmwareBoard;
  interpreter: string;
  tokenised: boolean;
  steps: { name: string; ok: boolean; detail: string }[];
  memory: Record<string, number>;
  baseline: number;
}

/** What a board's run needs from Node, made before any interpreter starts (see main). */
interface Prepared {
  code: string;
  tokenised: boolean;
  fall: [number, number, number][] | undefined;
  lying: [number, number, number][];
}

function prepare(board: FirmwareBoard): Prepared {
  const { code, tokenised } = pretokenise(buildFirmware(board).code);
  const hz = board === 'bangle2' ? 25 : 26;
  const fall = fallsDataAvailable() ? fallSamples(readManifest(join(DEFAULT_FALLS_DIR, 'manifest.csv')), readTrace, resample, hz) : undefined;
  return { code, tokenised, fall, lying: lyingSamples(hz, 30) };
}

async function checkBoard(board: FirmwareBoard, binary: string, { code, tokenised, fall, lying }: Prepared): Promise<BoardResult> {
  const interpreter = await describeInterpreter(binary);
  assertFlashReads(interpreter);
  const result: BoardResult = { board, interpreter, tokenised, steps: [], memory: {}, baseline: 0 };
  // the stand-ins alone, for the baseline the firmware's own variables are counted from
  const bare = await RealPendant.flash({ binary, board, code: undefined });
  await bare.powerOn();
  result.baseline = await bare.memory();
  await bare.powerOff();
  bare.dispose();
  const pendant = await RealPendant.flash({ binary, board, code, files: traceFiles(fall ?? [], lying) });
  try {
    for (const s of SCENARIOS) {
      if (s.needsFalls && !fall) {
        result.steps.push({ name: s.name, ok: true, detail: 'skipped: no recorded falls (../shared/data/falls)' });
        continue;
      }
      const started = Date.now();
      try {
        const detail = await s.run({ pendant, board, settings: CHECK_SETTINGS, memory: result.memory, fall: fall ?? [], lying });
        if (pendant.errors.length) throw new Error(`the interpreter reported: ${pendant.errors.join(' | ')}`);
        result.steps.push({ name: s.name, ok: true, detail: `${detail} (${((Date.now() - started) / 1000).toFixed(0)} s)` });
      } catch (e) {
        const log = join(pendant.dir, '..', `vigil-check-${board}.log`);
        writeFileSync(log, (pendant.it?.lines ?? []).join('\n'));
        result.steps.push({ name: s.name, ok: false, detail: `${(e as Error).message.split('\n')[0]} (the interpreter's whole output: ${log})` });
        break;
      }
    }
  } finally {
    await pendant.powerOff();
    pendant.dispose();
  }
  return result;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { board: { type: 'string' }, record: { type: 'boolean' } } });
  const bin = process.env['ESPRUINO'];
  if (!bin) {
    process.stderr.write('usage: make check-espruino ESPRUINO=<a Linux build of the Espruino interpreter> [ESPRUINO_BANGLE=<one with the Bangle.js 2 layout>]\n(docs/firmware.md "The real interpreter")\n');
    return 2;
  }
  const boards = values.board ? [values.board as FirmwareBoard] : [...FIRMWARE_BOARDS];
  // Building and pretokenising (the espruino tool, a child process waited for synchronously) come
  // first, for every board: done while another board's interpreter runs, they held up Node's event
  // loop past the interpreter's 20 s timeouts on a busy machine (an upload reported as failed).
  const prepared = boards.map(prepare);
  const results = await Promise.all(boards.map((b, i) => checkBoard(b, b === 'bangle2' ? (process.env['ESPRUINO_BANGLE'] ?? bin) : bin, prepared[i]!)));
  let ok = true;
  for (const r of results) {
    console.log(`\n${r.board} — ${r.interpreter}${r.tokenised ? '' : ' (not pretokenised: the espruino tool was not available)'}`);
    for (const s of r.steps) console.log(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail}`);
    const mem = Object.entries(r.memory).map(([k, v]) => `${k} ${v - r.baseline}`).join(', ');
    console.log(`  variables used by the firmware (process.memory().usage minus ${r.baseline} for the stand-ins): ${mem}`);
    ok &&= r.steps.length === SCENARIOS.length && r.steps.every((s) => s.ok);
  }
  if (values.record) {
    const file = join(__dirname, 'fixtures', 'memory.json');
    mkdirSync(join(__dirname, 'fixtures'), { recursive: true });
    const old = (() => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch {
        return {};
      }
    })();
    mkdirSync(join(__dirname, 'fixtures', 'memory'), { recursive: true });
    for (const r of results) {
      // the exact build measured, so the stand-in's memory model is tested on what was measured
      writeFileSync(join(__dirname, 'fixtures', 'memory', `${r.board}.js`), buildFirmware(r.board).code);
      old[r.board] = { interpreter: r.interpreter, recorded: new Date().toISOString().slice(0, 10), settings: CHECK_SETTINGS, baseline: r.baseline, usage: Object.fromEntries(Object.entries(r.memory).map(([k, v]) => [k, v - r.baseline])) };
    }
    writeFileSync(file, JSON.stringify(old, null, 1) + '\n');
    console.log(`\nrecorded ${file}`);
  }
  return ok ? 0 : 1;
}

if (require.main === module) void main().then((code) => (process.exitCode = code));
