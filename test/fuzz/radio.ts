/**
 * Radio frames through the gateway's bridge (gateway/src/bridge.ts): verification with the site
 * keyring, replay windows, routes — stateful, where test/protocol/fuzz.test.ts fuzzes the pure
 * decoder. Each input is a burst of frames on two transports: a pendant's genuine new frames,
 * replays of frames already accepted, old counters, frames with bytes changed, cut or extended,
 * forged bodies behind a known device's header, frames sealed with another key, unknown devices.
 *
 * Invariants: nothing but a genuine frame is ever forwarded; no (device, counter) is forwarded
 * twice; every genuine frame newer than all before it is forwarded (an alarm is never taken for a
 * replay); every frame is counted (received = forwarded + duplicates + drops by reason).
 */
import fc from 'fast-check';
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { Bridge } from '../../gateway/src/bridge';
import { Keyring } from '../../gateway/src/keyring';
import { MemoryReplayStore } from '../../gateway/src/replay';
import { decodeUplink, encodeUplink, fromHex, MESSAGE_TYPES, SETTINGS, type UplinkInput, type UplinkPayload } from '../../protocol/src';
import { MemoryTransport } from '../../rig/memory-transport';
import type { Surface } from './engine';

const DEVICES = [0x0000beef, 0x00c0ffee, 0x0badcafe];
const KEYS = new Map(DEVICES.map((d, i) => [d, fromHex(`${(i + 1).toString(16)}f`.repeat(16))!]));
const OTHER_KEY = fromHex('5a'.repeat(16))!;

type Shot =
  | { kind: 'fresh' | 'behind'; device: number; step: number; type: number }
  | { kind: 'replay'; pick: number }
  | { kind: 'tamper'; pick: number; at: number; value: number }
  | { kind: 'cut'; pick: number; length: number }
  | { kind: 'extend'; pick: number; extra: Uint8Array }
  | { kind: 'forge'; device: number; body: Uint8Array }
  | { kind: 'wrong_key'; device: number; step: number }
  | { kind: 'unknown'; bytes: Uint8Array };

export interface RadioInput {
  shots: { shot: Shot; via: 0 | 1 }[];
}

const device = fc.constantFrom(...DEVICES);
const shot: fc.Arbitrary<Shot> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('fresh' as const), device, step: fc.integer({ min: 1, max: 40 }), type: fc.nat(MESSAGE_TYPES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('behind' as const), device, step: fc.integer({ min: 1, max: 100 }), type: fc.nat(MESSAGE_TYPES.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tamper' as const), pick: fc.nat(), at: fc.nat(23), value: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), pick: fc.nat(), length: fc.nat(23) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extend' as const), pick: fc.nat(), extra: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('forge' as const), device, body: fc.uint8Array({ minLength: 19, maxLength: 19 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrong_key' as const), device, step: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknown' as const), bytes: fc.uint8Array({ maxLength: 40 }) }) },
);
const arbitrary: fc.Arbitrary<RadioInput> = fc.record({ shots: fc.array(fc.record({ shot, via: fc.constantFrom<0 | 1>(0, 1) }), { minLength: 1, maxLength: 8 }) });

export interface RadioCtx {
  clock: VirtualClock;
  bridge: Bridge;
  transports: [MemoryTransport, MemoryTransport];
  forwarded: UplinkPayload[];
  /** Highest counter of the pendant's new frames so far, per device. */
  top: Map<number, number>;
  /** Highest counter sealed at all (old ones included), per device. */
  sealedMax: Map<number, number>;
  /** Recent genuine frames, for replays and tampering. */
  recent: Uint8Array[];
  /** Counters forwarded per device (the last few thousand: older ones are outside every window). */
  seen: Map<string, Set<number>>;
}

function seal(dev: number, counter: number, type: number, key = KEYS.get(dev)!): Uint8Array {
  const spec = MESSAGE_TYPES[type]!;
  const input: UplinkInput = {
    deviceId: dev, counter, type: spec.name, batteryPct: 50, flags: { protection: false, charging: false, lowBattery: false, pending: false },
    // the detail each kind carries (layout.ts): an alarm type's code, a setting id of the table, or none
    detail: spec.detail === 'alarmType' ? MESSAGE_TYPES.find((t) => t.cls === 'alarm')!.code : spec.detail === 'setting' ? SETTINGS[0].id : 0, ref: counter, position: null,
    device: spec.device === 'always' ? { firmware: '1.1', settingsHash: '0a1b2c3d' } : null,
  };
  return encodeUplink(input, key);
}

