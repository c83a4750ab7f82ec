/** The built Puck.js file in the stand-in: SOS frames, repeat until acknowledged, counters across reboots. */
import { VirtualClock } from '../../common/clock';
import { loadDist } from '../../firmware/tools/build';
import { decodeUplink, encodeDownlink, fromHex, GATT_DOWNLINK_UUID, GATT_SERVICE_UUID, type UplinkMessage } from '../../protocol/src';
import { parseAdvert } from '../../simulator/src/espruino/advert';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { toBytes } from '../../simulator/src/espruino/storage';

const KEY_HEX = '2b7e151628aed2a6abf7158809cf4f3c';
const KEY = fromHex(KEY_HEX)!;
const DEV = 0x1234abcd;

function boot(clock: VirtualClock, board?: VirtualBoard): VirtualBoard {
  const b = board ?? new VirtualBoard({ board: 'puckjs', clock, batteryPct: 77 });
  if (!board) b.flash.files.set('vigil.json', toBytes(JSON.stringify({ id: '1234abcd', key: KEY_HEX })));
  b.boot(loadDist('puckjs'));
  return b;
}

function onAir(b: VirtualBoard): UplinkMessage {
  const mfr = parseAdvert(b.advert!.bytes).manufacturerData!;
  const r = decodeUplink(mfr, (id) => (id === DEV ? { key: KEY } : undefined));
  if (!r.ok) throw new Error(`frame on air does not verify: ${r.code}`);
  return r.frame;
}

describe('Puck.js firmware (walking skeleton)', () => {
  it('sends an authenticated SOS on a button press and repeats it with new counters until "received"', () => {
    const clock = new VirtualClock();
    const b = boot(clock);
    expect(b.errors).toEqual([]);
    b.press();
    clock.advance(100);
    const first = onAir(b);
    expect(first).toMatchObject({ type: 'sos', batteryPct: 77, detail: 0 });
    clock.advance(2000);
    const second = onAir(b);
    expect(second.counter).toBe(first.counter + 1);
    expect(second.ref).toBe(first.counter);
    expect(second.detail).toBe(1);

    const ack = encodeDownlink({ deviceId: DEV, counter: second.counter, command: 'received', param: 0 }, KEY);
    expect(b.gattWrite(GATT_SERVICE_UUID, GATT_DOWNLINK_UUID, ack)).toBe(true);
    clock.advance(60_000);
    expect(onAir(b).counter).toBe(second.counter); // no more repeats
    expect(b.errors).toEqual([]);
  });

  it('ignores a downlink sealed with the wrong key', () => {
    const clock = new VirtualClock();
    const b = boot(clock);
    b.press();
    clock.advance(100);
    const f = onAir(b);
    const forged = encodeDownlink({ deviceId: DEV, counter: f.counter, command: 'received', param: 0 }, fromHex('00'.repeat(16))!);
    b.gattWrite(GATT_SERVICE_UUID, GATT_DOWNLINK_UUID, forged);
    clock.advance(2100);
    expect(onAir(b).counter).toBe(f.counter + 1); // still repeating
  });

  it('never reuses a counter across reboots', () => {
    const clock = new VirtualClock();
    const b = boot(clock);
    b.press();
    clock.advance(100);
    const before = onAir(b).counter;
    b.reboot();
    b.press();
    clock.advance(100);
    expect(onAir(b).counter).toBeGreaterThan(before);
  });
});
