/**
 * An attacker with a radio and a laptop (SPEC §8), against the real receive path: decodeUplink with
 * the receiver's last counter, then the replay store (§3.5) — alone, and inside the gateway's bridge.
 */
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { Bridge } from '../../gateway/src/bridge';
import { Keyring } from '../../gateway/src/keyring';
import { MemoryReplayStore } from '../../gateway/src/replay';
import {
  decodeDownlink,
  decodeUplink,
  encodeDownlink,
  encodeUplink,
  fromHex,
  type KeyLookup,
  REPLAY_WINDOW,
  type UplinkInput,
  type UplinkPayload,
} from '../../protocol/src';
import { MemoryTransport } from '../../rig/memory-transport';

const KEY_HEX = '2b7e151628aed2a6abf7158809cf4f3c';
const KEY = fromHex(KEY_HEX)!;
const DEV = 0x1234abcd;

/** A receiver as SPEC §3.5 describes it: verify with the rebuilt counter, then classify once. */
function receiver() {
  const store = new MemoryReplayStore();
  const lookup: KeyLookup = (id) => (id === DEV ? { key: KEY, lastCounter: store.get(id)?.last } : undefined);
  return {
    store,
    hear(frame: Uint8Array): string {
      const r = decodeUplink(frame, lookup);
      if (!r.ok) return r.code;
      return store.accept(r.frame.deviceId, r.frame.counter);
    },
  };
}

const frame = (counter: number, over: Partial<UplinkInput> = {}) => encodeUplink({ deviceId: DEV, counter, type: 'heartbeat', batteryPct: 80, ...over }, KEY);

describe('replay, duplicates and tampering through the real decode path', () => {
  it('accepts each frame once; a recording played back is a duplicate, later a replay', () => {
    const rx = receiver();
    const recorded = frame(10, { type: 'sos' });
    expect(rx.hear(recorded)).toBe('new');
    expect(rx.hear(recorded)).toBe('duplicate'); // a second gateway, or the advert heard again
    for (let c = 11; c < 11 + REPLAY_WINDOW; c++) expect(rx.hear(frame(c))).toBe('new');
    expect(rx.hear(recorded)).toBe('replay');
  });

  it('cannot make an old recording look new by editing the clear counter', () => {
    const rx = receiver();
    const recorded = frame(10, { type: 'sos' });
    rx.hear(recorded);
    for (let c = 11; c < 80; c++) rx.hear(frame(c));
    for (const low of [80, 81, 1000, 0xffffff]) {
      const edited = recorded.slice();
      edited[5] = (low >> 16) & 0xff;
      edited[6] = (low >> 8) & 0xff;
      edited[7] = low & 0xff;
      expect(rx.hear(edited)).toBe('bad_tag');
    }
  });

  it('rejects a recording from a previous 2^24 epoch of the counter', () => {
    const rx = receiver();
    const old = frame(0x20, { type: 'cancel', detail: 3 });
    rx.store.accept(DEV, 0x100000f); // the state a receiver holds (or gets from the keyring, §3.4)
    expect(rx.hear(frame(0x1000010))).toBe('new');
    expect(rx.hear(old)).toBe('bad_tag'); // rebuilt as 0x1000020: the tag was made for 0x20
  });

  it('cannot turn an alarm into a cancel, or anything into anything, by flipping ciphertext bits', () => {
    const rx = receiver();
    rx.hear(frame(99));
    const preAlarm = frame(100, { type: 'pre_alarm', detail: 3, flags: { pending: true } });
    for (let i = 8; i < 24; i++) {
      for (let mask = 1; mask < 256; mask++) {
        const f = preAlarm.slice();
        f[i] = f[i]! ^ mask;
        expect(rx.hear(f)).toBe('bad_tag');
      }
    }
    expect(rx.hear(preAlarm)).toBe('new');
  });

  it('never accepts a forged cancel replayed from an earlier incident', () => {
    const rx = receiver();
    const cancelA = frame(200, { type: 'cancel', detail: 3, ref: 199 });
    rx.hear(frame(199, { type: 'pre_alarm', detail: 3 }));
    expect(rx.hear(cancelA)).toBe('new');
    rx.hear(frame(300, { type: 'pre_alarm', detail: 3 })); // a new incident, the worker does not cancel
    expect(rx.hear(cancelA)).toBe('replay');
  });

  it('gives every frame a different look on air, heartbeat or duress', () => {
    // Same length and same clear bytes apart from the counter: the type is inside the sealed body.
    const hb = frame(500);
    const du = frame(501, { type: 'duress' });
    expect(du.length).toBe(hb.length);
    expect(Array.from(du.subarray(0, 5))).toEqual(Array.from(hb.subarray(0, 5)));
    // The same content under two counters shares no ciphertext byte pattern a listener could match.
    const a = frame(600, { type: 'duress' });
    const b = frame(601, { type: 'duress' });
    let equal = 0;
    for (let i = 8; i < 24; i++) if (a[i] === b[i]) equal++;
    expect(equal).toBeLessThan(4);
  });

  it('rejects a downlink whose command, counter or device was changed, or that a stranger sealed', () => {
    const good = encodeDownlink({ deviceId: DEV, counter: 10, command: 'received', param: 0 }, KEY);
    const lookup: KeyLookup = (id) => (id === DEV ? { key: KEY } : undefined);
    expect(decodeDownlink(good, lookup).ok).toBe(true);
    for (let i = 0; i < 16; i++) {
      for (let mask = 1; mask < 256; mask++) {
        const f = good.slice();
        f[i] = f[i]! ^ mask;
        const r = decodeDownlink(f, lookup);
        expect(r.ok).toBe(false);
      }
    }
    const forged = encodeDownlink({ deviceId: DEV, counter: 10, command: 'closed', param: 0 }, fromHex('00'.repeat(16))!);
    expect(decodeDownlink(forged, lookup)).toMatchObject({ ok: false, code: 'bad_tag' });
  });
});

