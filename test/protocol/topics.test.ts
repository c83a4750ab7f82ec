import { parseTopic, topic, topicFilter } from '../../protocol/src';

describe('MQTT topics', () => {
  it('builds and parses the contract topics', () => {
    const t = topic.uplink('site-1', 'gw-2');
    expect(t).toBe('vigil/v1/sites/site-1/gateways/gw-2/uplink');
    expect(parseTopic(t)).toMatchObject({ spec: { name: 'uplink', qos: 1 }, params: { siteId: 'site-1', gatewayId: 'gw-2' } });
    expect(topicFilter('uplink')).toBe('vigil/v1/sites/+/gateways/+/uplink');
  });

  it('refuses ids that would break the topic tree', () => {
    expect(() => topic.downlink('a/b')).toThrow();
    expect(() => topic.downlink('+')).toThrow();
    expect(parseTopic('vigil/v1/sites/x/gateways/y/other')).toBeUndefined();
  });
});
