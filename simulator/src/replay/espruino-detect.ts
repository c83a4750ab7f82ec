/**
 * detect.js in the real Espruino interpreter: a Linux build of Espruino (the project's own C, built
 * for the Puck.js v2's memory layout of 2,630 variables) when one is on this machine, fed recorded
 * samples the way the firmware feeds them (sensor counts divided by the counts per g), against the
 * same file in Node (detector.ts). It reports the events, each decided fall event's logit, and the
 * interpreter's own memory count (process.memory().usage) for the detector's code and its state.
 *
 * The samples go through the interpreter's console, one line of 40 samples at a time (`F([...])`),
 * as the Linux build copies a whole program file into its variables and 2,630 would not hold a
 * recorded trial. It reads its console only while it has something to do, so the program keeps an
 * idle timer until quit(). The interpreter is not part of this repository; VIGIL_ESPRUINO names it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compact } from '../../../firmware/tools/build';
import { mangle } from '../../../firmware/tools/mangle';
import { DETECT_SOURCE, loadDetector, runDetector, type DetectConfig } from './detector';

export const ESPRUINO_BIN = process.env['VIGIL_ESPRUINO'] ?? '/work/espruino/src/bin/espruino_puck';

export function espruinoAvailable(bin = ESPRUINO_BIN): boolean {
  return existsSync(bin);
}

/** detect.js as it ships: comments and whitespace removed, local names shortened (firmware/tools/build.ts). */
export function shippedDetector(): string {
  return mangle(compact(readFileSync(DETECT_SOURCE, 'utf8'), 'lib/detect.js'));
}

export interface DetectorTrace {
  events: { sample: number; code: number }[];
  /** Every decided fall event: when, and its logit. */
  decisions: { sample: number; logit: number }[];
}

export interface InterpreterRun extends DetectorTrace {
  /** Variables in use: before the detector, with its code loaded, with a detector's state, at the end. */
  memory: { empty: number; code: number; state: number; end: number; total: number };
}

// The harness: C() creates the detector, F() feeds samples as counts, one tagged line per result.
const HARNESS = `var D=null,N=0,NC=0,CPG=1;
function C(c,k){D=VDetect.create(c);CPG=k;print("MEM state",process.memory().usage);}
function F(a){for(var i=0;i<a.length;i+=3){var e=VDetect.step(D,a[i]/CPG,a[i+1]/CPG,a[i+2]/CPG);if(e)print("EV",N,e);if(D.nc!=NC){NC=D.nc;print("Z",N,D.z);}N++;}}
function E(){var m=process.memory();print("MEM end",m.usage,m.total);}
setInterval(function(){},1000);`;

/** Samples per statement: each statement's array is all the memory the samples take. */
const CHUNK = 40;

/**
 * Runs `counts` (x, y, z interleaved, sensor counts) through detect.js in the interpreter. Resolves
 * with what it printed; rejects when it fails or prints an error.
 */
export async function runInEspruino(counts: Int16Array, cfg: DetectConfig, countsPerG: number, bin = ESPRUINO_BIN, timeoutMs = 120_000): Promise<InterpreterRun> {
  // The detector's code is what a program with it takes beyond the same program without it.
  const empty = await program(bin, HARNESS, ['print("MEM empty",process.memory().usage)'], timeoutMs);
  const lines: string[] = ['print("MEM code",process.memory().usage)', `C(${JSON.stringify(cfg)},${countsPerG})`];
  for (let i = 0; i < counts.length; i += 3 * CHUNK) lines.push(`F([${Array.from(counts.subarray(i, i + 3 * CHUNK)).join(',')}])`);
  lines.push('E()');
  const out = await program(bin, `${shippedDetector()}\n${HARNESS}`, lines, timeoutMs);
  const run: InterpreterRun = { events: [], decisions: [], memory: { empty: NaN, code: NaN, state: NaN, end: NaN, total: NaN } };
  for (const l of (empty + out).split(/\r?\n/)) {
    const w = l.trim().split(/\s+/);
    if (w[0] === 'EV') run.events.push({ sample: Number(w[1]), code: Number(w[2]) });
    else if (w[0] === 'Z') run.decisions.push({ sample: Number(w[1]), logit: Number(w[2]) });
    else if (w[0] === 'MEM' && w[1] === 'end') Object.assign(run.memory, { end: Number(w[2]), total: Number(w[3]) });
    else if (w[0] === 'MEM') (run.memory as unknown as Record<string, number>)[w[1]!] = Number(w[2]);
  }
  const error = out.split(/\r?\n/).find((l) => /Uncaught|ERROR|Error:/.test(l));
  if (error || Number.isNaN(run.memory.end)) throw new Error(`espruino: ${error ?? 'no result'}\n${out.slice(-2000)}`);
  return run;
}

/** Runs a program file, then console lines, then quit(); resolves with everything it printed. */
function program(bin: string, code: string, lines: string[], timeoutMs: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-espruino-'));
  const file = join(dir, 'program.js');
  writeFileSync(file, code + '\n');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [file], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      if (signal) reject(new Error(`espruino: killed by ${signal}\n${out.slice(-2000)}`));
      else resolve(out);
    });
    // Standard input stays open after quit(): at its end the Linux build would read without stopping.
    child.stdin.on('error', () => undefined);
    child.stdin.write([...lines, 'quit()'].join('\n') + '\n');
  });
}

/** The same samples through detect.js in Node, for comparison. */
export function runInNode(counts: Int16Array, cfg: DetectConfig, countsPerG: number): DetectorTrace {
  const api = loadDetector();
  const n = counts.length / 3;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = counts[3 * i]! / countsPerG;
    y[i] = counts[3 * i + 1]! / countsPerG;
    z[i] = counts[3 * i + 2]! / countsPerG;
  }
  const run = runDetector(api, cfg, x, y, z);
  return { events: run.events, decisions: run.candidates.map((c) => ({ sample: c.sample, logit: c.logit })) };
}