function frameOf(ctx: RadioCtx, s: Shot): { bytes: Uint8Array; mustForward: boolean } {
  const pick = (i: number): Uint8Array => ctx.recent[i % Math.max(1, ctx.recent.length)] ?? new Uint8Array(24);
  switch (s.kind) {
    case 'fresh': {
      const counter = (ctx.top.get(s.device) ?? 0) + s.step;
      ctx.top.set(s.device, counter);
      const bytes = seal(s.device, counter, s.type);
      ctx.recent.push(bytes);
      if (ctx.recent.length > 64) ctx.recent.shift();
      return { bytes, mustForward: true };
    }
    case 'behind': {
      const counter = Math.max(1, (ctx.top.get(s.device) ?? 0) - s.step);
      ctx.sealedMax.set(s.device, Math.max(counter, ctx.sealedMax.get(s.device) ?? 0));
      return { bytes: seal(s.device, counter, s.type), mustForward: false };
    }
    case 'replay':
      return { bytes: pick(s.pick), mustForward: false };
    case 'tamper': {
      const b = pick(s.pick).slice();
      b[s.at] = b[s.at]! ^ s.value;
      return { bytes: b, mustForward: false };
    }
    case 'cut':
      return { bytes: pick(s.pick).slice(0, s.length), mustForward: false };
    case 'extend':
      return { bytes: Uint8Array.from([...pick(s.pick), ...s.extra]), mustForward: false };
    case 'forge': {
      const b = new Uint8Array(24);
      b[0] = 0x10;
      b.set(Buffer.from(s.device.toString(16).padStart(8, '0'), 'hex'), 1);
      b.set(s.body, 5);
      return { bytes: b, mustForward: false };
    }
    case 'wrong_key':
      return { bytes: seal(s.device, (ctx.top.get(s.device) ?? 0) + s.step, 0, OTHER_KEY), mustForward: false };
    case 'unknown':
      return { bytes: s.bytes, mustForward: false };
  }
}

async function run(ctx: RadioCtx, input: RadioInput): Promise<void> {
  for (const { shot: s, via } of input.shots) {
    const before = ctx.forwarded.length;
    const { bytes, mustForward } = frameOf(ctx, s);
    ctx.clock.advance(50);
    await ctx.transports[via].hearAndSettle(bytes, `addr-${via}`, -70, ctx.clock.now(), ctx.bridge);
    const out = ctx.forwarded.slice(before);
    if (mustForward && out.length !== 1) throw new Error(`a genuine new frame (${s.kind}) was not forwarded`);
    for (const p of out) {
      // Genuine: it verifies with the pendant's own key (only the pendant and we hold it).
      const dev = parseInt(p.decoded.deviceId, 16);
      // Rebuilt from its 24 on-air bits next to the counter it claims; the tag covers the whole counter.
      const check = decodeUplink(fromHex(p.frame)!, (id) => (id === dev ? { key: KEYS.get(dev)!, lastCounter: p.decoded.counter - 1 } : undefined));
      if (!check.ok || check.frame.counter !== p.decoded.counter || p.decoded.counter > Math.max(ctx.top.get(dev) ?? 0, ctx.sealedMax.get(dev) ?? 0)) throw new Error(`a frame that no pendant sealed was forwarded: ${p.frame}`);
      let seen = ctx.seen.get(p.decoded.deviceId);
      if (!seen) ctx.seen.set(p.decoded.deviceId, (seen = new Set()));
      if (seen.has(p.decoded.counter)) throw new Error(`${p.decoded.deviceId}:${p.decoded.counter} forwarded twice`);
      seen.add(p.decoded.counter);
      if (seen.size > 4000) for (const c of seen) if (c < p.decoded.counter - 2000) seen.delete(c);
    }
  }
  ctx.forwarded.length = 0;
}

function check(ctx: RadioCtx): void {
  const c = ctx.bridge.counters.snapshot();
  const drops = Object.entries(c).filter(([k]) => k.startsWith('dropped_')).reduce((a, [, v]) => a + v, 0);
  const handled = (c['uplinks_forwarded'] ?? 0) + (c['duplicates'] ?? 0) + drops;
  if (handled !== (c['frames_received'] ?? 0)) throw new Error(`frames uncounted: received ${c['frames_received']}, counted ${handled} (${JSON.stringify(c)})`);
}

export const radioSurface: Surface<RadioInput, RadioCtx> = {
  name: 'radio',
  what: 'frames through the gateway bridge: genuine, replayed, old, tampered, cut, extended, forged, wrong key, unknown',
  arbitrary,
  async setup() {
    const clock = new VirtualClock();
    const keyring = new Keyring();
    keyring.apply({ v: 1, siteId: 's1', at: 1, devices: DEVICES.map((d) => ({ deviceId: d.toString(16).padStart(8, '0'), key: Buffer.from(KEYS.get(d)!).toString('hex') })) });
    const transports: [MemoryTransport, MemoryTransport] = [new MemoryTransport('ble0', 'ble'), new MemoryTransport('lora0', 'lora')];
    const forwarded: UplinkPayload[] = [];
    const bridge = new Bridge({ siteId: 's1', gatewayId: 'gw-1', clock, log: createLogger('fuzz', 'silent'), transports, keyring, replay: new MemoryReplayStore(), sink: async (p) => void forwarded.push(p) });
    return { clock, bridge, transports, forwarded, top: new Map(), sealedMax: new Map(), recent: [], seen: new Map() };
  },
  run,
  check,
  checkEvery: 5000,
  stats: (ctx) => ctx.bridge.counters.snapshot(),
  async teardown() {},
  smokeRuns: 500,
};
