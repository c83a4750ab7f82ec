/**
 * The built LoRa firmware (Puck.js v2 + RN2483 or RAK3172 on Serial1) in the stand-in: the modem is
 * configured with its real P2P command set, frames go over the virtual air to a gateway's LoRa
 * transport, and downlinks come back inside the receive window after each uplink.
 */
import { VirtualClock } from '../../common/clock';
import { decodeUplink, encodeDownlink, type UplinkMessage } from '../../protocol/src';
import { VirtualAir } from '../../simulator/src/air';
import { loraModemOf } from '../../simulator/src/espruino/profiles';
import { VirtualPendant } from '../../simulator/src/pendant';
import { VirtualLoraTransport } from '../../simulator/src/virtual-lora-transport';
import { DEV, DEV_HEX, KEY, KEY_HEX } from './helpers';

interface LoraRig {
  clock: VirtualClock;
  pendant: VirtualPendant;
  gateway: VirtualLoraTransport;
  heard: { atMs: number; frame: UplinkMessage; address: string }[];
  of(type: string): UplinkMessage[];
}

async function setup(modem: 'rn2483' | 'rak3172', settings: Record<string, unknown> = {}, gatewaySf = 9): Promise<LoraRig> {
  const clock = new VirtualClock();
  const air = new VirtualAir({ clock, seed: 7, noiseDb: 0 });
  const gateway = new VirtualLoraTransport({ id: 'lora0', air, position: { x: 0, y: 0 }, params: { freqHz: 869_525_000, sf: gatewaySf, bwKHz: 125, cr: 5, preamble: 8 } });
  await gateway.start();
  const heard: LoraRig['heard'] = [];
  gateway.on('frame', (f) => {
    const r = decodeUplink(f.payload, (id) => (id === DEV ? { key: KEY } : undefined));
    if (r.ok) heard.push({ atMs: f.receivedAt, frame: r.frame, address: f.address });
  });
  const pendant = new VirtualPendant({ board: 'lora', deviceId: DEV_HEX, key: KEY_HEX, clock, air, position: { x: 300, y: 0 }, loraModem: modem, settings: { scan: 0, modem, ...settings } });
  pendant.start();
  return { clock, pendant, gateway, heard, of: (t) => heard.filter((h) => h.frame.type === t).map((h) => h.frame) };
}

describe.each(['rn2483', 'rak3172'] as const)('LoRa pendant with %s', (modem) => {
  it('configures the modem for P2P with its own commands and sends the boot heartbeat', async () => {
    const rig = await setup(modem);
    rig.clock.advance(5000);
    const log = loraModemOf(rig.pendant.board)!.log;
    if (modem === 'rn2483') {
      expect(log.slice(0, 9)).toEqual(['mac pause', 'radio set mod lora', 'radio set freq 869525000', 'radio set sf sf9', 'radio set bw 125', 'radio set cr 4/5', 'radio set pwr 14', 'radio set crc on', 'radio set wdt 3000']);
      expect(log[9]).toMatch(/^radio tx [0-9a-f]{48}$/);
      expect(log[10]).toBe('radio rx 0');
    } else {
      expect(log.slice(0, 2)).toEqual(['AT+NWM=0', 'AT+P2P=869525000:9:125:0:8:14']);
      expect(log).toContain('AT+LPM=1');
      expect(log.find((l) => l.startsWith('AT+PSEND='))).toMatch(/^AT\+PSEND=[0-9a-f]{48}$/);
      expect(log).toContain('AT+PRECV=3000');
    }
    expect(rig.of('heartbeat')).toHaveLength(1);
    expect(rig.heard[0]!.address).toBe(`lora:${DEV_HEX}`);
    expect(rig.pendant.board.advert).toBeUndefined(); // no BLE adverts on the LoRa board
    expect(rig.pendant.board.errors).toEqual([]);
  });

  it('repeats an SOS until the gateway answers in the receive window, then slows down', async () => {
    const rig = await setup(modem);
    rig.clock.advance(5000);
    rig.pendant.sos();
    rig.clock.advance(2500);
    const sos = rig.of('sos');
    expect(sos).toHaveLength(1);
    // the centre's answer arrives while the pendant listens after this uplink
    await rig.gateway.send(`lora:${DEV_HEX}`, encodeDownlink({ deviceId: DEV, counter: sos[0]!.counter, command: 'received', param: 0 }, KEY));
    rig.clock.advance(25_000);
    expect(rig.of('sos')).toHaveLength(1); // next repeat only after the slow period
    rig.clock.advance(10_000);
    expect(rig.of('sos')).toHaveLength(2);
  });

  it('gets a downlink held by the gateway with its next uplink (class-A style)', async () => {
    const rig = await setup(modem, { rep: [20] });
    rig.clock.advance(5000);
    rig.pendant.sos();
    rig.clock.advance(2500);
    const first = rig.of('sos')[0]!;
    rig.clock.advance(4000); // the receive window after the first uplink has closed
    let sent = false;
    const p = rig.gateway.send(`lora:${DEV_HEX}`, encodeDownlink({ deviceId: DEV, counter: first.counter, command: 'received', param: 0 }, KEY)).then(() => (sent = true));
    rig.clock.advance(1000);
    await Promise.resolve();
    expect(sent).toBe(false);
    rig.clock.advance(16_000); // the second uplink, 20 s after the first, is answered in its window
    await p;
    expect(rig.of('sos')).toHaveLength(2);
    rig.clock.advance(25_000);
    expect(rig.of('sos')).toHaveLength(2); // received: the next repeat is 30 s away
  });
});

describe('LoRa channel', () => {
  it('is not heard by a gateway on another spreading factor', async () => {
    const rig = await setup('rn2483', {}, 10);
    rig.clock.advance(10_000);
    expect(rig.heard).toHaveLength(0);
  });

  it('keeps within the 10 % duty cycle: the receive window grows with the spreading factor', async () => {
    const rig = await setup('rn2483', { sf: 12 }, 12);
    rig.clock.advance(5000);
    const modem = loraModemOf(rig.pendant.board)!;
    expect(modem.log).toContain('radio set wdt 17695'); // 9 x ~60 symbols of 32.8 ms
    expect(modem.wdtMs).toBe(17695);
  });
});
