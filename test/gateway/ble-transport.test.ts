/**
 * The BLE transport: the real noble on this machine (no Bluetooth adapter: the `unavailable` path
 * is real), and real noble code over fake HCI bindings for scanning and GATT downlinks.
 */
import { SystemClock, VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { BleTransport } from '../../gateway/src/transport/ble';
import type { RadioFrame, TransportStatus } from '../../gateway/src/transport/types';
import { BLE_COMPANY_ID, GATT_DOWNLINK_UUID, GATT_SERVICE_UUID } from '../../protocol/src';
import { FakeNobleBindings } from './fake-noble-bindings';
import { waitForEvent } from '../../rig/wait';

const log = createLogger('test', 'silent');
const SVC = GATT_SERVICE_UUID.replace(/-/g, '');
const CHR = GATT_DOWNLINK_UUID.replace(/-/g, '');
const FRAME = Buffer.from('100000beef000005aabbccddeeff00112233445566778899', 'hex');
const mfr = (companyId: number, frame: Buffer): Buffer => Buffer.concat([Buffer.from([companyId & 0xff, companyId >> 8]), frame]);

function fakeRig(state: 'poweredOn' | 'poweredOff' = 'poweredOn', gattStepTimeoutMs = 2000) {
  const bindings = new FakeNobleBindings(state);
  bindings.addPendant({ id: 'c0ffee000001', address: 'c0:ff:ee:00:00:01', gatt: { [SVC]: [CHR] } });
  const transport = new BleTransport({ id: 'ble0', clock: new SystemClock(), log, loadNoble: () => bindings.noble(), gattStepTimeoutMs });
  return { bindings, transport };
}

describe('BLE transport on this machine (no Bluetooth adapter)', () => {
  it('reports unavailable with the reason, refuses downlinks, and stops cleanly', async () => {
    // noble's HCI layer prints its own "adapter does not support BLE" hint with console.log
    const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const t = new BleTransport({ id: 'ble0', clock: new SystemClock(), log, powerOnTimeoutMs: 5000 });
    await t.start();
    expect(t.status().state).toBe('unavailable');
    expect(t.status().detail).toMatch(/^no Bluetooth LE adapter found/);
    await expect(t.send('c0:ff:ee:00:00:01', new Uint8Array(16))).rejects.toMatchObject({ code: 'not_running' });
    await t.stop();
    expect(t.status().state).toBe('stopped');
    quiet.mockRestore();
  });
});

describe('BLE transport over noble with fake HCI bindings', () => {
  it('scans with duplicates allowed and emits every Vigil advert with its RSSI', async () => {
    const { bindings, transport } = fakeRig();
    await transport.start();
    try {
      expect(transport.status().state).toBe('running');
      expect(bindings.scans).toEqual([{ serviceUuids: [], allowDuplicates: true }]);
      const frames: RadioFrame[] = [];
      transport.on('frame', (f) => frames.push(f));
      const two = waitForEvent(transport, 'frame', () => frames.length === 2);
      bindings.advertise('c0ffee000001', mfr(0x004c, Buffer.alloc(24)), -50); // an iBeacon-ish stranger
      bindings.advertise('c0ffee000001', mfr(BLE_COMPANY_ID, FRAME), -71);
      bindings.advertise('c0ffee000001', mfr(BLE_COMPANY_ID, FRAME), -73); // the same advert again
      await two;
      expect(frames.map((f) => [f.address, f.rssiDbm, f.kind, f.transportId])).toEqual([
        ['c0:ff:ee:00:00:01', -71, 'ble', 'ble0'],
        ['c0:ff:ee:00:00:01', -73, 'ble', 'ble0'],
      ]);
      expect(Buffer.from(frames[0]!.payload).equals(FRAME)).toBe(true);
      expect(transport.counters.get('adverts_ignored')).toBe(1);
    } finally {
      await transport.stop();
    }
    expect(bindings.stopped).toBe(1);
  });

  it('writes a downlink to the GATT characteristic with a response, then disconnects and scans again', async () => {
    const { bindings, transport } = fakeRig();
    await transport.start();
    try {
      const heard = waitForEvent<[RadioFrame]>(transport, 'frame');
      bindings.advertise('c0ffee000001', mfr(BLE_COMPANY_ID, FRAME), -60);
      const [f] = await heard;
      const down = Uint8Array.from(Buffer.from('110000beef00000005010000a1b2c3d4', 'hex'));
      await transport.send(f.address, down);
      expect(bindings.writes).toEqual([{ id: 'c0ffee000001', service: SVC, characteristic: CHR, data: Buffer.from(down), withoutResponse: false }]);
      expect(bindings.disconnects).toEqual(['c0ffee000001']);
      expect(transport.counters.get('downlinks_sent')).toBe(1);
    } finally {
      await transport.stop();
    }
  });

  it('fails a downlink to a pendant out of reach with a timeout and cancels the connection', async () => {
    const { bindings, transport } = fakeRig('poweredOn', 200);
    bindings.addPendant({ id: 'c0ffee000002', address: 'c0:ff:ee:00:00:02', gatt: {}, unreachable: true });
    await transport.start();
    try {
      const heard = waitForEvent<[RadioFrame]>(transport, 'frame');
      bindings.advertise('c0ffee000002', mfr(BLE_COMPANY_ID, FRAME), -90);
      await heard;
      await expect(transport.send('c0:ff:ee:00:00:02', new Uint8Array(16))).rejects.toMatchObject({ code: 'timeout', message: expect.stringContaining('connect to c0:ff:ee:00:00:02 took longer than 200 ms') });
      expect(bindings.cancels).toEqual(['c0ffee000002']);
      await expect(transport.send('c0:ff:ee:00:00:09', new Uint8Array(16))).rejects.toMatchObject({ code: 'unreachable' });
    } finally {
      await transport.stop();
    }
  });

  it('refuses a downlink to a device without the Vigil characteristic', async () => {
    const { bindings, transport } = fakeRig();
    bindings.addPendant({ id: 'c0ffee000003', address: 'c0:ff:ee:00:00:03', gatt: { '180f': ['2a19'] } });
    await transport.start();
    try {
      const heard = waitForEvent<[RadioFrame]>(transport, 'frame');
      bindings.advertise('c0ffee000003', mfr(BLE_COMPANY_ID, FRAME), -60);
      await heard;
      await expect(transport.send('c0:ff:ee:00:00:03', new Uint8Array(16))).rejects.toMatchObject({ code: 'unreachable' });
      expect(bindings.writes).toHaveLength(0);
    } finally {
      await transport.stop();
    }
  });

  it('follows the adapter: powered off → unavailable with the reason; powered on → scanning again', async () => {
    const { bindings, transport } = fakeRig('poweredOff');
    await transport.start();
    try {
      expect(transport.status()).toMatchObject({ state: 'unavailable', detail: expect.stringContaining('powered off') });
      const running = waitForEvent<[TransportStatus]>(transport, 'status', (s) => s.state === 'running');
      bindings.setAdapterState('poweredOn');
      await running;
      expect(bindings.scans).toHaveLength(1);
      const off = waitForEvent<[TransportStatus]>(transport, 'status', (s) => s.state === 'unavailable');
      bindings.setAdapterState('unauthorized');
      expect((await off)[0].detail).toContain('CAP_NET_RAW');
    } finally {
      await transport.stop();
    }
  });

  it('finds an adapter plugged in after start by trying again from scratch', async () => {
    const clock = new VirtualClock();
    const missing = new FakeNobleBindings('unsupported');
    const plugged = new FakeNobleBindings('poweredOn');
    const loads = [missing, plugged];
    const transport = new BleTransport({ id: 'ble0', clock, log, retryMs: 30_000, loadNoble: () => loads.shift()!.noble() });
    try {
      await transport.start();
      expect(transport.status()).toMatchObject({ state: 'unavailable', detail: expect.stringContaining('no Bluetooth LE adapter') });
      const running = waitForEvent<[TransportStatus]>(transport, 'status', (s) => s.state === 'running');
      clock.advance(30_000);
      await running;
      expect(missing.stopped).toBe(1); // the old HCI socket was let go
      expect(plugged.scans).toEqual([{ serviceUuids: [], allowDuplicates: true }]);
      expect(transport.counters.get('adapter_retries')).toBe(1);
    } finally {
      await transport.stop();
    }
    expect(clock.pending).toBe(0);
  });
});
