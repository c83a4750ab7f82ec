/** MqttBus against the real embedded broker: messages queued for a persistent session are not lost at start-up. */
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
});
