/** A real broker (the gateway's embedded Aedes) with a centre and an integrator user, for the ARC tests. */
import { hashPassword } from '../../common/passwords';
import { MqttBus } from '../../common/mqtt-bus';
import { createLogger } from '../../common/log';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';
import { type AlarmPayload, type IntegrationStatusPayload, parsePayload, topic, topicFilter } from '../../protocol/src';

export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

export function alarm(over: Partial<AlarmPayload> = {}): AlarmPayload {
  return {
    v: 1, id: 'al-1', number: '1', type: 'sos', state: 'raised', priority: 2, siteId: 'site-a', deviceId: '0a0b0c0d', workerId: 'w1',
    raisedAt: T0, updatedAt: T0, acknowledgedAt: null, resolvedAt: null, resolution: null, ...over,
  };
}

export class TestBroker {
  broker!: EmbeddedBroker;
  url = '';
  centre!: MqttBus;
  readonly statuses: IntegrationStatusPayload[] = [];
  /** Schema errors of status messages that did not match the MQTT contract. */
  readonly invalid: string[][] = [];
  private readonly waiters: { pred: (s: IntegrationStatusPayload) => boolean; resolve: (s: IntegrationStatusPayload) => void }[] = [];

  async start(): Promise<void> {
    const passwordHash = hashPassword('secret');
    this.broker = new EmbeddedBroker({
      listeners: { tcp: { host: '127.0.0.1', port: 0 } },
      users: [
        { username: 'arc', passwordHash, role: 'integrator' },
        { username: 'centre', passwordHash, role: 'centre' },
      ],
      log: createLogger('broker', 'silent'),
    });
    await this.broker.start();
    this.url = `mqtt://127.0.0.1:${this.broker.ports.tcp}`;
    this.centre = await MqttBus.connect({ url: this.url, clientId: `test-centre-${process.pid}`, username: 'centre', password: 'secret', clean: true, log: createLogger('mqtt', 'silent') });
    await this.centre.subscribe(topicFilter('integrationStatus'), 1, (_t, payload) => {
      const checked = parsePayload('integrationStatus', payload);
      if (!checked.ok) this.invalid.push(checked.errors);
      const s = JSON.parse(Buffer.from(payload).toString('utf8')) as IntegrationStatusPayload;
      this.statuses.push(s);
      for (const w of [...this.waiters]) {
        if (!w.pred(s)) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(s);
      }
    });
  }

  publishAlarm(a: AlarmPayload): Promise<void> {
    return this.centre.publish(topic.alarm(a.id), JSON.stringify(a), { qos: 1 });
  }

  /** Resolves with the first integration status (from now on) that matches. */
  nextStatus(pred: (s: IntegrationStatusPayload) => boolean, timeoutMs = 10_000, what = 'an integration status'): Promise<IntegrationStatusPayload> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.statuses.slice(-3))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (s) => (clearTimeout(timer), resolve(s)) });
    });
  }

  async stop(): Promise<void> {
    await this.centre?.close();
    await this.broker?.stop();
  }
}
