/**
 * Duress, one incident (issue 20 part 5): a duress signal during an open SOS, pre-alarm or accepted
 * SOS of the same pendant takes that alarm over — same id and number, duress priority, the duress
 * ladder from the next step — and from then on nothing reaches the worker: no ladder SMS, no session
 * reminder, no operator SMS, no app screen, no "help is coming" on the pendant, and an answer from the
 * worker's phone changes nothing. Real store, outbox and engine on a virtual clock.
 */
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { appState } from '../../centre/src/app/views';
import type { Alarm, Contact, DeviceRecord } from '../../centre/src/store/types';

const S = 1000;
const WORKER_PHONE = '+447700900123';

async function seed(h: Harness): Promise<void> {
  const c = (id: string, name: string, kind: Contact['kind'], x: Partial<Contact>): Contact => ({ id, name, kind, siteId: SITE, phone: null, email: null, webhookUrl: null, language: null, ...x });
  for (const x of [
    c('ann', 'Ann', 'person', { phone: '+33600000001' }),
    c('bob', 'Bob', 'person', { email: 'bob@example.org' }),
    c('arc', 'ARC', 'monitoring_centre', { siteId: null, webhookUrl: 'https://arc.example.org/vigil' }),
    c('police', 'Police liaison', 'police', { siteId: null, phone: '+33600000017' }),
  ]) await h.centre.store.putEntity('contact', x);
  await h.centre.store.putEntity('ladder', {
    id: 'day', name: 'Day ladder',
    steps: [{ contactId: '@worker', channel: 'sms', timeoutS: 60 }, { contactId: 'ann', channel: 'sms', timeoutS: 120 }, { contactId: 'bob', channel: 'email', timeoutS: 120 }],
    fallback: null,
  });
  await h.centre.store.upsertSite({ id: SITE, name: 'Site A', ladderId: 'day' });
}

/** Every SMS that reached the worker's phone after the first `since`. */
function toWorker(h: Harness, since: number): string[] {
  return h.sms.sent.slice(since).filter((n) => n.to === WORKER_PHONE).map((n) => n.text);
}

