/**
 * The ARC output end to end inside one process: alarm changes published by "the centre" on a real
 * broker → ArcService (integrator, persistent session) → queue → DC-09 → the independent receiver,
 * and the integration status the centre turns into a technical alarm.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/log';
import { ArcService } from '../../arc/src/service';
import { waitForEvents } from '../../rig/wait';
import { linkConfig } from './harness';
import { alarm, T0, TestBroker } from './mqtt';
import { type Received, TestReceiver } from '../../rig/arc-receiver/receiver';

describe('ARC output service over MQTT', () => {
  let dir: string;
  let mqtt: TestBroker;
  let receiver: TestReceiver;
  let service: ArcService | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-arcsvc-'));
    mqtt = new TestBroker();
    await mqtt.start();
    receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined } });
    await receiver.start();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    expect(mqtt.invalid).toEqual([]); // every status published matched the MQTT contract
    await receiver.stop();
    await mqtt.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function newService(): ArcService {
    const link = linkConfig([{ name: 'primary', port: receiver.ports.tcp! }]);
    return new ArcService({ link, dataDir: dir, mqtt: { url: mqtt.url, clientId: 'vigil-arc', username: 'arc', password: 'secret' }, log: createLogger('arc', 'silent') });
  }

  const received = (n: number): Promise<unknown> =>
    receiver.events.length >= n ? Promise.resolve() : waitForEvents<[Received]>(receiver, 'message', n - receiver.events.length, (m) => m.token !== 'NULL', 10_000, `${n} events at the receiver`);

  it('sends the alarm, nothing for the acknowledgement, the restore on resolution, and an abort for a cancelled pre-alarm', async () => {
    const ok = mqtt.nextStatus((s) => s.integrationId === 'arc-test' && s.ok, 10_000, 'status ok');
    service = newService();
    await service.start();
    expect(await ok).toMatchObject({ v: 1, kind: 'sia-dc09', ok: true, paths: { primary: { state: 'up' } } });

    await mqtt.publishAlarm(alarm({ id: 'al-2', number: '2', type: 'fall', state: 'pending' }));
    await mqtt.publishAlarm(alarm({ state: 'raised', position: { kind: 'gps', lat: 52.37, lon: 4.895 } }));
    await mqtt.publishAlarm(alarm({ state: 'raised' })); // republished: not sent twice
    await mqtt.publishAlarm(alarm({ state: 'acknowledged', acknowledgedAt: T0 + 5000 }));
    await mqtt.publishAlarm(alarm({ id: 'al-2', number: '2', type: 'fall', state: 'cancelled' }));
    await mqtt.publishAlarm(alarm({ state: 'resolved', resolvedAt: T0 + 60_000, resolution: 'genuine' }));
    await received(3);
    expect(receiver.events.map((m) => m.data)).toEqual(['#1234|NPA001', '#1234|NAB001', '#1234|NPH001']);
    expect(receiver.events[0]!.xdata.slice(0, 2)).toEqual([
      { id: 'X', value: '4.895000' },
      { id: 'Y', value: '52.370000' },
    ]);
    expect(receiver.events[2]!.xdata[0]!.value).toContain('RESTORE SOS: resolved (genuine)');
    expect(service.counters.snapshot()).toMatchObject({ alarm_queued: 3, alarm_skipped_pending: 1, alarm_skipped_already_sent: 2 });
  });

  it('drops and counts a malformed alarm message without stopping', async () => {
    service = newService();
    await service.start();
    await mqtt.centre.publish('vigil/v1/alarms/x', '{"v":1,"type":"sos"', { qos: 1 });
    await mqtt.publishAlarm(alarm());
    await received(1);
    expect(service.counters.get('alarm_invalid')).toBe(1);
  });

  it('reports the link down to the centre (ok: false) and back up, with the path details', async () => {
    service = newService();
    const up = mqtt.nextStatus((s) => s.ok, 10_000, 'ok');
    await service.start();
    await up;
    await receiver.stop();
    const down = mqtt.nextStatus((s) => !s.ok, 10_000, 'not ok');
    await mqtt.publishAlarm(alarm());
    expect(await down).toMatchObject({ ok: false, detail: expect.stringContaining('no path to the receiver'), paths: { primary: { state: 'down' } } });
    const back = mqtt.nextStatus((s) => s.ok, 10_000, 'ok again');
    await receiver.start();
    await received(1);
    await back;
  });

  it('gets the alarms published while it was stopped (persistent session) and delivers them in order', async () => {
    service = newService();
    await service.start();
    const stopped = mqtt.nextStatus((s) => !s.ok && s.detail === 'ARC output stopped', 10_000, 'the stopped status');
    await service.stop();
    expect(await stopped).toMatchObject({ ok: false });
    for (let i = 1; i <= 3; i++) await mqtt.publishAlarm(alarm({ id: `al-${i}`, number: String(i), workerId: 'w1' }));
    service = newService();
    const ok = mqtt.nextStatus((s) => s.ok, 10_000, 'ok after restart');
    await service.start();
    await received(3);
    await ok;
    expect(receiver.events.map((m) => [m.data, m.duplicate])).toEqual([
      ['#1234|NPA001', false],
      ['#1234|NPA001', false],
      ['#1234|NPA001', false],
    ]);
    expect(receiver.events.map((m) => m.xdata.at(-1)!.value.match(/alarm (\d)/)![1])).toEqual(['1', '2', '3']);
  });

  it('records an alarm of a site without an account as refused and says so', async () => {
    service = newService();
    await service.start();
    const rejected = mqtt.nextStatus((s) => !s.ok, 10_000, 'not ok');
    await mqtt.publishAlarm(alarm({ siteId: 'nowhere', workerId: null }));
    expect(await rejected).toMatchObject({ detail: expect.stringContaining('1 event(s) refused') });
    expect(service.queue.list('rejected')[0]!.lastError).toContain("no account for site 'nowhere'");
    expect(receiver.events).toHaveLength(0);
  });
});
