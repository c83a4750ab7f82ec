/**
 * Every radio transport passes the same contract: the simulator's virtual air (used as is), BLE
 * over the real noble code with fake HCI bindings, and LoRa over each modem on a real
 * pseudo-terminal with a scripted modem.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock, VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { BleTransport } from '../../gateway/src/transport/ble';
import { LoraTransport } from '../../gateway/src/transport/lora/transport';
import type { RadioFrame, RadioTransport } from '../../gateway/src/transport/types';
import { BLE_COMPANY_ID, GATT_DOWNLINK_UUID, GATT_SERVICE_UUID } from '../../protocol/src';
import { VirtualAir } from '../../simulator/src/air';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { VirtualBleTransport } from '../../simulator/src/virtual-transport';
import { ScriptedModem, type ModemModelName } from '../../rig/modem';
import { PtyPair } from '../../rig/pty';
import { waitForEvent } from '../../rig/wait';
import { FakeNobleBindings } from './fake-noble-bindings';
import { describeTransport, type TransportHarness } from './transport-contract';

const log = createLogger('test', 'silent');
const bytesList = (b: Uint8Array): string => Array.from(b).join(',');

/** Waits for the transport to emit `frame` if it is running; a stopped one must stay silent. */
async function carried(t: RadioTransport, frame: Uint8Array, put: () => void): Promise<void> {
  if (t.status().state !== 'running') return put();
  const heard = waitForEvent<[RadioFrame]>(t, 'frame', (f) => Buffer.from(f.payload).equals(Buffer.from(frame)), 5000, 'the transport to hear the frame');
  put();
  await heard;
}

describeTransport('virtual BLE air (simulator)', async (): Promise<TransportHarness> => {
  const clock = new VirtualClock();
  const air = new VirtualAir({ clock, seed: 7 });
  const board = new VirtualBoard({ board: 'puckjs', clock, address: 'c0:ff:ee:00:00:01' });
  board.boot(`var writes = []; NRF.setServices({'${GATT_SERVICE_UUID}': {'${GATT_DOWNLINK_UUID}': {value: [0], writable: true, onWrite: function (e) { writes.push(new Uint8Array(e.data)); }}}});`);
  air.attachBoard(board, { x: 2, y: 0 });
  const transport = new VirtualBleTransport({ id: 'ble0', air, position: { x: 0, y: 0 }, captureProbability: 1 });
  const advertise = (company: number, data: Uint8Array): void => void board.evaluate(`NRF.setAdvertising({}, {manufacturer: ${company}, manufacturerData: [${bytesList(data)}], interval: 100})`);
  return {
    transport,
    transmit: async (frame) => {
      advertise(BLE_COMPANY_ID, frame);
      await clock.advanceAsync(250);
    },
    transmitForeign: async () => {
      advertise(0x004c, new Uint8Array(23).fill(2));
      await clock.advanceAsync(250);
      return Uint8Array.of(0x4c, 0x00, ...new Uint8Array(23).fill(2));
    },
    received: () => (board.evaluate('writes') as ArrayLike<number>[]).map((w) => Uint8Array.from(Array.from(w))),
    quiesce: () => clock.advanceAsync(10),
    drive: async (p) => {
      let done = false;
      const settled = p.finally(() => (done = true));
      while (!done) await clock.advanceAsync(50);
      return settled;
    },
    close: async () => {
      board.shutdown();
      air.stop();
    },
  };
});

describeTransport('BLE over noble (fake HCI bindings)', async (): Promise<TransportHarness> => {
  const bindings = new FakeNobleBindings('poweredOn');
  const svc = GATT_SERVICE_UUID.replace(/-/g, '');
  const chr = GATT_DOWNLINK_UUID.replace(/-/g, '');
  bindings.addPendant({ id: 'c0ffee000001', address: 'c0:ff:ee:00:00:01', gatt: { [svc]: [chr] } });
  const transport = new BleTransport({ id: 'ble1', clock: new SystemClock(), log, loadNoble: () => bindings.noble() });
  const mfr = (company: number, data: Uint8Array): Buffer => Buffer.concat([Buffer.from([company & 0xff, company >> 8]), Buffer.from(data)]);
  return {
    transport,
    transmit: (frame) => carried(transport, frame, () => bindings.advertise('c0ffee000001', mfr(BLE_COMPANY_ID, frame), -64)),
    transmitForeign: async () => {
      const data = mfr(0x0059, new Uint8Array(24).fill(9));
      bindings.advertise('c0ffee000001', data, -64);
      return Uint8Array.from(data);
    },
    received: () => bindings.writes.map((w) => Uint8Array.from(w.data)),
    quiesce: () => new Promise((resolve) => setImmediate(resolve)),
    drive: (p) => p,
    close: async () => undefined,
  };
});

function describeLora(model: ModemModelName): void {
  describeTransport(`LoRa P2P over a scripted ${model} on a pseudo-terminal`, async (): Promise<TransportHarness> => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-contract-'));
    const pty = await PtyPair.open(dir);
    const modem = await ScriptedModem.open({ model, path: pty.modemPath });
    const transport = new LoraTransport({ id: `lora-${model}`, path: pty.gatewayPath, modem: model, clock: new SystemClock(), log, watchdogMs: 3_600_000 });
    return {
      transport,
      transmit: async (frame) => {
        // An RN2483 listens again only once told to after each packet.
        if (transport.status().state === 'running' && !modem.receiving) await waitForEvent(modem, 'receiving', (on: boolean) => on);
        await carried(transport, frame, () => void modem.receive(frame, -98, 5));
      },
      transmitForeign: async () => {
        if (transport.status().state === 'running' && !modem.receiving) await waitForEvent(modem, 'receiving', (on: boolean) => on);
        modem.receive(new Uint8Array(0), -110, -4); // an empty packet: noise that passed the CRC
        return new Uint8Array(0);
      },
      received: () => modem.transmitted,
      // Proving that nothing arrives takes a quiet period on real I/O (not a synchronisation wait).
      quiesce: () => new Promise((resolve) => setTimeout(resolve, 100)),
      drive: (p) => p,
      close: async () => {
        await modem.close();
        await pty.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

describeLora('rn2483');
describeLora('rak3172');
