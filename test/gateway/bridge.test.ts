import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { Bridge } from '../../gateway/src/bridge';
import { Keyring } from '../../gateway/src/keyring';
import { MemoryReplayStore } from '../../gateway/src/replay';
import { decodeDownlink, encodeUplink, fromHex, type UplinkPayload } from '../../protocol/src';
import { MemoryTransport } from '../../rig/memory-transport';

const KEY_HEX = '00112233445566778899aabbccddeeff';
const KEY = fromHex(KEY_HEX)!;

function setup() {
  const clock = new VirtualClock();
  const ble = new MemoryTransport('ble0');
  const lora = new MemoryTransport('lora0', 'lora');
  const keyring = new Keyring();
  keyring.apply({ v: 1, siteId: 's1', at: 1, devices: [{ deviceId: '0000beef', key: KEY_HEX }] });
  const published: UplinkPayload[] = [];
  let failSink = false;
  const bridge = new Bridge({
    siteId: 's1', gatewayId: 'gw-1', clock, log: createLogger('test', 'silent'), transports: [ble, lora], keyring, replay: new MemoryReplayStore(),
    sink: async (p) => {
      if (failSink) throw new Error('disk full');
      published.push(p);
    },
  });
  bridge.start();
  return { clock, ble, lora, bridge, keyring, published, setFailSink: (v: boolean) => (failSink = v) };
}

