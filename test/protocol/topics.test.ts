import { hash32, parseShardLevel, parseTopic, shardLevel, topic, topicFilter, UPLINK_SHARDS, uplinkShard } from '../../protocol/src';

describe('MQTT topics', () => {
  it('builds and parses the contract topics', () => {
    const t = topic.uplink('site-1', 'gw-2');
    expect(t).toBe('vigil/v1/sites/site-1/gateways/gw-2/uplink');
    expect(parseTopic(t)).toMatchObject({ spec: { name: 'uplink', qos: 1 }, params: { siteId: 'site-1', gatewayId: 'gw-2' } });
    expect(topicFilter('uplink')).toBe('vigil/v1/sites/+/gateways/+/uplink');
  });

  it('puts status frames on their device\'s shard topic', () => {
    // FNV-1a test vectors (the hash is part of the contract: every gateway and centre must agree).
    expect(hash32('')).toBe(0x811c9dc5);
    expect(hash32('a')).toBe(0xe40c292c);
    expect(hash32('foobar')).toBe(0xbf9cf968);
    expect(uplinkShard('0000beef')).toBe(hash32('0000beef') % 64);
    expect(UPLINK_SHARDS).toBe(64);
    const t = topic.statusUplink('site-1', 'gw-2', 7);
    expect(t).toBe('vigil/v1/sites/site-1/gateways/gw-2/uplink/07');
    expect(parseTopic(t)).toMatchObject({ spec: { name: 'statusUplink', qos: 1 }, params: { siteId: 'site-1', gatewayId: 'gw-2', shard: '07' } });
    expect(topicFilter('statusUplink', { shard: shardLevel(63) })).toBe('vigil/v1/sites/+/gateways/+/uplink/63');
    expect(() => shardLevel(64)).toThrow();
    expect(() => shardLevel(-1)).toThrow();
    expect([parseShardLevel('07'), parseShardLevel('64'), parseShardLevel('7'), parseShardLevel(undefined)]).toEqual([7, undefined, undefined, undefined]);
    // the shards spread a fleet evenly: 6,400 ids, no shard under half or over twice its share
    const n = new Array<number>(64).fill(0);
    for (let i = 0; i < 6400; i++) n[uplinkShard(i.toString(16).padStart(8, '0'))]!++;
    expect(Math.min(...n)).toBeGreaterThan(50);
    expect(Math.max(...n)).toBeLessThan(200);
  });

  it('refuses ids that would break the topic tree', () => {
    expect(() => topic.downlink('a/b')).toThrow();
    expect(() => topic.downlink('+')).toThrow();
    expect(parseTopic('vigil/v1/sites/x/gateways/y/other')).toBeUndefined();
  });
});
