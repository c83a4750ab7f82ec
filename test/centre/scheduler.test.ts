import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { HeapScheduler } from '../../centre/src/domain/scheduler';

describe('HeapScheduler on a virtual clock', () => {
  const log = createLogger('test', 'silent');

  it('runs timers in due order, re-arms by key, and clears', async () => {
    const clock = new VirtualClock(0);
    const s = new HeapScheduler({ clock, log });
    const fired: string[] = [];
    s.on('check_in', async (ref, dueAt) => {
      fired.push(`${ref}@${dueAt}/${clock.now()}`);
    });
    s.set('a', 3000, 'check_in', 'a');
    s.set('b', 1000, 'check_in', 'b');
    s.set('c', 2000, 'check_in', 'c');
    s.set('b', 2500, 'check_in', 'b'); // re-armed: one entry per key
    s.clear('c');
    expect(s.size).toBe(2);
    expect(clock.pending).toBe(1); // one clock timer whatever the number of entries
    await clock.advanceAsync(2499);
    expect(fired).toEqual([]);
    await clock.advanceAsync(1);
    await s.idle();
    expect(fired).toEqual(['b@2500/2500']);
    await clock.advanceAsync(1000);
    await s.idle();
    expect(fired).toEqual(['b@2500/2500', 'a@3000/3000']);
    expect(s.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('retries a failing handler instead of dropping the timer', async () => {
    const clock = new VirtualClock(0);
    const s = new HeapScheduler({ clock, log, retryMs: 500 });
    let calls = 0;
    s.on('escalation', async () => {
      calls++;
      if (calls === 1) throw new Error('database is locked');
    });
    s.set('e1', 100, 'escalation', 'e1');
    await clock.advanceAsync(100);
    await s.idle();
    expect(calls).toBe(1);
    expect(s.dueAt('e1')).toBe(600);
    await clock.advanceAsync(500);
    await s.idle();
    expect(calls).toBe(2);
    expect(s.size).toBe(0);
  });

  it('keeps 100,000 entries ordered', async () => {
    const clock = new VirtualClock(0);
    const s = new HeapScheduler({ clock, log });
    let last = -1;
    let n = 0;
    let ordered = true;
    s.on('check_in', async (_ref, dueAt) => {
      if (dueAt < last) ordered = false;
      last = dueAt;
      n++;
    });
    for (let i = 0; i < 100_000; i++) s.set(`k${i}`, 1 + ((i * 7919) % 100_000), 'check_in', String(i));
    for (let i = 0; i < 100_000; i += 10) s.clear(`k${i}`);
    await clock.advanceAsync(100_001);
    await s.idle();
    expect(n).toBe(90_000);
    expect(ordered).toBe(true);
  });
});