describe('bridge', () => {
  it('publishes a verified frame once, however many transports hear it', async () => {
    const { ble, lora, bridge, published, clock } = setup();
    await Promise.all([ble.start(), lora.start()]);
    const f = encodeUplink({ deviceId: 0xbeef, counter: 5, type: 'sos', batteryPct: 90 }, KEY);
    ble.hear(f, 'aa:bb', -70, clock.now());
    lora.hear(f, 'lora', -110, clock.now());
    ble.hear(f, 'aa:bb', -71, clock.now());
    await bridge.handleFrame({ payload: f, kind: 'ble', transportId: 'ble0', address: 'aa:bb', rssiDbm: -70, snrDb: null, receivedAt: clock.now() });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ siteId: 's1', gatewayId: 'gw-1', transport: 'ble', decoded: { deviceId: '0000beef', counter: 5, type: 'sos' } });
    expect(bridge.counters.get('duplicates')).toBe(3);
  });

  it('counts and drops bad frames by reason without throwing', async () => {
    const { ble, bridge, published, clock } = setup();
    await ble.start();
    const good = encodeUplink({ deviceId: 0xbeef, counter: 9, type: 'heartbeat' }, KEY);
    const forged = good.slice();
    forged[21] = forged[21]! ^ 1;
    const stranger = encodeUplink({ deviceId: 0xdead, counter: 1, type: 'sos' }, KEY);
    for (const p of [new Uint8Array(3), forged, stranger, Uint8Array.from({ length: 24 }, () => 0x20)]) ble.hear(p, 'x', -60, clock.now());
    await bridge.handleFrame({ payload: good, kind: 'ble', transportId: 'ble0', address: 'x', rssiDbm: -60, snrDb: null, receivedAt: clock.now() });
    expect(published).toHaveLength(1);
    expect(bridge.counters.snapshot()).toMatchObject({ dropped_bad_length: 1, dropped_bad_tag: 1, dropped_unknown_device: 1, dropped_bad_version: 1 });
  });

  it('rejects a replayed old frame but accepts it again if the hand-over failed', async () => {
    const { bridge, published, setFailSink, clock } = setup();
    const frame = (c: number) => ({ payload: encodeUplink({ deviceId: 0xbeef, counter: c, type: 'heartbeat' }, KEY), kind: 'ble' as const, transportId: 'ble0', address: 'x', rssiDbm: -60, snrDb: null, receivedAt: clock.now() });
    setFailSink(true);
    await bridge.handleFrame(frame(1));
    setFailSink(false);
    await bridge.handleFrame(frame(1)); // the retransmission gets through
    await bridge.handleFrame(frame(100));
    await bridge.handleFrame(frame(1)); // now far behind the window
    expect(published.map((p) => p.decoded.counter)).toEqual([1, 100]);
    expect(bridge.counters.get('dropped_replay')).toBe(1);
  });

  it('sends a downlink through the transport that heard the pendant, and only to known, recently heard devices', async () => {
    const { ble, lora, bridge, clock } = setup();
    await Promise.all([ble.start(), lora.start()]);
    expect(await bridge.handleDownlink({ v: 1, deviceId: '0000beef', counter: 5, command: 'received', param: 0 })).toBe('no_route');
    await bridge.handleFrame({ payload: encodeUplink({ deviceId: 0xbeef, counter: 5, type: 'sos' }, KEY), kind: 'lora', transportId: 'lora0', address: 'lora', rssiDbm: -100, snrDb: 5, receivedAt: clock.now() });
    expect(await bridge.handleDownlink({ v: 1, deviceId: '0000beef', counter: 5, command: 'received', param: 0 })).toBe('sent');
    expect(ble.sent).toHaveLength(0);
    expect(lora.sent).toHaveLength(1);
    const d = decodeDownlink(lora.sent[0]!.payload, () => ({ key: KEY }));
    expect(d).toMatchObject({ ok: true, frame: { deviceId: 0xbeef, counter: 5, command: 'received' } });
    expect(await bridge.handleDownlink({ v: 1, deviceId: '0000dead', counter: 1, command: 'received', param: 0 })).toBe('unknown_device');
    clock.advance(11 * 60_000);
    expect(await bridge.handleDownlink({ v: 1, deviceId: '0000beef', counter: 5, command: 'closed', param: 0 })).toBe('no_route');
  });

  it('sends a setting (code 0x80 + id), and refuses one the table does not allow without throwing', async () => {
    const { ble, bridge, clock } = setup();
    await ble.start();
    await bridge.handleFrame({ payload: encodeUplink({ deviceId: 0xbeef, counter: 7, type: 'heartbeat', device: { firmware: '1.1', settingsHash: '01234567' } }, KEY), kind: 'ble', transportId: 'ble0', address: 'aa:bb', rssiDbm: -60, snrDb: null, receivedAt: clock.now() });
    expect(await bridge.handleDownlink({ v: 1, deviceId: '0000beef', counter: 7, command: 'setting', setting: 'tiltS', param: 15 })).toBe('sent');
    expect(decodeDownlink(ble.sent[0]!.payload, () => ({ key: KEY }))).toMatchObject({ ok: true, frame: { command: 'setting', setting: 'tiltS', param: 15 } });
    expect(await bridge.handleDownlink({ v: 1, deviceId: '0000beef', counter: 7, command: 'setting', setting: 'pre', param: 60 })).toBe('invalid');
    expect(await bridge.handleDownlink({ v: 1, deviceId: '0000beef', counter: 7, command: 'setting', param: 3 })).toBe('invalid');
    expect(await bridge.handleDownlink({ v: 1, deviceId: '0000beef', counter: 7, command: 'received', setting: 'sens', param: 0 })).toBe('invalid');
    expect(ble.sent).toHaveLength(1);
    expect(bridge.counters.get('downlinks_invalid')).toBe(3);
  });

  it("starts a device it never heard from the centre's last counter: full counters rebuilt, older frames refused", async () => {
    const { bridge, keyring, published, clock } = setup();
    const last = 2 ** 24 + 5; // the pendant's counter already passed the 24 bits on air
    keyring.apply({ v: 1, siteId: 's1', at: 2, devices: [{ deviceId: '0000beef', key: KEY_HEX, lastCounter: last }] });
    const frame = (c: number) => ({ payload: encodeUplink({ deviceId: 0xbeef, counter: c, type: 'sos' }, KEY), kind: 'ble' as const, transportId: 'ble0', address: 'x', rssiDbm: -60, snrDb: null, receivedAt: clock.now() });
    await bridge.handleFrame(frame(last)); // the centre has it already
    await bridge.handleFrame(frame(last + 1));
    expect(published.map((p) => p.decoded.counter)).toEqual([last + 1]);
    expect(bridge.counters.get('duplicates')).toBe(1);
  });
});
