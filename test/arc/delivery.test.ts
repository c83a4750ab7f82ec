/**
 * Delivery to the independent test receiver through real loopback sockets: plain and encrypted,
 * TCP and UDP, wrong key, damaged frames, receiver clock out of the window, receiver down and back.
 */
import { randomBytes } from 'node:crypto';
import { eventDraft, Harness, linkConfig } from './harness';
import { CorruptingProxy } from '../../rig/arc-receiver/proxy';
import { TestReceiver } from '../../rig/arc-receiver/receiver';
import { waitForEvent } from '../../rig/wait';

describe('ARC delivery to a DC-09 receiver', () => {
  let h: Harness;
  let receiver: TestReceiver;
  let proxy: CorruptingProxy | undefined;

  beforeEach(() => {
    h = new Harness();
    proxy = undefined;
  });
  afterEach(async () => {
    await h.cleanup();
    await receiver?.stop();
    await proxy?.stop();
  });

  it('delivers plain SIA-DCS over TCP in order, each acknowledged once, and says the path is up', async () => {
    receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined } });
    const { tcp } = await receiver.start();
    h.start(linkConfig([{ name: 'primary', port: tcp! }]));
    h.enqueue(eventDraft(1), eventDraft(2), eventDraft(3));
    await h.waitDelivered(3);
    expect(receiver.events.map((m) => [m.data, m.duplicate, m.receiver, m.line])).toEqual([
      ['#1234|NPA001', false, '1', '1'],
      ['#1234|NPA002', false, '1', '1'],
      ['#1234|NPA003', false, '1', '1'],
    ]);
    expect(receiver.events.map((m) => m.xdata)).toEqual([[{ id: 'I', value: 'alarm 1' }], [{ id: 'I', value: 'alarm 2' }], [{ id: 'I', value: 'alarm 3' }]]);
    expect(new Set(receiver.events.map((m) => m.seq)).size).toBe(3);
    expect(h.queue.count('queued')).toBe(0);
    expect(await h.waitStatus((s) => s.ok && s.paths['primary']?.state === 'up', 'primary up')).toMatchObject({ ok: true, detail: '1/1 path(s) up' });
  });

  it.each([
    ['AES-128', 16],
    ['AES-192', 24],
    ['AES-256', 32],
  ])('delivers encrypted (%s) to a receiver that hangs up after every answer', async (_name, keyLength) => {
    const key = randomBytes(keyLength);
    receiver = new TestReceiver({ accounts: { '1234': key, '0001': key }, closeAfterAnswer: true });
    const { tcp } = await receiver.start();
    h.start(linkConfig([{ name: 'primary', port: tcp! }], { key: key.toString('hex') }));
    h.enqueue(eventDraft(1), eventDraft(2));
    await h.waitDelivered(2);
    expect(receiver.events.map((m) => [m.encrypted, m.data])).toEqual([
      [true, '#1234|NPA001'],
      [true, '#1234|NPA002'],
    ]);
  });

  it.each([
    ['plain', undefined],
    ['encrypted', randomBytes(16)],
  ])('delivers over UDP (%s)', async (_name, key) => {
    receiver = new TestReceiver({ accounts: { '1234': key, '0001': key }, tcp: false, udp: true });
    const { udp } = await receiver.start();
    h.start(linkConfig([{ name: 'primary', port: udp!, transport: 'udp' }], key ? { key: key.toString('hex') } : {}));
    h.enqueue(eventDraft(1), eventDraft(2));
    await h.waitDelivered(2);
    expect(receiver.events.map((m) => [m.transport, m.encrypted, m.data])).toEqual([
      ['udp', key !== undefined, '#1234|NPA001'],
      ['udp', key !== undefined, '#1234|NPA002'],
    ]);
  });

  it('delivers Contact ID (ADM-CID): event and restore', async () => {
    receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined } });
    const { tcp } = await receiver.start();
    h.start(linkConfig([{ name: 'primary', port: tcp! }], { format: 'ADM-CID' }));
    const cid = (n: number, data: string) => ({ ...eventDraft(n), token: 'ADM-CID' as const, data });
    h.enqueue(cid(1, '#1234|1120 00 001'), cid(2, '#1234|3120 00 001'));
    await h.waitDelivered(2);
    expect(receiver.events.map((m) => [m.token, m.cid])).toEqual([
      ['ADM-CID', { account: '1234', qualifier: 1, event: 120, partition: 0, zone: 1 }],
      ['ADM-CID', { account: '1234', qualifier: 3, event: 120, partition: 0, zone: 1 }],
    ]);
  });

  it('keeps the event and reports the link down when the receiver has another key, then delivers once the key is right', async () => {
    const key = randomBytes(16);
    receiver = new TestReceiver({ accounts: { '1234': key, '0001': key } });
    const { tcp } = await receiver.start();
    h.start(linkConfig([{ name: 'primary', port: tcp! }], { key: randomBytes(16).toString('hex') }));
    h.enqueue(eventDraft(1));
    const down = await h.waitStatus((s) => !s.ok, 'the link to be reported down');
    expect(down.paths['primary']).toMatchObject({ state: 'down', detail: expect.stringContaining('NAK') });
    expect(receiver.answers.some((a) => a.answer === 'NAK')).toBe(true); // it cannot decrypt
    expect(receiver.events).toHaveLength(0);
    await h.halt(); // as after a configuration fix and a restart
    h.start(linkConfig([{ name: 'primary', port: tcp! }], { key: key.toString('hex') }));
    await h.waitDelivered(1);
    expect(receiver.events.map((m) => m.data)).toEqual(['#1234|NPA001']);
  });

  it('resends a frame the receiver got with a CRC error (NAK), and it arrives once', async () => {
    receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined } });
    const { tcp } = await receiver.start();
    proxy = new CorruptingProxy(tcp!);
    const port = await proxy.start();
    h.start(linkConfig([{ name: 'primary', port }]));
    await h.waitStatus((s) => s.paths['primary']?.state === 'up', 'the start-up link test');
    proxy.corruptToReceiver = 1;
    h.enqueue(eventDraft(1));
    await h.waitDelivered(1);
    expect(receiver.answers.filter((a) => a.token !== 'NULL').map((a) => [a.answer, a.reason ?? ''])).toEqual([
      ['NAK', 'crc'],
      ['ACK', ''],
    ]);
    expect(receiver.events.map((m) => m.duplicate)).toEqual([false]);
  });

  it('resends when the ACK arrives damaged, with the same sequence number: the receiver sees a duplicate', async () => {
    receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined } });
    const { tcp } = await receiver.start();
    proxy = new CorruptingProxy(tcp!);
    const port = await proxy.start();
    h.start(linkConfig([{ name: 'primary', port }]));
    await h.waitStatus((s) => s.paths['primary']?.state === 'up', 'the start-up link test');
    proxy.corruptToTransmitter = 1;
    h.enqueue(eventDraft(1));
    await h.waitDelivered(1);
    expect(h.exchanges.filter((e) => e.token !== 'NULL').map((e) => e.result)).toEqual(['bad_crc', 'ACK']);
    expect(receiver.events.map((m) => [m.seq, m.duplicate])).toEqual([
      [receiver.events[0]!.seq, false],
      [receiver.events[0]!.seq, true],
    ]);
  });

  it.each([
    ['5 minutes ahead', 300_000, undefined],
    ['10 minutes behind', -600_000, undefined],
    ['an hour ahead, encrypted', 3_600_000, randomBytes(32)],
  ])('learns the receiver clock from its NAK when it is %s, and is then accepted', async (_what, offsetMs, key) => {
    receiver = new TestReceiver({ accounts: { '1234': key, '0001': key }, clockOffsetMs: offsetMs });
    const { tcp } = await receiver.start();
    h.start(linkConfig([{ name: 'primary', port: tcp! }], key ? { key: key.toString('hex') } : {}));
    const resync = waitForEvent<[string, number]>(h.link, 'resync');
    h.enqueue(eventDraft(1));
    await h.waitDelivered(1);
    const [path, learned] = await resync;
    expect(path).toBe('primary');
    expect(Math.abs(learned - offsetMs)).toBeLessThanOrEqual(2000);
    expect(receiver.answers.some((a) => a.answer === 'NAK' && a.reason === 'timestamp window')).toBe(true);
    const ev = receiver.events[0]!;
    expect(Math.abs(ev.timestampMs! - ev.receivedAt)).toBeLessThanOrEqual(2000);
    expect(receiver.events).toHaveLength(1);
  });

  it('keeps events while the receiver is down and delivers them in order, once, when it is back', async () => {
    receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined } });
    const { tcp } = await receiver.start();
    await receiver.stop();
    h.start(linkConfig([{ name: 'primary', port: tcp! }]));
    h.enqueue(eventDraft(1), eventDraft(2), eventDraft(3));
    const down = await h.waitStatus((s) => s.paths['primary']?.state === 'down', 'primary down');
    expect(down).toMatchObject({ ok: false, detail: expect.stringContaining('no path to the receiver') });
    expect(down.paths['primary']!.detail).toMatch(/ECONNREFUSED/);
    await receiver.start();
    await h.waitDelivered(3);
    expect(receiver.events.map((m) => [m.data, m.duplicate])).toEqual([
      ['#1234|NPA001', false],
      ['#1234|NPA002', false],
      ['#1234|NPA003', false],
    ]);
    await h.waitStatus((s) => s.ok, 'ok again');
  });

  it('counts a receiver that never answers as down (timeout)', async () => {
    receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined } });
    const { tcp } = await receiver.start();
    receiver.silent = true;
    h.start(linkConfig([{ name: 'primary', port: tcp! }]));
    h.enqueue(eventDraft(1));
    const s = await h.waitStatus((x) => x.paths['primary']?.state === 'down', 'primary down');
    expect(s.paths['primary']!.detail).toMatch(/timeout/);
    receiver.silent = false;
    await h.waitDelivered(1);
  });
});
