/**
 * Radios in the stand-in: BLE advertising as Espruino does it (name at power-on, NRF.sleep/wake,
 * rotating packets, scan filters) and the LoRa modems on Serial1 answering like an RN2483 and a
 * RAK3172 in P2P mode, with real time on air, and the gateway's LoRa transport.
 */
import { VirtualClock } from '../../common/clock';
import { VirtualAir } from '../../simulator/src/air';
import { parseAdvert } from '../../simulator/src/espruino/advert';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { loraAirtimeMs } from '../../simulator/src/espruino/lora-modem';
import { loraModemOf } from '../../simulator/src/espruino/profiles';
import { VirtualLoraTransport } from '../../simulator/src/virtual-lora-transport';

describe('BLE in the stand-in', () => {
  it('advertises the board name from power-on until the firmware says otherwise; sleep and wake', () => {
    const clock = new VirtualClock();
    const b = new VirtualBoard({ board: 'puckjs', clock, address: 'c0:ff:ee:00:12:34 random' });
    b.boot('');
    expect(parseAdvert(b.advert!.bytes).name).toBe('Puck.js 1234');
    b.evaluate('NRF.sleep()');
    expect(b.advert).toBeUndefined();
    b.evaluate('NRF.setAdvertising({}, { showName: false, manufacturer: 0xFFFF, manufacturerData: [1, 2] })');
    expect(b.advert).toBeUndefined(); // kept for NRF.wake()
    b.evaluate('NRF.wake()');
    expect(Array.from(parseAdvert(b.advert!.bytes).manufacturerData!)).toEqual([1, 2]);
  });

  it('rotates an array of packets, one per advertising event', () => {
    const clock = new VirtualClock();
    const air = new VirtualAir({ clock, seed: 1, noiseDb: 0 });
    const b = new VirtualBoard({ board: 'puckjs', clock });
    b.boot('NRF.setAdvertising([[2, 1, 6, 4, 0xFF, 0xFF, 0xFF, 1], [2, 1, 6, 4, 0xFF, 0xFF, 0xFF, 2]], { interval: 100 });');
    air.attachBoard(b, { x: 0, y: 0 });
    const heard: number[] = [];
    air.addScanner({ id: 'gw', position: { x: 1, y: 0 }, captureProbability: 1, onAdvert: (h) => heard.push(parseAdvert(h.bytes).manufacturerData![0]!) });
    clock.advance(1000);
    expect(heard.slice(0, 6)).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('passes scan results through NRF.setScan filters', () => {
    const clock = new VirtualClock();
    const air = new VirtualAir({ clock, seed: 1, noiseDb: 0 });
    const b = new VirtualBoard({ board: 'puckjs', clock });
    b.boot('var ids = []; NRF.setScan(function (d) { ids.push(d.manufacturer); }, { filters: [{ manufacturerData: { 0x004C: {} } }] });');
    air.attachBoard(b, { x: 0, y: 0 });
    air.addBeacon('apple', { x: 1, y: 0 }, Uint8Array.from([2, 1, 6, 4, 0xff, 0x4c, 0x00, 9]));
    air.addBeacon('other', { x: 1, y: 0 }, Uint8Array.from([2, 1, 6, 4, 0xff, 0x59, 0x00, 9]));
    clock.advance(5000);
    const ids = b.evaluate('ids') as number[];
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids)).toEqual(new Set([0x4c]));
  });
});

