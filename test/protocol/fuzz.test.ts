/**
 * Robustness (issue 3, Build 9; SPEC §1.3, §6): more than 1,000,000 random and mutated frames through
 * the real decoders — random bytes, random bodies behind a valid header, every single-byte change of
 * valid frames, multi-bit flips, truncations and extensions, wrong keys. Nothing throws, and every
 * frame that is not an untouched valid frame is rejected with a named code. Seeded and deterministic.
 */
import {
  decodeDownlink,
  decodeUplink,
  DOWNLINK_COMMANDS,
  DOWNLINK_ERRORS,
  encodeDownlink,
  encodeUplink,
  fromHex,
  type KeyLookup,
  MESSAGE_TYPES,
  SETTINGS,
  UPLINK_ERRORS,
  type UplinkInput,
} from '../../protocol/src';
import { mulberry32 } from '../../simulator/src/random';
import { downlinkVectors, uplinkVectors } from './vectors';

const up = uplinkVectors();
const down = downlinkVectors();
const KEYRING = new Map(up.keyring.map((k) => [parseInt(k.deviceId, 16), fromHex(k.key)!]));
const DEVICES = [...KEYRING.keys()];
const LAST = 0x00fffff0; // receiver state: counters near the on-air wrap are the hardest case
const lookup: KeyLookup = (id) => {
  const key = KEYRING.get(id);
  return key ? { key, lastCounter: LAST } : undefined;
};
const UPLINK_CODES = new Set<string>(UPLINK_ERRORS.map((e) => e.code));
const DOWNLINK_CODES = new Set<string>(DOWNLINK_ERRORS.map((e) => e.code));

const rnd = mulberry32(0x5eed_0003);
const byte = (): number => Math.floor(rnd() * 256);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (rnd() * 256) | 0;
  return b;
}
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** Tally of outcomes per category; a throw fails the test at once with the offending frame. */
class Tally {
  readonly counts: Record<string, number> = {};
  total = 0;

  uplink(frame: Uint8Array, expect?: (code: string) => boolean): void {
    let r;
    try {
      r = decodeUplink(frame, lookup);
    } catch (e) {
      throw new Error(`decodeUplink threw on ${Buffer.from(frame).toString('hex')}: ${(e as Error).message}`);
    }
    this.judge('uplink', r.ok ? 'ok' : r.code, UPLINK_CODES, frame, expect);
  }

  downlink(frame: Uint8Array, expect?: (code: string) => boolean): void {
    let r;
    try {
      r = decodeDownlink(frame, lookup);
    } catch (e) {
      throw new Error(`decodeDownlink threw on ${Buffer.from(frame).toString('hex')}: ${(e as Error).message}`);
    }
    this.judge('downlink', r.ok ? 'ok' : r.code, DOWNLINK_CODES, frame, expect);
  }

  private judge(kind: string, code: string, named: Set<string>, frame: Uint8Array, expect?: (code: string) => boolean): void {
    this.total++;
    this.counts[`${kind}:${code}`] = (this.counts[`${kind}:${code}`] ?? 0) + 1;
    if (code === 'ok' || !named.has(code) || (expect && !expect(code))) {
      throw new Error(`${kind} ${Buffer.from(frame).toString('hex')} gave '${code}'`);
    }
  }
}

