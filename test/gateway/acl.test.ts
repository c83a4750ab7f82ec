import { canPublish, canSubscribe, type Identity } from '../../gateway/src/broker/acl';

const gw: Identity = { username: 'gw-1', role: 'gateway', siteId: 's1', gatewayId: 'gw-1' };
const centre: Identity = { username: 'centre', role: 'centre' };
const consoleUser: Identity = { username: 'console', role: 'console' };
const integrator: Identity = { username: 'arc', role: 'integrator' };

describe('broker ACL from the topic table', () => {
  it.each([
    [gw, 'vigil/v1/sites/s1/gateways/gw-1/uplink', true],
    [gw, 'vigil/v1/sites/s1/gateways/gw-1/status', true],
    [gw, 'vigil/v1/sites/s1/gateways/gw-2/uplink', false], // another gateway's identity
    [gw, 'vigil/v1/sites/s2/gateways/gw-1/uplink', false], // another site
    [gw, 'vigil/v1/sites/s1/gateways/gw-1/uplink/07', true], // a status shard
    [gw, 'vigil/v1/sites/s1/gateways/gw-2/uplink/07', false],
    [gw, 'vigil/v1/sites/s1/gateways/gw-1/uplink/64', false], // no such shard
    [gw, 'vigil/v1/sites/s1/gateways/gw-1/uplink/7', false],
    [gw, 'vigil/v1/alarms/a1', false], // only the rules service publishes alarms
    [gw, 'vigil/v1/sites/s1/downlink', false],
    [centre, 'vigil/v1/alarms/a1', true],
    [centre, 'vigil/v1/sites/s9/downlink', true],
    [centre, 'vigil/v1/sites/s9/gateways/g/uplink', false],
    [consoleUser, 'vigil/v1/alarms/a1', false],
    [integrator, 'vigil/v1/alarms/a1', false],
    [centre, 'other/topic', false],
  ])('%s publishing %s → %s', (who, topic, allowed) => {
    expect(canPublish(who, topic)).toBe(allowed);
  });

  it.each([
    [gw, 'vigil/v1/sites/s1/downlink', true],
    [gw, 'vigil/v1/sites/s1/keyring', true],
    [gw, 'vigil/v1/sites/s2/keyring', false], // keys of another site
    [gw, 'vigil/v1/sites/+/keyring', false],
    [gw, 'vigil/v1/#', false],
    [consoleUser, 'vigil/v1/alarms/#', true],
    [consoleUser, 'vigil/v1/alarms/+', true],
    [consoleUser, 'vigil/v1/#', false], // would include keyrings
    [consoleUser, 'vigil/v1/sites/+/keyring', false],
    [integrator, 'vigil/v1/sites/+/gateways/+/status', true],
    [integrator, 'vigil/v1/sites/+/gateways/+/uplink', false],
    [centre, 'vigil/v1/sites/+/gateways/+/uplink', true],
    [centre, 'vigil/v1/sites/+/gateways/+/uplink/07', true],
    [centre, 'vigil/v1/sites/+/gateways/+/uplink/#', true],
    [integrator, 'vigil/v1/sites/+/gateways/+/uplink/#', false],
    [integrator, 'vigil/v1/sites/+/gateways/+/uplink/+', false],
    [integrator, 'vigil/v1/sites/+/gateways/+/status/#', true], // `a/#` matches `a` too
    [consoleUser, 'vigil/v1/sites/+/keyring/#', false],
    [centre, '#', false],
  ])('%s subscribing %s → %s', (who, filter, allowed) => {
    expect(canSubscribe(who, filter)).toBe(allowed);
  });
});
