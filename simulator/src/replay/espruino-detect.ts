/**
 * detect.js in the real Espruino interpreter (a Linux build of its public source made by the
 * developer, never part of this repository; ESPRUINO names it, as for `make check-espruino`), fed
 * recorded samples the way the firmware feeds them (sensor counts divided by the counts per g),
 * against the same file in Node (detector.ts): the events, each decided fall event's logit, and the
 * interpreter's own count of the variables the detector's state takes.
 *
 * The samples go to the interpreter's flash (Storage) first, as big-endian int16 counts, the way
 * `make check-espruino` replays falls (firmware/check/hw-puck.js VT.play), and are read from there:
 * the Linux build's console drops input under load, and 2,630 variables would not hold a trial.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOnce, storageUploadCommands } from '../../../firmware/check/interpreter';
import { compact } from '../../../firmware/tools/build';
import { mangle } from '../../../firmware/tools/mangle';
import { DETECT_SOURCE, loadDetector, runDetector, type DetectConfig } from './detector';

export function espruinoBinary(): string | undefined {
  return process.env['ESPRUINO'] || undefined;
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
  /**
   * Variables (process.memory().usage) a detector's state holds once created, what the first
   * second of samples added (numbers that become fractional the first time cost one each), what all
   * the later samples added, and the interpreter's total.
   */
  memory: { created: number; firstSecond: number; later: number; total: number };
}

/** Runs `counts` (x, y, z interleaved, sensor counts) through detect.js in the interpreter `bin`. */
export async function runInEspruino(bin: string, counts: Int16Array, cfg: DetectConfig, countsPerG: number): Promise<InterpreterRun> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-espruino-'));
  try {
    const bytes = Buffer.alloc(counts.length * 2);
    counts.forEach((v, i) => bytes.writeInt16BE(v, 2 * i));
    for (const c of storageUploadCommands('samples', bytes.toString('latin1'), 1024, true)) await runOnce(bin, dir, c);
    const first = Math.max(1, Math.round(cfg.hz));
    // M(f): the variables a call leaves held. F(a, b): samples a..b-1 through the detector.
    const program = `${shippedDetector()}
var D=null,N=0,NC=0,d=require("Storage").read("samples");
function M(f){var a=process.memory().usage;f();return process.memory().usage-a;}
function s16(o){var v=(d.charCodeAt(o)<<8)|d.charCodeAt(o+1);return v>32767?v-65536:v;}
function F(a,b){for(N=a;N<b;N++){var e=VDetect.step(D,s16(6*N)/${countsPerG},s16(6*N+2)/${countsPerG},s16(6*N+4)/${countsPerG});if(e)print("@@ev ["+N+","+e+"]");if(D.nc!=NC){NC=D.nc;print("@@z ["+N+","+D.z+"]");}}}
var n=d.length/6,c=M(function(){D=VDetect.create(${JSON.stringify(cfg)});}),f=M(function(){F(0,Math.min(n,${first}));}),l=M(function(){F(Math.min(n,${first}),n);});
print("@@mem ["+c+","+f+","+l+","+process.memory().total+"]")`;
    const lines = await runOnce(bin, dir, program, 120_000);
    const tagged = (kind: string): [number, number][] => lines.filter((l) => l.startsWith(`@@${kind} `)).map((l) => JSON.parse(l.slice(kind.length + 3)) as [number, number]);
    const mem = tagged('mem')[0] as unknown as [number, number, number, number] | undefined;
    if (!mem) throw new Error(`espruino: no result\n${lines.slice(-10).join('\n')}`);
    return {
      events: tagged('ev').map(([sample, code]) => ({ sample, code })),
      decisions: tagged('z').map(([sample, logit]) => ({ sample, logit })),
      memory: { created: mem[0], firstSecond: mem[1], later: mem[2], total: mem[3] },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
