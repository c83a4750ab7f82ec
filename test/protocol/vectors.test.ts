/**
 * The TypeScript codec against protocol/vectors/*.json (SPEC §10): encode gives the vector's bytes,
 * decode gives its value or its named error, and the files cover every type, command and error code.
 */
import {
  advanceWindow,
  classifyCounter,
  decodeDownlink,
  decodeUplink,
  DOWNLINK_COMMANDS,
  DOWNLINK_ERRORS,
  downlinkToJson,
  encodeDownlink,
  encodeUplink,
  fromHex,
  type KeyLookup,
  MESSAGE_TYPES,
  parseDeviceId,
  reconstructCounter,
  reconstructRef,
  REPLAY_WINDOW,
  type ReplayState,
  toHex,
  UPLINK_ERRORS,
  uplinkToJson,
  defaultSettingsHash,
  SETTINGS,
  settingsHash,
} from '../../protocol/src';
import { counterVectors, downlinkVectors, type KeyringEntry, settingsVectors, uplinkVectors } from './vectors';

const up = uplinkVectors();
const down = downlinkVectors();
const ctr = counterVectors();
const sv = settingsVectors();

function keyring(entries: KeyringEntry[], lastCounter: number | null = null): KeyLookup {
  return (id) => {
    const e = entries.find((k) => parseDeviceId(k.deviceId) === id);
    return e ? { key: fromHex(e.key)!, lastCounter: lastCounter ?? undefined } : undefined;
  };
}

const keyFor = (entries: KeyringEntry[], dev: string): Uint8Array => fromHex(entries.find((k) => k.deviceId === dev)!.key)!;

describe('uplink vectors (TypeScript codec)', () => {
  it.each(up.positive.map((v) => [v.name, v] as const))('encodes and decodes: %s', (_n, v) => {
    const frame = encodeUplink({ ...v.input, deviceId: parseDeviceId(v.input.deviceId)! }, keyFor(up.keyring, v.input.deviceId));
    expect(toHex(frame)).toBe(v.frame);
    const r = decodeUplink(fromHex(v.frame)!, keyring(up.keyring, v.lastCounter));
    if (!r.ok) throw new Error(`rejected with ${r.code}: ${r.detail}`);
    expect(uplinkToJson(r.frame)).toEqual(v.decoded);
  });

  it.each(up.negative.map((v) => [v.name, v] as const))('rejects with the named code: %s', (_n, v) => {
    const r = decodeUplink(fromHex(v.frame)!, keyring(up.keyring, v.lastCounter));
    expect(r.ok ? 'ok' : r.code).toBe(v.error);
  });

  it('cover every message type, every position kind and every error code', () => {
    const types = new Set(up.positive.map((v) => v.decoded.type));
    for (const t of MESSAGE_TYPES) expect(types).toContain(t.name);
    const kinds = new Set(up.positive.map((v) => v.decoded.position?.kind ?? 'none'));
    expect([...kinds].sort()).toEqual(['beacon', 'gps', 'none']);
    expect(up.positive.some((v) => v.decoded.device)).toBe(true); // kind 3, `device`
    expect(new Set(up.negative.map((v) => v.error))).toEqual(new Set(UPLINK_ERRORS.map((e) => e.code)));
  });
});

describe('downlink vectors (TypeScript codec)', () => {
  it.each(down.positive.map((v) => [v.name, v] as const))('encodes and decodes: %s', (_n, v) => {
    const d = v.decoded;
    const frame = encodeDownlink({ deviceId: parseDeviceId(d.deviceId)!, counter: d.counter, command: d.command, param: d.param, ...(d.setting ? { setting: d.setting } : {}) }, keyFor(down.keyring, d.deviceId));
    expect(toHex(frame)).toBe(v.frame);
    const r = decodeDownlink(fromHex(v.frame)!, keyring(down.keyring));
    if (!r.ok) throw new Error(`rejected with ${r.code}: ${r.detail}`);
    expect(downlinkToJson(r.frame)).toEqual(d);
  });

  it.each(down.negative.map((v) => [v.name, v] as const))('rejects with the named code: %s', (_n, v) => {
    const r = decodeDownlink(fromHex(v.frame)!, keyring(down.keyring));
    expect(r.ok ? 'ok' : r.code).toBe(v.error);
  });

  it('cover every command and every error code', () => {
    expect(new Set(down.positive.map((v) => v.decoded.command))).toEqual(new Set(DOWNLINK_COMMANDS.map((c) => c.name)));
    expect(new Set(down.negative.map((v) => v.error))).toEqual(new Set(DOWNLINK_ERRORS.map((e) => e.code)));
  });
});

describe('settings vectors (SPEC §4.2.1, §4.2.2)', () => {
  it('name the settings of the table, with their ids, ranges and divisors', () => {
    expect(sv.settings).toEqual(SETTINGS.map((x) => ({ id: x.id, name: x.name, min: x.min, max: x.max, divisor: x.divisor })));
  });

  it.each(sv.hashes.map((v) => [v.name, v] as const))('hash: %s', (_n, v) => {
    expect(settingsHash(v.values)).toBe(v.hash);
  });

  it('the default hash is the hash of the defaults', () => expect(sv.hashes[0]!.hash).toBe(defaultSettingsHash));
});

describe('counter vectors', () => {
  it('uses the window size of the code', () => expect(ctr.windowSize).toBe(REPLAY_WINDOW));

  it.each(ctr.reconstruct.map((v) => [v.low24.toString(16), String(v.last), v] as const))('rebuilds low24 %s after %s', (_a, _b, v) => {
    expect(reconstructCounter(v.low24, v.last ?? undefined)).toBe(v.full);
  });

  it.each(ctr.ref.map((v) => [v.ref16, v.counter, v] as const))('rebuilds ref %s below %s', (_a, _b, v) => {
    expect(reconstructRef(v.ref16, v.counter)).toBe(v.full);
  });

  it.each(ctr.window.map((w) => [w.name, w] as const))('replay window: %s', (_n, w) => {
    let s: ReplayState | undefined;
    for (const step of w.steps) {
      const verdict = classifyCounter(s, step.counter);
      expect({ counter: step.counter, verdict }).toEqual(step);
      if (verdict === 'new') s = advanceWindow(s, step.counter);
    }
  });
});
