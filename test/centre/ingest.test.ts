/**
 * Ingest: the two paths. Status frames are de-duplicated in memory and group-committed; frames whose
 * rules must complete are committed one by one and de-duplicated by the store; forged, replayed and
 * malformed input is counted, never thrown.
 */
import { encodeUplink, fromHex, topic, uplinkShard } from '../../protocol/src';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';

describe('ingest', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.stop();
  });

  const payload = (counter: number, type: 'heartbeat' | 'sos', gatewayId: string, key = h.device.key) => ({
    v: 1, siteId: SITE, gatewayId, transport: 'ble', rssiDbm: -70, snrDb: null, receivedAt: h.clock.now(),
    frame: Buffer.from(encodeUplink({ deviceId: 0xbeef, counter, type, batteryPct: 77 }, fromHex(key)!)).toString('hex'),
    decoded: { deviceId: '0000beef', counter, type, batteryPct: 77, position: null },
  });

  it('takes a heartbeat heard by two gateways once, and stores it at the next group commit', async () => {
    await h.bus.deliver(topic.statusUplink(SITE, 'gw-1', uplinkShard('0000beef')), payload(5, 'heartbeat', 'gw-1'));
    await h.bus.deliver(topic.uplink(SITE, 'gw-2'), payload(5, 'heartbeat', 'gw-2')); // a gateway from before the status shards
    expect(h.centre.ingest.counters.snapshot()).toMatchObject({ uplinks_accepted: 1, uplinks_duplicate: 1 });
    expect(h.centre.ingest.known('0000beef')).toMatchObject({ lastCounter: 5, batteryPct: 77 });
    expect((await h.centre.store.getDevice('0000beef'))!.lastCounter).toBe(-1); // not committed yet
    await h.advance(10);
    expect((await h.centre.store.getDevice('0000beef'))!.lastCounter).toBe(5);
    expect(h.centre.writer.counters.get('status_new')).toBe(1);
  });

  it('commits an alarm frame before it is acknowledged, once whatever the number of gateways', async () => {
    await h.bus.deliver(topic.uplink(SITE, 'gw-1'), payload(9, 'sos', 'gw-1'));
    expect((await h.centre.store.getDevice('0000beef'))!.lastCounter).toBe(9);
    await h.bus.deliver(topic.uplink(SITE, 'gw-2'), payload(9, 'sos', 'gw-2'));
    expect(h.centre.ingest.counters.snapshot()).toMatchObject({ uplinks_accepted: 1, uplinks_duplicate: 1 });
    expect(await h.centre.store.listAlarms({})).toHaveLength(1);
  });

  it('takes a status frame on the wrong shard all the same, and counts it', async () => {
    await h.bus.deliver(topic.statusUplink(SITE, 'gw-1', (uplinkShard('0000beef') + 1) % 64), payload(7, 'heartbeat', 'gw-1'));
    expect(h.centre.ingest.counters.snapshot()).toMatchObject({ uplinks_accepted: 1, uplinks_wrong_shard: 1 });
    expect(h.centre.ingest.known('0000beef')).toMatchObject({ lastCounter: 7 });
  });

  it('counts forged, replayed and malformed input, and never throws', async () => {
    await h.bus.deliver(topic.uplink(SITE, 'gw-1'), payload(100, 'heartbeat', 'gw-1'));
    await h.bus.deliver(topic.uplink(SITE, 'gw-1'), payload(101, 'sos', 'gw-1', '00'.repeat(16))); // wrong key
    await h.bus.deliver(topic.uplink(SITE, 'gw-1'), payload(60, 'heartbeat', 'gw-1')); // 40 behind: outside the replay window
    await h.bus.deliver(topic.uplink(SITE, 'gw-1'), '{"v":1');
    await h.bus.deliver(topic.uplink(SITE, 'gw-1'), { ...payload(102, 'heartbeat', 'gw-1'), siteId: 'other-site' });
    expect(h.centre.ingest.counters.snapshot()).toMatchObject({
      uplinks_accepted: 1, uplinks_rejected_bad_tag: 1, uplinks_rejected_stale: 1, uplinks_invalid: 1, uplinks_topic_mismatch: 1,
    });
    expect(await h.centre.store.listAlarms({})).toEqual([]);
  });
});
