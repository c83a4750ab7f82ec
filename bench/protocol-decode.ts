/**
 * Decode + verify throughput of uplink frames on one core (issue 3, Build 9; SPEC §9.7). Builds
 * 10,000 distinct frames from 100 devices, then decodes them round after round for a fixed time,
 * as a gateway does: key lookup, counter reconstruction, AES-CCM verification, field checks.
 * Also measures forged frames (bad tag) and downlinks. Prints one JSON line.
 *
 *   npx tsx bench/protocol-decode.ts [--seconds 3]
 */
import { cpus } from 'node:os';
import { randomBytes } from 'node:crypto';
import { decodeDownlink, decodeUplink, encodeDownlink, encodeUplink, type KeyLookup, MESSAGE_TYPES } from '../protocol/src';
import { sized } from './lib/size';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : sized(3, 0.2);

const DEVICES = 100;
const keys = new Map<number, Uint8Array>();
for (let d = 1; d <= DEVICES; d++) keys.set(0x10000000 + d, new Uint8Array(randomBytes(16)));
const lookup: KeyLookup = (id) => {
  const key = keys.get(id);
  return key ? { key, lastCounter: 5000 } : undefined;
};

const frames: Uint8Array[] = [];
const forged: Uint8Array[] = [];
const downlinks: Uint8Array[] = [];
for (let i = 0; i < 10_000; i++) {
  const deviceId = 0x10000000 + 1 + (i % DEVICES);
  const type = MESSAGE_TYPES[i % 6]!.name; // heartbeat and the alarm types: no detail rules
  const f = encodeUplink({ deviceId, counter: 5000 + Math.floor(i / DEVICES), type, batteryPct: i % 101, position: { kind: 'beacon', beaconId: i, rssiDbm: -70, ageS: 1 } }, keys.get(deviceId)!);
  frames.push(f);
  const bad = f.slice();
  bad[23] = bad[23]! ^ 1;
  forged.push(bad);
  downlinks.push(encodeDownlink({ deviceId, counter: 5000 + i, command: 'received', param: 0 }, keys.get(deviceId)!));
}

/** Frames per second over SECONDS of repeated passes; `check` guards against a broken run. */
function measure(set: Uint8Array[], decode: (f: Uint8Array) => boolean): number {
  for (let i = 0; i < 2000; i++) if (!decode(set[i % set.length]!)) throw new Error('unexpected decode result');
  let n = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    for (const f of set) if (!decode(f)) throw new Error('unexpected decode result');
    n += set.length;
  }
  return n / ((performance.now() - start) / 1000);
}

const valid = measure(frames, (f) => decodeUplink(f, lookup).ok);
const bad = measure(forged, (f) => {
  const r = decodeUplink(f, lookup);
  return !r.ok && r.code === 'bad_tag';
});
const down = measure(downlinks, (f) => decodeDownlink(f, lookup).ok);

const cpu = cpus()[0];
console.log(
  JSON.stringify({
    bench: 'protocol-decode',
    uplinkFramesPerS: Math.round(valid),
    forgedFramesPerS: Math.round(bad),
    downlinkFramesPerS: Math.round(down),
    usPerUplink: Number((1e6 / valid).toFixed(2)),
    targetFramesPerS: 50_000,
    pass: valid >= 50_000,
    seconds: SECONDS,
    node: process.version,
    cpu: cpu ? `${cpu.model} (${cpus().length} cores, one used)` : 'unknown',
  }),
);
