/**
 * The phone as a device in a cluster: only the worker that owns the phone's device runs its rules
 * (under the lease); an app request that reaches another worker is stored unhandled, and the owner's
 * sweep of unhandled events (ingest.recover) raises the alarm — once.
 */
import { PhoneDevices } from '../../centre/src/app/phone';
import type { Ownership } from '../../centre/src/domain/ownership';
import { Rules } from '../../centre/src/domain/rules';
import { startHarness, type Harness } from '../helpers/centre-harness';

describe('phone events in a cluster', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.stop());

  const phonesOf = (ownership: Ownership): PhoneDevices => {
    const c = h.centre;
    const rules = new Rules({ alarms: c.alarms, sessions: c.sessions, supervision: c.supervision, positions: c.positions });
    return new PhoneDevices({ store: c.store, clock: c.clock, log: c.log, rules, ownership });
  };

  it('leaves the rules to the owner: stored unhandled here, raised once by the owner\'s sweep', async () => {
    const worker = (await h.centre.store.getWorker('w1'))!;
    const ran: string[] = [];
    const notOwner: Ownership = { owns: () => false, run: (p, fn) => (ran.push(p), fn()) };
    const r = await phonesOf(notOwner).event(worker, { key: 'k-alarm-0001', kind: 'alarm', alarmType: 'sos', position: { lat: 48.8, lon: 2.3 } });
    expect(r).toMatchObject({ ok: true, duplicate: false, alarm: null });
    expect(ran).toEqual([]);
    expect(await h.centre.store.listAlarms({ states: ['raised'] })).toEqual([]);
    const unhandled = await h.centre.store.listUnhandledEvents(10);
    expect(unhandled.map((e) => e.type)).toEqual(['sos']);

    // The owner's sweep (cluster/takeover.ts) runs it; a second sweep finds nothing.
    expect(await h.centre.ingest.recover()).toBe(1);
    expect(await h.centre.ingest.recover()).toBe(0);
    const raised = await h.centre.store.listAlarms({ states: ['raised'] });
    expect(raised.map((a) => [a.type, a.workerId])).toEqual([['sos', 'w1']]);
  });

  it('runs the rules at once, under the lease, when this worker owns the phone', async () => {
    const worker = (await h.centre.store.getWorker('w1'))!;
    const ran: string[] = [];
    const owner: Ownership = { owns: () => true, run: (p, fn) => (ran.push(p), fn()) };
    const r = await phonesOf(owner).event(worker, { key: 'k-alarm-0002', kind: 'alarm', alarmType: 'sos' });
    expect(r).toMatchObject({ ok: true, alarm: { type: 'sos', state: 'raised' } });
    expect(ran).toHaveLength(1);
    expect(await h.centre.store.listUnhandledEvents(10)).toEqual([]);
  });
});
