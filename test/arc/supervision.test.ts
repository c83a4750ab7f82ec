/**
 * NULL link tests and periodic test reports on virtual time, through real sockets: the clock only
 * moves when the test says so, and the test waits for the receiver to see each message.
 */
import { VirtualClock } from '../../common/clock';
import { waitForEvent } from '../../rig/wait';
import { eventDraft, FAST_TIMING, Harness, linkConfig } from './harness';
import type { Received } from '../../rig/arc-receiver/receiver';
import { TestReceiver } from '../../rig/arc-receiver/receiver';

describe('ARC link supervision', () => {
  let h: Harness;
  let clock: VirtualClock;
  let receiver: TestReceiver;

  beforeEach(async () => {
    clock = new VirtualClock(Date.now());
    h = new Harness(clock);
    receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined, '5678': undefined } });
    await receiver.start();
  });
  afterEach(async () => {
    await h.cleanup();
    await receiver.stop();
  });

  const nextMessage = (token = 'NULL'): Promise<[Received]> => waitForEvent<[Received]>(receiver, 'message', (m) => m.token === token, 5000, `a ${token} message`);
  /** Lets the link finish the exchange it started (the answer travels on real sockets). */
  const exchanged = (token = 'NULL'): Promise<unknown> => waitForEvent(h.link, 'exchange', (r: { token: string }) => r.token === token, 5000, `${token} answered`);

  it('polls with NULL every nullIntervalS of silence; any other message restarts the interval', async () => {
    h.start(linkConfig([{ name: 'primary', port: receiver.ports.tcp! }], { timing: { ...FAST_TIMING, nullIntervalS: 60 } }));
    const first = Promise.all([nextMessage(), exchanged()]);
    clock.advance(0); // the start-up link test
    const [[m]] = await first;
    expect(m).toMatchObject({ token: 'NULL', account: '0001', data: '', encrypted: false });

    clock.advance(59_000);
    expect(receiver.accepted.filter((x) => x.token === 'NULL')).toHaveLength(1);
    const second = Promise.all([nextMessage(), exchanged()]);
    clock.advance(1_000);
    await second;
    expect(receiver.accepted.filter((x) => x.token === 'NULL')).toHaveLength(2);

    clock.advance(40_000);
    h.enqueue(eventDraft(1)); // an alarm at 40 s counts as traffic
    await h.waitDelivered(1);
    clock.advance(20_000); // 60 s after the last NULL, 20 s after the alarm: no poll yet
    await new Promise((r) => setImmediate(r));
    expect(receiver.accepted.filter((x) => x.token === 'NULL')).toHaveLength(2);
    const third = Promise.all([nextMessage(), exchanged()]);
    clock.advance(40_000);
    await third;
    expect(receiver.accepted.map((x) => x.token)).toEqual(['NULL', 'NULL', 'SIA-DCS', 'NULL']);
  });

  it('sends encrypted NULL polls (*NULL) on an encrypted link', async () => {
    const key = Buffer.alloc(16, 7);
    await receiver.stop();
    receiver = new TestReceiver({ accounts: { '0001': key } });
    await receiver.start();
    h.start(linkConfig([{ name: 'primary', port: receiver.ports.tcp! }], { key: key.toString('hex') }));
    const first = Promise.all([nextMessage(), exchanged()]);
    clock.advance(0);
    const [[m]] = await first;
    expect(m).toMatchObject({ token: 'NULL', encrypted: true, data: '' });
  });

  it('sends the periodic test report (RP) for every account at start and then every testIntervalH', async () => {
    const config = linkConfig([{ name: 'primary', port: receiver.ports.tcp! }], {
      accounts: { transmitter: '0001', sites: { 'site-a': { account: '1234' } }, workers: { w9: { account: '5678', user: 9 } } },
      timing: { ...FAST_TIMING, testIntervalH: 24 },
    });
    h.start(config);
    await h.waitDelivered(3);
    expect(receiver.events.map((m) => m.data).sort()).toEqual(['#0001|NRP000', '#1234|NRP000', '#5678|NRP000']);
    clock.advance(23 * 3_600_000);
    await new Promise((r) => setImmediate(r));
    expect(receiver.events).toHaveLength(3);
    clock.advance(3_600_000);
    await h.waitDelivered(6);
    expect(receiver.events).toHaveLength(6);
  });
});