describe('duress takes the open incident over', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ config: { escalation: { defaultLadderId: null, callListTimeoutS: 90, broadcastRepeatS: 120, publicUrl: 'https://centre.example.org', responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 } } });
    await seed(h);
  });

  afterEach(async () => {
    await h.stop();
  });

  const open = (): Promise<Alarm[]> => h.centre.store.listAlarms({ states: ['pending', 'raised', 'acknowledged'] });

  it('turns a running SOS into the duress alarm: same number, duress ladder next, and nothing more reaches the worker', async () => {
    const session = await h.centre.sessions.start({ workerId: 'w1', plannedEndAt: h.clock.now() + 30 * 60 * S, callList: [] }, 'user:op');
    expect(session.ok).toBe(true);
    const ref = await h.frame('sos');
    const [sos] = await open();
    expect(sos).toMatchObject({ type: 'sos', priority: 2 });
    expect(h.sms.sent.map((n) => n.to)).toEqual([WORKER_PHONE]); // the SOS ladder's first step: the worker
    // the worker answered the SMS before the threat showed: the reply target exists
    await h.advance(20 * S);
    h.bus.clear();
    const sentBefore = h.sms.sent.length;

    await h.frame('duress', { ref });
    const alarms = await open();
    expect(alarms).toHaveLength(1);
    const duress = alarms[0]!;
    expect(duress).toMatchObject({ id: sos!.id, number: sos!.number, type: 'duress', priority: 1, state: 'raised' });
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: duress.lastCounter, command: 'received', param: 0 }]);
    expect(h.bus.on(`/alarms/${duress.id}`).at(-1)).toMatchObject({ type: 'duress', priority: 1 });
    // the duress ladder starts at once, after the step already taken: the monitoring centre first
    expect(h.webhook.sent.map((n) => n.to)).toEqual(['https://arc.example.org/vigil']);
    expect(h.webhook.sent[0]!.text).toContain('Do NOT call the worker');
    const esc = (await h.centre.store.getEscalationByAlarm(duress.id))!;
    expect(esc.steps.map((t) => `${t.role}:${t.name}`)).toEqual(['worker:Wendy Worker', 'emergency:ARC', 'emergency:Police liaison', 'ladder:Ann', 'ladder:Bob']);
    expect(esc.step).toBe(1);
    const audit = (await h.centre.store.listAudit('alarm', duress.id)).map((a) => a.action);
    expect(audit).toEqual(['raised', 'duress_takeover']);

    // the worker's phone answers "YES" (perhaps the person holding it): nothing changes
    h.sms.reply(WORKER_PHONE, 'accepted', { text: 'YES' });
    await h.settle();
    expect(await h.centre.store.getAlarm(duress.id)).toMatchObject({ state: 'raised' });
    expect((await h.centre.store.listAudit('escalation', duress.id)).map((a) => a.action)).toContain('worker_answer_ignored');

    // an operator tries to text the worker; the session reminder falls due; the ladder runs to its end
    const console = await h.centre.outbox.enqueue([h.centre.outbox.message({ channel: 'sms', to: WORKER_PHONE, contactName: 'Wendy Worker', contactId: '@worker', data: { workerId: 'w1' }, subject: 'x', text: 'are you ok?' })]);
    expect(console).toBeUndefined();
    await h.advance(3600 * S);
    expect(toWorker(h, sentBefore)).toEqual([]);
    expect(h.sms.sent.map((n) => n.to)).toContain('+33600000017'); // the police got theirs
    // the operator's SMS and the first step of the session_expired alarm's ladder (the worker) were queued, and
    // withheld at the outbox; the session reminder was never queued (sessions.ts knows about duress)
    const withheld = (await h.centre.store.listOutbox({})).filter((m) => m.to === WORKER_PHONE && m.state !== 'sent').map((m) => `${m.subject.replace(/\d+/, 'N')}: ${m.state} ${m.detail}`);
    expect(withheld.sort()).toEqual([
      'VIGIL ALARM N: Session expired — Wendy Worker (+44 7700 900123): failed withheld: the worker has an open duress alarm (never contact the worker)',
      'x: failed withheld: the worker has an open duress alarm (never contact the worker)',
    ]);
    // no pendant feedback either: 'received' only, never 'help_coming'
    await h.centre.alarms.acknowledge(duress.id, 'user:op');
    expect(h.bus.on('/downlink').map((d) => (d as { command: string }).command)).not.toContain('help_coming');
    expect(h.bus.on('/downlink').map((d) => (d as { command: string }).command)).not.toContain('session_reminder');
    // and the worker's app does not show it
    const phone: DeviceRecord = { id: '0000cafe', key: '0f'.repeat(16), board: 'phone', workerId: 'w1', siteId: SITE, createdAt: 0, lastCounter: -1, lastSeenAt: null, batteryPct: null };
    const worker = (await h.centre.store.getWorker('w1'))!;
    const state = await appState({ store: h.centre.store, config: h.centre.config, now: h.clock.now() }, worker, phone);
    expect(state.alarms).toEqual([]);
  });

  it('withdraws the responder link the worker got: the page is gone and its buttons change nothing', async () => {
    await h.stop();
    h = await startHarness({ http: true, config: { escalation: { defaultLadderId: null, callListTimeoutS: 90, broadcastRepeatS: 120, publicUrl: 'https://centre.example.org', responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 } } });
    await seed(h);
    const ref = await h.frame('sos');
    const token = h.sms.sent[0]!.link!.split('/r/')[1]!; // the SOS ladder's first SMS went to the worker, with a link
    expect((await fetch(`${h.base}/api/responder/${token}`)).status).toBe(200);
    await h.frame('duress', { ref });
    expect((await fetch(`${h.base}/api/responder/${token}`)).status).toBe(404);
    expect((await fetch(`${h.base}/r/${token}`)).status).toBe(404);
    const answer = await fetch(`${h.base}/api/responder/${token}/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: 'accepted' }) });
    expect(answer.status).toBe(404); // as for a wrong link
    const [alarm] = await open();
    expect(alarm).toMatchObject({ type: 'duress', state: 'raised' });
  });

  it('raises a pre-alarm as the duress alarm (no second alarm, no cancel window left for the worker)', async () => {
    const ref = await h.frame('pre_alarm', { detail: 2 }); // 2 = sos
    const [pending] = await open();
    expect(pending).toMatchObject({ state: 'pending', type: 'sos' });
    await h.frame('duress', { ref });
    const alarms = await open();
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ id: pending!.id, number: pending!.number, type: 'duress', state: 'raised', priority: 1 });
    expect(h.sms.sent.map((n) => n.to)).not.toContain(WORKER_PHONE);
    expect(h.webhook.sent.map((n) => n.to)).toEqual(['https://arc.example.org/vigil']);
    // the worker's cancel of the old pre-alarm (forced, perhaps) cancels nothing
    await h.frame('cancel', { detail: 2, ref });
    expect(await open()).toHaveLength(1);
    await h.advance(600 * S);
    expect(h.sms.sent.map((n) => n.to)).not.toContain(WORKER_PHONE);
  });

  it('re-opens the escalation of an accepted SOS with the duress ladder', async () => {
    const ref = await h.frame('sos');
    const [sos] = await open();
    h.sms.reply(WORKER_PHONE, 'accepted', { text: 'YES' }); // the worker accepted their own SOS ("I'm fine")… then the threat
    await h.settle();
    expect(await h.centre.store.getAlarm(sos!.id)).toMatchObject({ state: 'acknowledged' });
    const before = h.sms.sent.length;
    await h.frame('duress', { ref });
    expect(await h.centre.store.getAlarm(sos!.id)).toMatchObject({ type: 'duress', state: 'raised', acknowledgedBy: null });
    expect((await h.centre.store.getEscalationByAlarm(sos!.id))!.state).toBe('running');
    expect(h.webhook.sent.map((n) => n.to)).toEqual(['https://arc.example.org/vigil']);
    await h.advance(3600 * S);
    expect(toWorker(h, before)).toEqual([]);
  });

  it('an SOS or pre-alarm of a pendant under duress is one more frame of the duress alarm', async () => {
    await h.frame('duress');
    await h.frame('sos');
    await h.frame('pre_alarm', { detail: 3 });
    const alarms = await open();
    expect(alarms.map((a) => a.type)).toEqual(['duress']);
    await h.advance(600 * S);
    expect(h.sms.sent.map((n) => n.to)).not.toContain(WORKER_PHONE);
  });
});
