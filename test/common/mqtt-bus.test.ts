/**
 * MqttBus against the real embedded broker: messages queued for a persistent session are not lost at
 * start-up; QoS 0 subscriptions may run several handlers at once (`parallel`), QoS 1 never does;
 * `unsubscribe` stops a subscription.
 */
import { hashPassword } from '../../common/passwords';
import { MqttBus } from '../../common/mqtt-bus';
import { createLogger } from '../../common/log';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';
import { settle } from '../../common/clock';

describe('MqttBus', () => {
  let broker: EmbeddedBroker;
  let url: string;
  const log = createLogger('test', 'silent');

  beforeAll(async () => {
    broker = new EmbeddedBroker({
      listeners: { tcp: { host: '127.0.0.1', port: 0 } },
      users: [
        { username: 'centre', passwordHash: hashPassword('c'), role: 'centre' },
        { username: 'gw', passwordHash: hashPassword('g'), role: 'gateway', siteId: 's1', gatewayId: 'gw' },
      ],
      log,
    });
    await broker.start();
    url = `mqtt://127.0.0.1:${broker.ports.tcp}`;
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('holds messages of a persistent session until the handler is registered', async () => {
    const topic = 'vigil/v1/sites/s1/gateways/gw/uplink';
    const first = await MqttBus.connect({ url, clientId: 'centre-a', username: 'centre', password: 'c', log });
    await first.subscribe(topic, 1, () => undefined);
    await first.close();

    const gw = await MqttBus.connect({ url, clientId: 'gw-a', username: 'gw', password: 'g', log });
    for (let i = 0; i < 3; i++) await gw.publish(topic, `m${i}`, { qos: 1 });
    await gw.close();

    const again = await MqttBus.connect({ url, clientId: 'centre-a', username: 'centre', password: 'c', log });
    for (let i = 0; i < 5; i++) await settle(); // queued messages arrive before any handler exists
    const got: string[] = [];
    const all = new Promise<void>((resolve) => {
      void again.subscribe(topic, 1, (_t, p) => {
        got.push(Buffer.from(p).toString());
        if (got.length === 3) resolve();
      });
    });
    await all;
    expect(got).toEqual(['m0', 'm1', 'm2']);
    await again.close();
  });

  /** Publishes `n` messages on a status shard and records how many handlers ran at once at most. */
  const overlap = async (qos: 0 | 1, parallel: number, n: number): Promise<{ most: number; got: number }> => {
    const topic = 'vigil/v1/sites/s1/gateways/gw/uplink/07';
    const bus = await MqttBus.connect({ url, clientId: `centre-par-${qos}-${parallel}`, clean: true, username: 'centre', password: 'c', log, parallel });
    let running = 0;
    let most = 0;
    let got = 0;
    const release: (() => void)[] = [];
    const done = new Promise<void>((resolve) => {
      void bus.subscribe(topic, qos, async () => {
        running++;
        most = Math.max(most, running);
        if (qos === 0) {
          // Each handler waits until as many as may overlap have started (or the last messages have).
          await new Promise<void>((r) => {
            release.push(r);
            if (release.length >= Math.min(parallel, n - got)) release.splice(0).forEach((f) => f());
          });
        } else {
          // QoS 1: a few turns of the event loop, in which a next message could start if it were let in
          for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
        }
        running--;
        if (++got === n) resolve();
      });
    });
    const gw = await MqttBus.connect({ url, clientId: `gw-par-${qos}-${parallel}`, username: 'gw', password: 'g', log });
    for (let i = 0; i < n; i++) gw.send(topic, `m${i}`, { qos: 1 });
    await done;
    await gw.close();
    await bus.close();
    return { most, got };
  };

  it('runs up to `parallel` QoS 0 handlers at once, and QoS 1 handlers one at a time', async () => {
    expect(await overlap(0, 4, 12)).toEqual({ most: 4, got: 12 });
    expect(await overlap(1, 4, 6)).toEqual({ most: 1, got: 6 });
  });

  it('stops a subscription on unsubscribe', async () => {
    const topic = 'vigil/v1/sites/s1/gateways/gw/uplink/08';
    const other = 'vigil/v1/sites/s1/gateways/gw/uplink';
    const bus = await MqttBus.connect({ url, clientId: 'centre-unsub', clean: true, username: 'centre', password: 'c', log, unhandledHoldMs: 0 });
    const got: string[] = [];
    let markerSeen: () => void = () => undefined;
    const marker = new Promise<void>((resolve) => (markerSeen = resolve));
    let beforeSeen: () => void = () => undefined;
    const before = new Promise<void>((resolve) => (beforeSeen = resolve));
    await bus.subscribe(topic, 0, (_t, p) => {
      got.push(Buffer.from(p).toString());
      beforeSeen();
    });
    await bus.subscribe(other, 1, (_t, p) => {
      got.push(Buffer.from(p).toString());
      markerSeen();
    });
    const gw = await MqttBus.connect({ url, clientId: 'gw-unsub', username: 'gw', password: 'g', log });
    await gw.publish(topic, 'before', { qos: 1 });
    await before;
    await bus.unsubscribe(topic);
    await gw.publish(topic, 'after', { qos: 1 });
    // The broker delivers in order: had 'after' been sent to us, it would arrive before the marker.
    await gw.publish(other, 'marker', { qos: 1 });
    await marker;
    expect(got).toEqual(['before', 'marker']);
    await gw.close();
    await bus.close();
  });
});