describe('LoRa modems on Serial1', () => {
  function lora(modem: 'rn2483' | 'rak3172', code: string): { b: VirtualBoard; clock: VirtualClock; lines: string[] } {
    const clock = new VirtualClock();
    const b = new VirtualBoard({ board: 'lora', clock, loraModem: modem });
    const lines: string[] = [];
    b.on('serial', (l) => lines.push(l));
    b.boot(`Serial1.setup(${modem === 'rn2483' ? 57600 : 115200}, { rx: D28, tx: D29 }); function w(s) { Serial1.write(s + "\\r\\n"); } ${code}`);
    return { b, clock, lines };
  }

  it('computes time on air with Semtech\'s formula', () => {
    expect(loraAirtimeMs({ sf: 12, bwKHz: 125, cr: 5, preamble: 8 }, 25)).toBeCloseTo(1482.8, 1); // ESPRUINO.md §3: 12 B app + 13 at SF12
    expect(loraAirtimeMs({ sf: 7, bwKHz: 125, cr: 5, preamble: 8 }, 25)).toBeCloseTo(61.7, 1);
    expect(loraAirtimeMs({ sf: 9, bwKHz: 125, cr: 5, preamble: 8 }, 24)).toBeCloseTo(205.8, 1);
  });

  it('RN2483: busy until `mac pause`, checks parameters, times out a receive with radio_err', () => {
    const { clock, lines } = lora('rn2483', 'w("radio tx 0102"); w("mac pause"); w("radio set sf sf13"); w("radio set sf sf9"); w("radio set wdt 500"); w("radio rx 0");');
    clock.advance(1000);
    expect(lines).toEqual(['busy', '4294967245', 'invalid_param', 'ok', 'ok', 'ok', 'radio_err']);
  });

  it('RN2483: answers a transmission with radio_tx_ok after its time on air', () => {
    const { clock, lines } = lora('rn2483', 'w("mac pause"); w("radio set sf sf9"); w("radio tx " + "00".repeat(24));');
    clock.advance(150);
    expect(lines).toEqual(['4294967245', 'ok', 'ok']);
    clock.advance(100);
    expect(lines.at(-1)).toBe('radio_tx_ok');
  });

  it('RAK3172: refuses P2P commands in LoRaWAN mode, restarts on AT+NWM=0, then sends and listens', () => {
    const { b, clock, lines } = lora('rak3172', 'w("AT+PSEND=0102"); w("AT+NWM=0");');
    clock.advance(100);
    expect(lines).toEqual(['AT_MODE_NO_SUPPORT', 'OK']);
    b.evaluate('w("AT")'); // ignored while it restarts
    clock.advance(1000);
    expect(lines.at(-1)).toBe('Current Work Mode: LoRa P2P.');
    b.evaluate('w("AT+P2P=869525000:9:125:0:8:14"); w("AT+P2P=869525000:13:125:0:8:14"); w("AT+PSEND=0102"); ');
    clock.advance(200);
    expect(lines.slice(-4)).toEqual(['OK', 'AT_PARAM_ERROR', 'OK', '+EVT:TXP2P DONE']);
    b.evaluate('w("AT+PRECV=300")');
    clock.advance(400);
    expect(lines.slice(-2)).toEqual(['OK', '+EVT:RXP2P RECEIVE TIMEOUT']);
  });

  it('ignores a host at the wrong baud rate', () => {
    const clock = new VirtualClock();
    const b = new VirtualBoard({ board: 'lora', clock, loraModem: 'rak3172' });
    b.boot('Serial1.setup(57600, { rx: D28, tx: D29 }); Serial1.write("AT\\r\\n");');
    clock.advance(100);
    expect(loraModemOf(b)!.log).toEqual([]);
  });
});

describe('gateway LoRa transport on the virtual air', () => {
  it('holds a downlink for a device it has not heard lately, and gives up after holdMs', async () => {
    const clock = new VirtualClock();
    const air = new VirtualAir({ clock, seed: 1 });
    const t = new VirtualLoraTransport({ id: 'lora0', air, position: { x: 0, y: 0 }, holdMs: 10_000 });
    await t.start();
    const outcome = t.send('lora:0000abcd', new Uint8Array(16)).then(() => 'sent', (e: Error) => e.message);
    clock.advance(11_000);
    expect(await outcome).toContain('no uplink from lora:0000abcd');
    await t.stop();
    await expect(t.send('lora:0000abcd', new Uint8Array(16))).rejects.toThrow('lora0 is stopped');
  });
});