function validUplinks(): Uint8Array[] {
  const frames = up.positive.filter((v) => v.lastCounter !== null && Math.abs(v.decoded.counter - LAST) < 2 ** 23).map((v) => fromHex(v.frame)!);
  for (let i = 0; i < 80; i++) {
    const spec = pick(MESSAGE_TYPES);
    const alarmCodes = MESSAGE_TYPES.filter((t) => t.cls === 'alarm').map((t) => t.code);
    const counter = LAST - 1000 + Math.floor(rnd() * 2000);
    const input: UplinkInput = {
      deviceId: pick(DEVICES), counter, type: spec.name, batteryPct: rnd() < 0.1 ? null : Math.floor(rnd() * 101),
      flags: { protection: rnd() < 0.5, charging: rnd() < 0.5, lowBattery: rnd() < 0.5, pending: rnd() < 0.5 },
      detail: spec.detail === 'none' ? 0 : spec.detail === 'alarmType' ? pick(alarmCodes) : spec.detail === 'setting' ? pick(SETTINGS).id : byte(), ref: counter - Math.floor(rnd() * 100),
      position: rnd() < 0.33 ? null : rnd() < 0.5 ? { kind: 'beacon', beaconId: Math.floor(rnd() * 2 ** 32), rssiDbm: -byte() / 2, ageS: byte() } : { kind: 'gps', lat: rnd() * 180 - 90, lon: rnd() * 360 - 180 },
    };
    // SPEC §2.4.4: kind `device` in place of a position, where the type allows it
    if (spec.device === 'always' || (spec.device === 'may' && rnd() < 0.5)) {
      input.position = null;
      input.device = { firmware: `${1 + (byte() % 255)}.${byte()}`, settingsHash: Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0') };
    }
    frames.push(encodeUplink(input, KEYRING.get(input.deviceId)!));
  }
  for (const f of frames) expect(decodeUplink(f, lookup).ok).toBe(true);
  return frames;
}

function validDownlinks(): Uint8Array[] {
  const frames = down.positive.map((v) => fromHex(v.frame)!);
  for (let i = 0; i < 40; i++) {
    const deviceId = pick(DEVICES);
    const command = pick(DOWNLINK_COMMANDS).name;
    const setting = command === 'setting' ? pick(SETTINGS) : undefined;
    const param = setting ? setting.min + Math.floor(rnd() * (setting.max - setting.min + 1)) : Math.floor(rnd() * 65536);
    frames.push(encodeDownlink({ deviceId, counter: Math.floor(rnd() * 2 ** 32), command, param, ...(setting ? { setting: setting.name } : {}) }, KEYRING.get(deviceId)!));
  }
  for (const f of frames) expect(decodeDownlink(f, lookup).ok).toBe(true);
  return frames;
}

describe('decoder fuzzing (seeded)', () => {
  it('survives more than a million random and mutated frames, rejecting each with a named code', () => {
    const started = performance.now();
    const t = new Tally();
    const ups = validUplinks();
    const downs = validDownlinks();

    // 1. Random bytes of random length.
    for (let i = 0; i < 150_000; i++) t.uplink(randomBytes(Math.floor(rnd() * 41)));
    // 2. Random body and tag behind a valid header and a known device: only the tag can stop them.
    for (let i = 0; i < 150_000; i++) {
      const f = randomBytes(24);
      f[0] = 0x10;
      f.set(Uint8Array.of(...Buffer.from(pick(DEVICES).toString(16).padStart(8, '0'), 'hex')), 1);
      t.uplink(f, (c) => c === 'bad_tag');
    }
    // 3. Every single-byte change of every valid uplink.
    for (const good of ups) {
      for (let i = 0; i < 24; i++) {
        for (let v = 0; v < 256; v++) {
          if (v === good[i]) continue;
          const f = good.slice();
          f[i] = v;
          t.uplink(f, i === 0 ? (c) => c === 'bad_version' || c === 'bad_kind' : i <= 4 ? (c) => c === 'unknown_device' || c === 'bad_tag' : (c) => c === 'bad_tag');
        }
      }
    }
    // 4. Several random bit flips anywhere.
    for (let i = 0; i < 100_000; i++) {
      const g = pick(ups);
      const f = g.slice();
      const flips = 2 + Math.floor(rnd() * 7);
      for (let k = 0; k < flips; k++) f[Math.floor(rnd() * 24)]! ^= 1 << Math.floor(rnd() * 8);
      if (Buffer.compare(f, g) === 0) continue; // the flips cancelled out
      t.uplink(f, (c) => c !== 'bad_type' && c !== 'bad_field');
    }
    // 5. Truncations and extensions.
    for (const good of ups) {
      for (let n = 0; n < 24; n++) t.uplink(good.subarray(0, n), (c) => c === 'bad_length');
      for (let n = 1; n <= 16; n++) t.uplink(concat(good, randomBytes(n)), (c) => c === 'bad_length');
    }
    for (let i = 0; i < 50_000; i++) {
      const g = pick(ups);
      t.uplink(rnd() < 0.5 ? g.subarray(0, Math.floor(rnd() * 24)) : concat(g, randomBytes(1 + Math.floor(rnd() * 40))), (c) => c === 'bad_length');
    }
    // 6. Wrong keys: valid frames against a receiver holding other keys for the same ids.
    const wrong = new Map(DEVICES.map((d) => [d, randomBytes(16)]));
    for (let i = 0; i < 50_000; i++) {
      const f = pick(ups);
      if (i % 1000 === 0) for (const d of DEVICES) wrong.set(d, randomBytes(16));
      const r = decodeUplink(f, (id) => ({ key: wrong.get(id)!, lastCounter: LAST }));
      t.total++;
      if (r.ok || r.code !== 'bad_tag') throw new Error(`wrong key gave ${r.ok ? 'ok' : r.code}`);
    }
    // 7. Downlinks: random frames behind a valid header, and every single-byte change of valid ones.
    for (let i = 0; i < 50_000; i++) {
      const f = randomBytes(16);
      f[0] = 0x11;
      f.set(Uint8Array.of(...Buffer.from(pick(DEVICES).toString(16).padStart(8, '0'), 'hex')), 1);
      t.downlink(f, (c) => c === 'bad_tag' || c === 'bad_command');
    }
    for (const good of downs) {
      for (let i = 0; i < 16; i++) {
        for (let v = 0; v < 256; v++) {
          if (v === good[i]) continue;
          const f = good.slice();
          f[i] = v;
          t.downlink(f);
        }
      }
    }
    for (let i = 0; i < 30_000; i++) t.downlink(randomBytes(Math.floor(rnd() * 30)));

    const seconds = (performance.now() - started) / 1000;
    expect(t.total).toBeGreaterThan(1_000_000);
    console.log(`fuzz: ${t.total} frames in ${seconds.toFixed(1)} s, no throw, all rejected by name: ${JSON.stringify(t.counts)}`);
  }, 120_000); // 12–14 s alone on the dev VM, 36 s with five other jobs on its two cores
});