describe('copies from several gateways and radios (gateway bridge)', () => {
  function site() {
    const clock = new VirtualClock();
    const keyring = new Keyring();
    keyring.apply({ v: 1, siteId: 's1', at: 1, devices: [{ deviceId: '1234abcd', key: KEY_HEX }] });
    const replay = new MemoryReplayStore();
    const published: UplinkPayload[] = [];
    const radios = [new MemoryTransport('ble0'), new MemoryTransport('ble1'), new MemoryTransport('lora0', 'lora')];
    const bridge = new Bridge({ siteId: 's1', gatewayId: 'gw-1', clock, log: createLogger('test', 'silent'), transports: radios, keyring, replay, sink: async (p) => void published.push(p) });
    return { clock, bridge, radios, published };
  }

  it('publishes one uplink per counter whatever the number of radios and repeats, and counts the rest', async () => {
    const { clock, bridge, radios, published } = site();
    const handled: Promise<void>[] = [];
    for (let c = 1; c <= 20; c++) {
      const f = frame(c, { type: c % 5 === 0 ? 'sos' : 'heartbeat' });
      // every advert is heard several times by every radio, in any order
      for (let copy = 0; copy < 3; copy++) for (const r of radios) handled.push(bridge.handleFrame({ payload: f, kind: r.kind, transportId: r.id, address: 'x', rssiDbm: -70, snrDb: null, receivedAt: clock.now() }));
    }
    await Promise.all(handled);
    expect(published.map((p) => p.decoded.counter)).toEqual(Array.from({ length: 20 }, (_v, i) => i + 1));
    expect(bridge.counters.get('duplicates')).toBe(20 * 9 - 20);
  });

  it('drops a replay and a forgery by name', async () => {
    const { clock, bridge, published } = site();
    const at = () => ({ kind: 'ble' as const, transportId: 'ble0', address: 'x', rssiDbm: -70, snrDb: null, receivedAt: clock.now() });
    const recorded = frame(1, { type: 'sos' });
    await bridge.handleFrame({ payload: recorded, ...at() });
    await bridge.handleFrame({ payload: frame(1 + REPLAY_WINDOW + 1), ...at() });
    await bridge.handleFrame({ payload: recorded, ...at() });
    const forged = frame(100, { type: 'sos' });
    forged[22] = forged[22]! ^ 4;
    await bridge.handleFrame({ payload: forged, ...at() });
    expect(published).toHaveLength(2);
    expect(bridge.counters.snapshot()).toMatchObject({ dropped_replay: 1, dropped_bad_tag: 1 });
  });
});
