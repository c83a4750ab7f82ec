/**
 * A receiver that refuses one event while it answers everything else — the pysiaalarm stand-in
 * (its answers are recorded fixtures, see pysia-fixtures.test.ts), on real sockets, on virtual time.
 * Before: the link marked the path down, its NULL passed, the path came up, the same event went out
 * at once, every 2 s forever, each cycle a new integration_failed alarm, and every later alarm —
 * duress included — waited behind it. Now: back-off, set aside after refusalsBeforeSetAside rounds,
 * later alarms go on, one steady `ok: false`.
 */
import { VirtualClock } from '../../common/clock';
import type { ArcLinkConfig } from '../../arc/src/config';
import type { LinkStatus } from '../../arc/src/link';
import type { QueuedEvent } from '../../arc/src/queue';
import { waitForEvent } from '../../rig/wait';
import { eventDraft, Harness, linkConfig } from './harness';
import { PYSIA_KEY } from './pysiaalarm/cases';
import { PysiaStandin } from '../../rig/arc-receiver/pysia-standin';

const TIMING = { ackTimeoutMs: 5000, connectTimeoutMs: 5000, attemptsPerPath: 2, retryInitialMs: 2000, retryMaxMs: 30000, nullIntervalS: 0 };
const cid = (n: number, alarm: string, data: string, xdata: string) => ({ ...eventDraft(n), alarmId: alarm, token: 'ADM-CID' as const, data, xdata });
/** pysiaalarm cannot parse Contact ID with two extended blocks: it NAKs, with L and R swapped. */
const twoBlocks = (n: number, alarm = `al-${n}`) => cid(n, alarm, '#1234|1100 01 007', '[X4.895200][Y52.370200]');
const duress = (n: number) => cid(n, `al-${n}`, '#1234|1121 01 007', '[IDURESS]');

