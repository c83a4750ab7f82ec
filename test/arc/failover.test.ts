/**
 * Primary and backup receivers, events the receiver cannot process (DUH), and the restart of the
 * transmitter with undelivered events in its queue.
 */
import { eventDraft, Harness, linkConfig } from './harness';
import { TestReceiver } from '../../rig/arc-receiver/receiver';

const accounts = { '1234': undefined, '0001': undefined };

describe('ARC failover, refusals and restarts', () => {
  let h: Harness;
  const receivers: TestReceiver[] = [];

  beforeEach(() => (h = new Harness()));
  afterEach(async () => {
    await h.cleanup();
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  async function receiver(opts: Partial<ConstructorParameters<typeof TestReceiver>[0]> = {}): Promise<[TestReceiver, number]> {
    const r = new TestReceiver({ accounts, ...opts });
    receivers.push(r);
    const { tcp, udp } = await r.start();
    return [r, (tcp ?? udp)!];
  }

  it('fails over to the backup receiver, reports the primary down, and goes back when it returns', async () => {
    const [primary, p1] = await receiver();
    const [backup, p2] = await receiver({ tcp: false, udp: true });
    await primary.stop();
    h.start(linkConfig([{ name: 'primary', port: p1 }, { name: 'backup', port: p2, transport: 'udp' }]));
    h.enqueue(eventDraft(1), eventDraft(2));
    await h.waitDelivered(2);
    expect(h.delivered.map((d) => d.path)).toEqual(['backup', 'backup']);
    expect(backup.events.map((m) => m.data)).toEqual(['#1234|NPA001', '#1234|NPA002']);
    const degraded = await h.waitStatus((s) => s.paths['primary']?.state === 'down' && s.paths['backup']?.state === 'up', 'primary down, backup up');
    expect(degraded.ok).toBe(false); // one path left is a failure to report, even though alarms get through
    expect(degraded.detail).toMatch(/^primary down \(.*ECONNREFUSED.*\); sending via backup$/);

    await primary.start(); // same port: the probe finds it
    await h.waitStatus((s) => s.ok && s.paths['primary']?.state === 'up', 'primary back');
    h.enqueue(eventDraft(3));
    await h.waitDelivered(3);
    expect(h.delivered[2]!.path).toBe('primary');
    expect(primary.events.map((m) => m.data)).toEqual(['#1234|NPA003']);
  });

  it('sets an event the receivers cannot process (DUH) aside, reports it, and delivers the next ones', async () => {
    const [, p1] = await receiver({ unsupported: ['MA'] });
    const [, p2] = await receiver({ unsupported: ['MA'] });
    h.start(linkConfig([{ name: 'primary', port: p1 }, { name: 'backup', port: p2 }]));
    const rejected = new Promise<string>((resolve) => h.link.once('rejected', (_e, reason) => resolve(reason)));
    h.enqueue(eventDraft(1, 'MA'), eventDraft(2, 'PA'));
    await h.waitDelivered(1);
    expect(await rejected).toBe('primary: the receiver cannot process this message (DUH); backup: the receiver cannot process this message (DUH)');
    expect(h.delivered.map((d) => d.event.data)).toEqual(['#1234|NPA002']);
    const s = await h.waitStatus((x) => x.rejected === 1, 'one rejected');
    expect(s).toMatchObject({ ok: false, detail: expect.stringContaining('1 event(s) refused by the receiver') });
    expect(s.paths).toEqual({ primary: { state: 'up' }, backup: { state: 'up' } }); // DUH means the receiver is alive
    expect(h.queue.requeueRejected()).toBe(1);
  });

  it('keeps retrying when only one path says DUH and the other is down, until it said it three times', async () => {
    const [, p1] = await receiver({ unsupported: ['MA'] });
    const [down, p2] = await receiver();
    await down.stop();
    h.start(linkConfig([{ name: 'primary', port: p1 }, { name: 'backup', port: p2 }]));
    h.enqueue(eventDraft(1, 'MA'));
    await new Promise<void>((resolve) => h.link.once('rejected', () => resolve()));
    expect(h.exchanges.filter((e) => e.path === 'primary' && e.result === 'DUH')).toHaveLength(3);
  });

  it('takes a receiver that stays silent to one event but answers NULL for refusing it: no loop, later alarms go on', async () => {
    const [r, port] = await receiver({ ignoreCodes: ['MA'] });
    h.start(linkConfig([{ name: 'primary', port }], { timing: { ackTimeoutMs: 400, connectTimeoutMs: 400, attemptsPerPath: 2, retryInitialMs: 50, retryMaxMs: 200, nullIntervalS: 0, refusalsBeforeSetAside: 2 } }));
    const aside = new Promise<string>((resolve) => h.link.once('rejected', (_e, reason) => resolve(reason)));
    h.enqueue(eventDraft(1, 'MA'), eventDraft(2, 'PA'));
    await h.waitDelivered(1);
    expect(h.delivered.map((d) => d.event.data)).toEqual(['#1234|NPA002']);
    expect(await aside).toMatch(/^primary: timeout: no answer within 400 ms \(refused 2 times\)$/);
    expect(r.answers.filter((a) => a.answer === 'none')).toHaveLength(4); // 2 rounds × 2 tries, then never again
    expect(h.link.status().paths['primary']!.state).toBe('up');
  });

  it('delivers after a restart what was queued before it, in order and once', async () => {
    const [r, port] = await receiver();
    await r.stop();
    h.start(linkConfig([{ name: 'primary', port }]));
    h.enqueue(eventDraft(1), eventDraft(2), eventDraft(3));
    await h.waitStatus((s) => s.paths['primary']?.state === 'down', 'primary down');
    const seqBefore = h.queue.head()!.seq;
    await h.halt(); // the process goes away with three undelivered alarms

    await r.start();
    h.start(linkConfig([{ name: 'primary', port }]));
    await h.waitDelivered(3);
    expect(r.events.map((m) => [m.data, m.duplicate])).toEqual([
      ['#1234|NPA001', false],
      ['#1234|NPA002', false],
      ['#1234|NPA003', false],
    ]);
    expect(Number(r.events[0]!.seq)).toBe(seqBefore); // the retransmission kept its number
  });
});
