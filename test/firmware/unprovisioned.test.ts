/**
 * A pendant with no key (as `make flash` without SETTINGS leaves it) boots without an error, says it
 * is not provisioned — four red flashes of 300 ms on a Puck, a message on a Bangle — on every press,
 * never turns protection on, sends nothing, and ignores whatever a stranger writes to it over GATT.
 * Before December 2026 it crashed in the CCM seal in the real interpreter (ESPRUINO.md §8).
 */
import { VirtualClock } from '../../common/clock';
import { type FirmwareBoard, loadDist } from '../../firmware/tools/build';
import { GATT_DOWNLINK_UUID, GATT_SERVICE_UUID } from '../../protocol/src';
import { tapBangle } from '../../simulator/src/espruino/bangle';
import { VirtualBoard } from '../../simulator/src/espruino/board';

function unprovisioned(board: FirmwareBoard): { b: VirtualBoard; clock: VirtualClock; redOn: number[]; screens: string[]; adverts: number } {
  const clock = new VirtualClock();
  const b = new VirtualBoard({ board, clock });
  const out = { b, clock, redOn: [] as number[], screens: [] as string[], adverts: 0 };
  b.on('led', (e) => e.name === 'LED1' && e.on && out.redOn.push(e.atMs));
  b.on('draw', (e) => e.text && out.screens.push(e.text));
  b.on('advertising', (a) => a?.packets.some((p) => p.length > 20) && out.adverts++);
  b.boot(loadDist(board));
  clock.advance(3000);
  return out;
}

describe.each(['puckjs', 'lora', 'bangle2'] as const)('an unprovisioned %s', (board) => {
  it('boots without an error and says so, at boot and on a press', () => {
    const r = unprovisioned(board);
    expect(r.b.errors).toEqual([]);
    if (board === 'bangle2') expect(r.screens.join('|')).toContain('Not provisioned');
    else expect(r.redOn).toHaveLength(4); // "14030": LED1, 4 flashes of 300 ms
    r.b.press('BTN', 100);
    r.clock.advance(3000);
    if (board === 'bangle2') expect(r.screens.filter((s) => s.includes('Not provisioned')).length).toBeGreaterThanOrEqual(2);
    else expect(r.redOn).toHaveLength(8);
  });

  it('does not turn protection on, sends nothing, survives a stranger\'s GATT write', () => {
    const r = unprovisioned(board);
    for (let i = 0; i < 3; i++) {
      r.b.press('BTN', 80);
      r.clock.advance(250);
    }
    r.b.press('BTN', 2500); // an SOS hold
    r.clock.advance(5000);
    if (board === 'bangle2') tapBangle(r.b, { dir: 'front', double: true }); // duress works with protection off on a watch
    r.clock.advance(1000);
    r.b.gattWrite(GATT_SERVICE_UUID, GATT_DOWNLINK_UUID, Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x11 : i)));
    r.clock.advance(60_000);
    expect(r.b.errors).toEqual([]);
    expect(r.adverts).toBe(0);
    expect(r.b.flash.files.has('vigil.st')).toBe(false);
  });
});
