/** Beacon positions on the built Puck.js firmware: duty-cycled scans, strongest iBeacon, zone changes, privacy. */
import { VirtualClock } from '../../common/clock';
import { VirtualAir } from '../../simulator/src/air';
import { boot, type Rig } from './helpers';

const SITE_UUID = 'f7826da64fa24e988024bc5b71e0893e';

function ibeacon(uuidHex: string, major: number, minor: number): Uint8Array {
  const uuid = uuidHex.match(/../g)!.map((h) => parseInt(h, 16));
  return Uint8Array.from([2, 1, 6, 26, 0xff, 0x4c, 0x00, 0x02, 0x15, ...uuid, major >> 8, major & 255, minor >> 8, minor & 255, 0xc5]);
}

function onAir(settings: Record<string, unknown> = {}): { rig: Rig; air: VirtualAir } {
  const clock = new VirtualClock();
  const air = new VirtualAir({ clock, seed: 5, noiseDb: 0 });
  air.addBeacon('b1', { x: 0, y: 0 }, ibeacon(SITE_UUID, 12, 1));
  air.addBeacon('b2', { x: 30, y: 0 }, ibeacon(SITE_UUID, 12, 2));
  air.addBeacon('shop', { x: 1, y: 1 }, ibeacon('00'.repeat(16), 1, 1));
  const rig = boot({ clock, settings: { scan: 60, bcn: SITE_UUID, ...settings } });
  air.attachBoard(rig.board, { x: 2, y: 0 });
  return { rig, air };
}

describe('beacon positions', () => {
  it('scans 1.5 s a minute while protected and reports the strongest site beacon in frames', () => {
    const { rig } = onAir();
    let scanning = 0;
    let since = rig.clock.now();
    rig.board.on('scan', (on) => {
      if (!on) scanning += rig.clock.now() - since;
      since = rig.clock.now();
    });
    rig.clock.advance(110_000); // scans at 0 and 60 s
    expect(scanning).toBe(2 * 1500);
    const hb = rig.of('heartbeat').at(-1)!;
    expect(hb.position).toMatchObject({ kind: 'beacon', beaconId: (12 << 16) | 1 });
    expect((hb.position as { ageS: number }).ageS).toBeLessThan(60);
  });

  it('sends a position frame when the worker walks into another zone', () => {
    const { rig, air } = onAir();
    rig.clock.advance(2000);
    expect(rig.of('position')).toEqual([expect.objectContaining({ position: expect.objectContaining({ beaconId: (12 << 16) | 1 }) })]);
    air.move(rig.board.address, { x: 29, y: 0 });
    rig.clock.advance(61_000);
    expect(rig.of('position').map((p) => (p.position as { beaconId: number }).beaconId)).toEqual([(12 << 16) | 1, (12 << 16) | 2]);
  });

  it('ignores beacons of other UUIDs when one is configured, and any iBeacon counts when none is', () => {
    const { rig } = onAir({ bcn: '' });
    rig.clock.advance(2000);
    expect((rig.of('position')[0]!.position as { beaconId: number }).beaconId).toBe(65537); // the shop's, nearest
  });

  it('does not scan, and shares no position, with protection off', () => {
    const { rig } = onAir({ prot: 0 });
    let scans = 0;
    rig.board.on('scan', () => scans++);
    rig.clock.advance(300_000);
    expect(scans).toBe(0);
    rig.board.press('BTN', 2300);
    rig.clock.advance(2100);
    expect(rig.of('sos')[0]!.position).toBeNull();
  });
});
