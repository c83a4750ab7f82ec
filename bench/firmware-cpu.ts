/**
 * Firmware CPU load and lost samples, measured in the Espruino stand-in's cost model
 * (simulator/src/espruino/cost.ts): recorded daily activities and falls (SisFall) replayed through the
 * built firmware of each board at its own sample rate, with protection on and beacon scans running.
 * Prints the share of time the interpreter is busy (→ current: 100 % JS ≈ 4 mA on both boards,
 * ESPRUINO.md §4) and the share of samples dropped because a handler overran a sample period.
 * Run: npx tsx bench/firmware-cpu.ts   (docs/firmware.md "Battery")
 */
import { join } from 'node:path';
import { VirtualClock } from '../common/clock';
import { loadDist } from '../firmware/tools/build';
import { accelRateHz, DEFAULT_FALLS_DIR, fallsDataAvailable, feedAccel, readManifest, readTrace, resample, toBytes, VirtualBoard } from '../simulator/src';
import { TINY } from './lib/size';

if (!fallsDataAvailable()) {
  console.log(`recorded trials not found at ${DEFAULT_FALLS_DIR}`);
  console.log(JSON.stringify({ bench: 'firmware-cpu', skipped: `recorded trials not found at ${DEFAULT_FALLS_DIR}` }));
  process.exit(0);
}
const subjects = TINY ? ['SA01'] : ['SA01', 'SA02', 'SA03'];
const all = readManifest(join(DEFAULT_FALLS_DIR, 'manifest.csv')).filter((r) => subjects.includes(r.subject) && r.trial === 1);
const rows = TINY ? all.slice(0, 2) : all;
const boards: Record<string, { trials: number; seconds: number; busyPct: number; currentMa: number; samplesDropped: number; samples: number }> = {};
for (const board of ['puckjs', 'bangle2', 'lora'] as const) {
  let seconds = 0;
  let busyMs = 0;
  let delivered = 0;
  let dropped = 0;
  for (const row of rows) {
    const clock = new VirtualClock();
    const b = new VirtualBoard({ board, clock, batteryPct: 80 });
    b.flash.files.set('vigil.json', toBytes(JSON.stringify({ id: '0000b0b0', key: '000102030405060708090a0b0c0d0e0f', pre: 45 })));
    b.boot(loadDist(board));
    clock.advance(1000);
    const start = { busy: b.cpu.busyMs, t: clock.now() };
    const rate = accelRateHz(b);
    const t = resample(readTrace(row.file), rate);
    for (let i = 0; i < t.x.length; i++) {
      clock.advance(1000 / rate);
      feedAccel(b, t.x[i]!, t.y[i]!, t.z[i]!);
    }
    seconds += (clock.now() - start.t) / 1000;
    busyMs += b.cpu.busyMs - start.busy;
    delivered += b.cpu.samplesDelivered;
    dropped += b.cpu.samplesDropped;
    b.shutdown();
  }
  const duty = busyMs / (seconds * 1000);
  console.log(`${board.padEnd(8)} ${rows.length} trials, ${Math.round(seconds)} s: interpreter busy ${(duty * 100).toFixed(1)} % (≈ ${(duty * 4).toFixed(2)} mA), samples dropped ${dropped} of ${delivered + dropped}`);
  boards[board] = { trials: rows.length, seconds: Math.round(seconds), busyPct: +(duty * 100).toFixed(1), currentMa: +(duty * 4).toFixed(2), samplesDropped: dropped, samples: delivered + dropped };
}
console.log(JSON.stringify({ bench: 'firmware-cpu', boards }));
