/**
 * Positions and privacy: stored only while protected or in an alarm, beacons resolved to zones,
 * the last known position (with its age) attached to an alarm raised without one, updated while the
 * alarm is open, and purged after the retention.
 */
import type { LivePosition } from '../../centre/src/domain/live';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';

const S = 1000;
const BEACON = (1 << 16) | 7;

describe('positions', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
    await h.centre.store.putEntity('zone', { id: 'boiler', siteId: SITE, name: 'Boiler room', floor: '-1', lat: null, lon: null, x: 12, y: 4 });
    await h.centre.store.putEntity('beacon', { id: String(BEACON), siteId: SITE, zoneId: 'boiler', name: 'B7' });
    await h.centre.positions.refresh();
  });

  afterEach(async () => {
    await h.stop();
  });

  it('keeps no position of a worker who is neither protected nor in an alarm', async () => {
    await h.frame('position', { position: { kind: 'gps', lat: 48.85, lon: 2.35 } });
    expect(await h.centre.store.latestPosition('0000beef')).toBeUndefined();
    expect(h.centre.ingest.counters.get('positions_withheld')).toBe(1);
  });

  it('keeps positions while protected, and attaches the last one (zone, age) to an alarm raised without one', async () => {
    await h.frame('protection_on');
    await h.frame('heartbeat', { position: { kind: 'beacon', beaconId: BEACON, rssiDbm: -61, ageS: 4 } });
    const seenAt = h.clock.now();
    expect(await h.centre.store.latestPosition('0000beef')).toMatchObject({ kind: 'beacon', beaconId: String(BEACON), zoneId: 'boiler', at: seenAt - 4 * S });
    await h.advance(50 * S);
    await h.frame('sos');
    const [alarm] = await h.centre.store.listAlarms({ states: ['raised'] });
    expect(alarm).toMatchObject({ position: { kind: 'beacon', beaconId: BEACON }, positionAt: seenAt - 4 * S });
    const published = h.bus.on(`/alarms/${alarm!.id}`).at(-1)!;
    expect(published['text']).toBe('Boiler room, floor -1');
    const place = await h.centre.positions.describe(alarm!.position ?? null);
    expect(place).toMatchObject({ label: 'Boiler room, floor -1', zoneId: 'boiler', x: 12, y: 4 });
  });

  it('follows the worker during an open alarm even when not protected, and forgets positions after the retention', async () => {
    await h.frame('sos', { position: { kind: 'gps', lat: 48.85, lon: 2.35 } });
    await h.advance(20 * S);
    await h.frame('position', { position: { kind: 'gps', lat: 48.86, lon: 2.36 } });
    const [alarm] = await h.centre.store.listAlarms({ states: ['raised'] });
    expect(alarm!.position).toMatchObject({ kind: 'gps' });
    expect(alarm!.position!.lat).toBeCloseTo(48.86, 4);
    expect(alarm!.positionAt).toBe(h.clock.now());
    await h.centre.purge(h.clock.now() + 29 * 86_400 * S);
    expect(await h.centre.store.latestPosition('0000beef')).toBeDefined();
    await h.centre.purge(h.clock.now() + 31 * 86_400 * S); // default retention: 30 days
    expect(await h.centre.store.latestPosition('0000beef')).toBeUndefined();
  });
});

describe('positions on the live map', () => {
  let h: Harness;
  const events: LivePosition[] = [];

  beforeEach(async () => {
    events.length = 0;
    h = await startHarness();
    await h.centre.store.putEntity('zone', { id: 'boiler', siteId: SITE, name: 'Boiler room', floor: '-1', lat: null, lon: null, x: 12, y: 4 });
    await h.centre.store.putEntity('beacon', { id: String(BEACON), siteId: SITE, zoneId: 'boiler', name: 'B7' });
    await h.centre.positions.refresh();
    h.centre.live.subscribe((e) => (e.type === 'position' ? void events.push(e.position) : undefined));
  });

  afterEach(async () => {
    await h.stop();
  });

  const at = async (position: NonNullable<Parameters<Harness['frame']>[1]>['position']): Promise<void> => {
    await h.frame('position', { position });
    await h.advance(20);
  };

  it('sends a kept position when it changes or a minute passed, never one that is not kept', async () => {
    await at({ kind: 'gps', lat: 48.85, lon: 2.35 });
    expect(events).toEqual([]); // not protected: not kept, not sent
    await h.frame('protection_on');
    await at({ kind: 'gps', lat: 48.85, lon: 2.35 });
    expect(events).toEqual([expect.objectContaining({ deviceId: '0000beef', workerId: 'w1', siteId: SITE, place: expect.objectContaining({ label: 'GPS 48.85000, 2.35000' }) })]);
    await h.advance(10 * S);
    await at({ kind: 'gps', lat: 48.85002, lon: 2.35 }); // 2 m: the same place
    expect(events).toHaveLength(1);
    await at({ kind: 'gps', lat: 48.8501, lon: 2.35 }); // 11 m: a move
    expect(events).toHaveLength(2);
    await at({ kind: 'beacon', beaconId: BEACON, rssiDbm: -60, ageS: 3 }); // another kind of place
    expect(events).toHaveLength(3);
    expect(events[2]).toMatchObject({ at: h.clock.now() - 20 - 3 * S, place: { zoneId: 'boiler', x: 12, y: 4 } });
    await h.advance(30 * S);
    await at({ kind: 'beacon', beaconId: BEACON, rssiDbm: -62, ageS: 1 });
    expect(events).toHaveLength(3);
    await h.advance(31 * S); // a minute since the last one sent: sent again, its age restarts
    await at({ kind: 'beacon', beaconId: BEACON, rssiDbm: -62, ageS: 1 });
    expect(events).toHaveLength(4);
  });
});
