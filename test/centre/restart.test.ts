/**
 * Timers are rows: a centre stopped at any point and started again on the same database (same
 * virtual clock) rebuilds every timer and carries on where it was — session expiry, a pending
 * pre-alarm, an escalation at its current step — with nothing lost and nothing sent twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../common/clock';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';

const S = 1000;

describe('restart', () => {
  let dir: string;
  let clock: VirtualClock;
  let h: Harness | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-restart-'));
    clock = new VirtualClock();
  });

  afterEach(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const boot = async (seed: boolean) => {
    h = await startHarness({ storePath: join(dir, 'centre.db'), clock, seed });
    return h;
  };

  it('rebuilds session, pre-alarm and escalation timers from the store', async () => {
    let c = await boot(true);
    await c.centre.store.putEntity('contact', { id: 'ann', name: 'Ann', kind: 'person', siteId: SITE, phone: '+33600000001', email: null, webhookUrl: null, language: null });
    await c.centre.store.putEntity('contact', { id: 'bob', name: 'Bob', kind: 'person', siteId: SITE, phone: '+33600000002', email: null, webhookUrl: null, language: null });
    await c.centre.store.putEntity('ladder', { id: 'l', name: 'L', steps: [{ contactId: 'ann', channel: 'sms', timeoutS: 120 }, { contactId: 'bob', channel: 'sms', timeoutS: 120 }], fallback: null });
    await c.centre.store.upsertSite({ id: SITE, name: 'Site A', ladderId: 'l' });
    await c.centre.sessions.start({ workerId: 'w1', durationMin: 30, note: 'roof' }, 'user:op');
    await c.frame('pre_alarm', { detail: 5 });
    await c.advance(10 * S);
    await c.stop();
    h = undefined;

    // down for 30 s: the pre-alarm's 75 s run out while the centre is down? not yet
    await clock.advanceAsync(30 * S);
    c = await boot(false);
    expect(c.centre.scheduler.size).toBeGreaterThanOrEqual(3); // session end + reminder, pre-alarm
    await c.advance(35 * S);
    const [raised] = await c.centre.store.listAlarms({ states: ['raised'] });
    expect(raised).toMatchObject({ type: 'no_motion' });
    expect(c.sms.sent.map((n) => n.to)).toEqual(['+33600000001']);
    await c.advance(60 * S);
    await c.stop();
    h = undefined;

    // down for 5 min: Ann's 120 s ran out meanwhile; Bob is due at once, and Ann is not sent again
    await clock.advanceAsync(300 * S);
    c = await boot(false);
    await c.settle();
    expect(c.sms.sent.map((n) => n.to)).toEqual(['+33600000002']);
    // the session still expires on time
    await c.advance(30 * 60 * S);
    // (and the silent pendant of the protected worker was noticed too)
    expect((await c.centre.store.listAlarms({})).map((a) => a.type).sort()).toEqual(['device_silent', 'no_motion', 'session_expired']);
    const outbox = await c.centre.store.listOutbox({ alarmId: raised!.id });
    expect(outbox.slice(0, 2).map((m) => `${m.to}:${m.state}`)).toEqual(['+33600000001:sent', '+33600000002:sent']);
    // then a consoles round every 120 s, none lost across the restarts
    expect(outbox.slice(2).every((m) => m.channel === 'console' && m.state === 'sent')).toBe(true);
    expect(outbox.length - 2).toBe(1 + Math.floor((clock.now() - outbox[2]!.createdAt) / 120_000));
  });

  it('re-runs the rules of an alarm frame stored just before a crash', async () => {
    const c = await boot(true);
    // the frame is stored, then the rules fail (the store refuses the alarm): the broker would redeliver
    const create = c.centre.store.createAlarm.bind(c.centre.store);
    c.centre.store.createAlarm = () => Promise.reject(new Error('disk full'));
    await expect(c.frame('sos')).rejects.toThrow('event not handled');
    expect(await c.centre.store.listAlarms({})).toEqual([]);
    c.centre.store.createAlarm = create;
    await c.stop();
    h = undefined;
    const again = await boot(false);
    expect((await again.centre.store.listAlarms({})).map((a) => [a.type, a.state])).toEqual([['sos', 'raised']]);
  });
});
