/**
 * Sessions on a virtual clock, through the real store and ingest: the reminder (pendant downlink and
 * SMS, exact text), server-side expiry with the pendant dead, extend, stop, check-ins with grace, and
 * protection mode from the pendant's frames.
 */
import { startHarness, type Harness } from '../helpers/centre-harness';

const MIN = 60_000;
// Up to 150 virtual minutes each, stepped timer by timer (the outbox polls every second) through the
// real store: ~20 s alone, over 30 s on a loaded machine. The clock is virtual; this is CPU, not waiting.
jest.setTimeout(120_000);

describe('sessions', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ config: { sessions: { reminderBeforeMin: 5, checkInGraceS: 120, protectionCheckInMin: 0, maxDurationH: 24 } } });
    await h.frame('heartbeat'); // the pendant has been heard once: downlinks answer its latest counter
    h.bus.clear();
  });

  afterEach(async () => {
    await h.stop();
  });

  const alarmsOn = (type: string) => h.bus.on('').filter((p) => p['type'] === type && typeof p['number'] === 'string');

  it('reminds 5 minutes before the end, then raises session_expired on the server with the note, the pendant being dead', async () => {
    const start = h.clock.now();
    const r = await h.centre.sessions.start({ workerId: 'w1', durationMin: 60, note: 'Boiler room, basement', callList: [{ name: 'Porter', phone: '+33 6 11 22 33 44' }] }, 'user:op');
    expect(r.ok).toBe(true);
    await h.settle();
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: 1, command: 'protection', param: 1 }]);
    h.bus.clear();

    await h.advance(55 * MIN - 1);
    expect(h.bus.on('/downlink')).toEqual([]);
    expect(h.sms.sent).toEqual([]);
    await h.advance(1);
    // counter 1 already carries 'protection': the pendant takes one command per counter (SPEC §4.6), so
    // the reminder waits for a newer frame — which a dead pendant never sends; the SMS still goes
    expect(h.bus.on('/downlink')).toEqual([]);
    expect(h.sms.sent.map((n) => [n.to, n.text])).toEqual([
      ['+447700900123', `Vigil: your lone-work session ends in 5 min (${new Date(start + 60 * MIN).toISOString().slice(11, 16)} UTC). Extend or stop it in the app, or an alarm is raised.`],
    ]);
    expect(alarmsOn('session_expired')).toEqual([]);

    await h.advance(5 * MIN);
    const [expired] = alarmsOn('session_expired');
    expect(expired).toMatchObject({ state: 'raised', workerId: 'w1', deviceId: '0000beef', priority: 3 });
    expect(expired!['text']).toBe('Session ran out without being stopped. Note: Boiler room, basement. Call list: Porter');
    const session = await h.centre.store.getWorkSession(r.ok ? r.session.id : '');
    expect(session).toMatchObject({ state: 'expired', endedBy: 'system' });
    // The call list comes first in the escalation: the porter gets the SMS.
    expect(h.sms.sent.at(-1)).toMatchObject({ to: '+33611223344' });
    expect(h.sms.sent.at(-1)!.text).toContain(`VIGIL ALARM ${String(expired!['number'])}: Session expired`);
  });

  it('moves the reminder and the expiry when extended, and clears them when stopped', async () => {
    const r = await h.centre.sessions.start({ workerId: 'w1', durationMin: 30 }, 'user:op');
    if (!r.ok) throw new Error(r.message);
    const reminders = () => h.bus.on('/downlink').filter((d) => d['command'] === 'session_reminder');
    await h.advance(26 * MIN);
    expect(reminders()).toHaveLength(0); // held: counter 1 carries 'protection'
    await h.frame('heartbeat');
    expect(reminders()).toEqual([{ v: 1, deviceId: '0000beef', counter: 2, command: 'session_reminder', param: 5 }]);
    const ext = await h.centre.sessions.extend(r.session.id, 'user:op', { addMin: 60 });
    expect(ext.ok && ext.session.plannedEndAt).toBe(r.session.startedAt + 90 * MIN);
    await h.frame('heartbeat');
    await h.advance(59 * MIN - 1);
    expect(reminders()).toHaveLength(1);
    await h.advance(1);
    expect(reminders()).toHaveLength(2);
    expect(h.centre.scheduler.dueAt(`session:${r.session.id}:end`)).toBe(r.session.startedAt + 90 * MIN);
    const stop = await h.centre.sessions.stop(r.session.id, 'user:op');
    expect(stop.ok).toBe(true);
    await h.advance(60 * MIN);
    expect(alarmsOn('session_expired')).toEqual([]);
    // the last frame's counter already carries the reminder: 'protection 0' waits for the next frame
    expect(h.bus.on('/downlink').filter((d) => d['command'] === 'protection')).toEqual([{ v: 1, deviceId: '0000beef', counter: 1, command: 'protection', param: 1 }]);
    await h.frame('heartbeat');
    expect(h.bus.on('/downlink').at(-1)).toEqual({ v: 1, deviceId: '0000beef', counter: 4, command: 'protection', param: 0 });
    expect(h.centre.scheduler.dueAt(`session:${r.session.id}:end`)).toBeUndefined();
    expect((await h.centre.store.listAudit('session', r.session.id)).map((a) => a.action)).toEqual(['session_started', 'session_reminder', 'session_extended', 'session_reminder', 'session_stopped']);
  });

  it('prompts check-ins, accepts a check_in frame, and raises check_in_missed after the grace', async () => {
    const r = await h.centre.sessions.start({ workerId: 'w1', checkInIntervalMin: 30 }, 'user:op');
    if (!r.ok) throw new Error(r.message);
    h.bus.clear();
    await h.advance(30 * MIN);
    expect(h.bus.on('/downlink')).toEqual([]); // counter 1 carries 'protection': the prompt waits for a newer frame
    await h.frame('heartbeat');
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: 2, command: 'check_in_request', param: 120 }]);
    await h.advance(60_000);
    await h.frame('check_in');
    await h.advance(2 * MIN);
    expect(alarmsOn('check_in_missed')).toEqual([]);
    // next prompt 30 min after the check-in; nobody answers this time
    await h.advance(28 * MIN - 1);
    expect(h.bus.on('/downlink').filter((d) => d['command'] === 'check_in_request')).toHaveLength(1);
    await h.advance(1);
    expect(h.bus.on('/downlink').filter((d) => d['command'] === 'check_in_request')).toHaveLength(2);
    await h.advance(120_000 - 1);
    expect(alarmsOn('check_in_missed')).toEqual([]);
    await h.advance(1);
    expect(alarmsOn('check_in_missed')).toHaveLength(1);
    expect(alarmsOn('check_in_missed')[0]!['text']).toBe('Check-in not confirmed within 120 s');
    // a confirmation from the console afterwards is recorded on the alarm for the operator
    await h.centre.sessions.checkIn(r.session.id, 'user:op');
    const alarm = (await h.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.type === 'check_in_missed')!;
    expect((await h.centre.store.listAudit('alarm', alarm.id)).map((a) => a.action)).toEqual(['raised', 'worker_checked_in']);
  });

  it('follows protection mode from the pendant', async () => {
    await h.frame('protection_on', { flags: { protection: true } });
    const s = await h.centre.store.findActiveWorkSession('w1');
    expect(s).toMatchObject({ kind: 'protection', startedBy: 'device:0000beef', deviceId: '0000beef' });
    expect(h.centre.sessions.isProtected('0000beef')).toBe(true);
    expect(h.bus.on('/downlink')).toEqual([]); // the pendant knows already
    await h.frame('protection_on', { flags: { protection: true } });
    expect(await h.centre.store.listWorkSessions({ states: ['active'] })).toHaveLength(1);
    await h.frame('protection_off');
    expect(await h.centre.store.findActiveWorkSession('w1')).toBeUndefined();
    expect(h.centre.sessions.isProtected('0000beef')).toBe(false);
  });

  it('refuses a second active session and impossible ends', async () => {
    expect((await h.centre.sessions.start({ workerId: 'w1', durationMin: 10 }, 'x')).ok).toBe(true);
    expect(await h.centre.sessions.start({ workerId: 'w1', durationMin: 10 }, 'x')).toMatchObject({ ok: false, code: 'conflict' });
    expect(await h.centre.sessions.start({ workerId: 'nobody' }, 'x')).toMatchObject({ ok: false, code: 'not_found' });
    expect(await h.centre.sessions.start({ workerId: 'w1', plannedEndAt: h.clock.now() - 1 }, 'x')).toMatchObject({ ok: false });
  });
});