describe('ARC events the receiver refuses (pysiaalarm stand-in)', () => {
  let clock: VirtualClock;
  let h: Harness;
  let receiver: PysiaStandin;
  let statuses: LinkStatus[];

  beforeEach(() => {
    clock = new VirtualClock(Date.now());
    h = new Harness(clock);
    statuses = [];
  });
  afterEach(async () => {
    await h.cleanup();
    await receiver.stop();
  });

  async function start(opts: { key?: string; receiverNumber?: boolean; timing?: Record<string, number> } = {}): Promise<void> {
    receiver = new PysiaStandin({ accounts: { '1234': opts.key, '0001': opts.key }, now: () => clock.now() });
    const port = await receiver.start();
    const base = linkConfig([{ name: 'primary', port }], { format: 'ADM-CID', timing: { ...TIMING, ...opts.timing }, ...(opts.key ? { key: opts.key, keyFormat: 'text' } : {}) });
    const config: ArcLinkConfig = opts.receiverNumber === false ? { ...base, paths: base.paths.map(({ receiver: _r, ...p }) => p) } : base;
    h.start(config);
    h.link.on('status', (s) => statuses.push(s));
    const tested = waitForEvent(h.link, 'exchange', (r: { token: string }) => r.token === 'NULL', 5000, 'the start-up link test');
    clock.advance(0);
    await tested;
  }

  const refused = (id?: number) => waitForEvent<[QueuedEvent, string, number]>(h.link, 'refused', (e) => id === undefined || e.id === id, 5000, `event ${id ?? ''} refused`);
  const rejected = () => waitForEvent<[QueuedEvent, string]>(h.link, 'rejected', () => true, 5000, 'an event set aside');
  /** Transmissions of an event (by its data) that reached the receiver. */
  const sent = (data: string) => receiver.received.filter((r) => r.includes(data)).length;

  it('retries a refused event with back-off, sends a later duress alarm meanwhile, then sets it aside once, with one steady ok: false', async () => {
    await start();
    const first = refused();
    h.enqueue(twoBlocks(1), duress(2));
    const [ev, reason, retryInMs] = await first;
    expect(reason).toBe('primary: NAK with the receiver clock in agreement: wrong key or account, a message it cannot read, or corrupted on the way');
    expect(retryInMs).toBe(2000);
    await h.waitDelivered(1); // the duress alarm, without the clock moving: it did not wait behind the refused one
    expect(h.delivered.map((d) => d.event.data)).toEqual(['#1234|1121 01 007']);

    const delays = [retryInMs];
    for (let round = 2; round < 5; round++) {
      const next = refused(ev.id);
      clock.advance(delays[delays.length - 1]! - 1);
      await new Promise((r) => setImmediate(r));
      expect(sent('1100 01 007')).toBe((round - 1) * 2); // not a moment early
      clock.advance(1);
      delays.push((await next)[2]);
    }
    expect(delays).toEqual([2000, 4000, 8000, 16000]);
    const aside = rejected();
    clock.advance(16000);
    const [gone, why] = await aside;
    expect(gone.id).toBe(ev.id);
    expect(why).toMatch(/\(refused 5 times\)$/);
    expect(sent('1100 01 007')).toBe(10); // 5 rounds × attemptsPerPath

    clock.advance(600_000); // and never again
    await new Promise((r) => setImmediate(r));
    expect(sent('1100 01 007')).toBe(10);
    expect(h.queue.count('rejected')).toBe(1);
    expect(h.link.status()).toMatchObject({ ok: false, refused: 0, rejected: 1, paths: { primary: { state: 'up' } } });
    // One transition to ok: false (one integration_failed alarm), never back to ok in between.
    const oks = statuses.map((s) => s.ok).filter((ok, i, all) => i === 0 || ok !== all[i - 1]);
    expect(oks).toEqual([true, false]);
    expect(statuses.every((s) => s.paths['primary']!.state === 'up')).toBe(true);
  });

  it('reads the bare "NAK" for an account the receiver does not know, instead of waiting for a timeout', async () => {
    await start({ timing: { refusalsBeforeSetAside: 2 } });
    const aside = rejected();
    h.enqueue({ ...twoBlocks(1), account: '9999', data: '#9999|1120 01 007', xdata: '' });
    await refused();
    clock.advance(2000);
    const [, why] = await aside;
    expect(why).toBe('primary: a bare "NAK" without framing: the receiver does not know account 9999 (refused 2 times)');
    expect(h.exchanges.filter((e) => e.token === 'ADM-CID').map((e) => e.result)).toEqual(['NAK', 'NAK', 'NAK', 'NAK']);
  });

  it('delivers to a receiver without receiver number ("None" in its answers)', async () => {
    await start({ receiverNumber: false });
    h.enqueue(duress(1));
    await h.waitDelivered(1);
    expect(receiver.received.every((r) => !/"\d{4}R/.test(r))).toBe(true);
    expect(h.link.status()).toMatchObject({ ok: true });
  });

  it('delivers encrypted with a text key, and sets an event with an unknown code aside at its DUH in clear', async () => {
    await start({ key: PYSIA_KEY });
    const aside = rejected();
    h.enqueue({ ...eventDraft(1, 'QQ'), xdata: '[Itest]' }, eventDraft(2, 'PA'));
    const [gone, why] = await aside;
    expect(gone.data).toBe('#1234|NQQ001');
    expect(why).toBe('primary: the receiver cannot process this message (DUH)');
    await h.waitDelivered(1);
    expect(h.delivered.map((d) => d.event.data)).toEqual(['#1234|NPA002']);
  });

  it('keeps the order of one alarm: its restore waits behind the refused alarm event and goes aside with it', async () => {
    await start({ timing: { refusalsBeforeSetAside: 2 } });
    const first = refused();
    h.enqueue(twoBlocks(1, 'al-x'), cid(2, 'al-x', '#1234|3100 01 007', ''), duress(3));
    await first;
    await h.waitDelivered(1);
    expect(h.delivered.map((d) => d.event.alarmId)).toEqual(['al-3']); // not the restore of al-x
    const asideBoth = waitForEvent<[QueuedEvent, string]>(h.link, 'rejected', (e) => e.alarmId === 'al-x' && e.data.startsWith('#1234|3'), 5000, 'the restore set aside');
    clock.advance(2000);
    const [, why] = await asideBoth;
    expect(why).toMatch(/^kept with event \d+ of the same alarm, which the receiver refused$/);
    expect(sent('3100 01 007')).toBe(0);
    expect(h.queue.list('rejected').map((e) => e.data)).toEqual(['#1234|1100 01 007', '#1234|3100 01 007']);
  });
});
