/**
 * The escalation engine on a virtual clock, through the real store, outbox and ingest: the exact
 * order and timing of every notification, answers by SMS and by responder link, failed deliveries,
 * the never-silent broadcast, duress handling, technical alarms.
 */
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import type { Contact } from '../../centre/src/store/types';

const S = 1000;

async function seed(h: Harness): Promise<void> {
  const c = (id: string, name: string, kind: Contact['kind'], x: Partial<Contact>): Contact => ({ id, name, kind, siteId: SITE, phone: null, email: null, webhookUrl: null, language: null, ...x });
  const contacts = [
    c('ann', 'Ann', 'person', { phone: '+33 6 00 00 00 01' }),
    c('bob', 'Bob', 'person', { email: 'bob@example.org' }),
    c('carl', 'Carl', 'person', { phone: '+33600000003' }),
    c('sue', 'Sue', 'supervisor', { phone: '+33600000004', email: 'sue@example.org' }),
    c('sam', 'Sam', 'supervisor', { webhookUrl: 'https://pager.example.org/hook' }),
    c('arc', 'ARC', 'monitoring_centre', { siteId: null, webhookUrl: 'https://arc.example.org/vigil' }),
    c('police', 'Police liaison', 'police', { siteId: null, phone: '+33600000017' }),
  ];
  for (const x of contacts) await h.centre.store.putEntity('contact', x);
  await h.centre.store.putEntity('ladder', {
    id: 'day', name: 'Day ladder',
    steps: [{ contactId: '@worker', channel: 'sms', timeoutS: 60 }, { contactId: 'ann', channel: 'sms', timeoutS: 120 }, { contactId: 'bob', channel: 'email', timeoutS: 120 }],
    fallback: { contactId: 'carl', channel: 'sms', timeoutS: 120 },
  });
  await h.centre.store.upsertSite({ id: SITE, name: 'Site A', ladderId: 'day' });
}

describe('escalation', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ config: { escalation: { defaultLadderId: null, callListTimeoutS: 90, broadcastRepeatS: 120, publicUrl: 'https://centre.example.org', responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 } } });
    await seed(h);
  });

  afterEach(async () => {
    await h.stop();
  });

  const sos = async () => {
    await h.frame('sos');
    return (await h.centre.store.listAlarms({ states: ['raised'] }))[0]!;
  };

  it('walks the ladder on no answer and rejection, then alerts every supervisor each round until acknowledged', async () => {
    const alarm = await sos();
    expect(h.sms.log()).toEqual([`+447700900123: VIGIL ALARM ${alarm.number}: SOS — Wendy Worker (+44 7700 900123)`]);
    await h.advance(60 * S - 1);
    expect(h.sms.sent).toHaveLength(1);
    await h.advance(1);
    expect(h.sms.sent.map((n) => n.to)).toEqual(['+447700900123', '+33600000001']);
    expect(h.sms.sent[1]!.text).toMatch(new RegExp(`^VIGIL ALARM ${alarm.number}: SOS · Wendy Worker \\(\\+44 7700 900123\\) · Reply 1 or YES to accept, 2 or NO if you can't \\(YES ${alarm.number} if you have several\\)\\. · https://centre\\.example\\.org/r/[A-Za-z0-9_-]{22}$`));
    // Ann declines at once: Bob is e-mailed without waiting for her timeout
    await h.advance(10 * S);
    h.sms.reply('+33600000001', 'rejected', { text: '2' });
    await h.settle();
    expect(h.email.sent.map((n) => n.to)).toEqual(['bob@example.org']);
    await h.advance(120 * S);
    expect(h.sms.sent.map((n) => n.to).at(-1)).toBe('+33600000003'); // the fallback
    await h.advance(120 * S);
    // ladder exhausted: every supervisor on every channel, and the consoles
    expect(h.sms.sent.map((n) => n.to).at(-1)).toBe('+33600000004');
    expect(h.email.sent.map((n) => n.to)).toEqual(['bob@example.org', 'sue@example.org']);
    expect(h.webhook.sent.map((n) => n.to)).toEqual(['https://pager.example.org/hook']);
    await h.advance(120 * S);
    expect(h.webhook.sent).toHaveLength(2);
    expect(h.webhook.sent[1]!.text).toContain('Still nobody has accepted (round 2).');
    const ack = await h.centre.alarms.acknowledge(alarm.id, 'user:op');
    expect(ack.ok).toBe(true);
    await h.advance(600 * S);
    expect(h.webhook.sent).toHaveLength(2);
    const attempts = (await h.centre.store.listAttempts(alarm.id)).map((a) => `${a.contactName}:${a.status}`);
    expect(attempts.slice(0, 8)).toEqual(['Wendy Worker:sent', 'Wendy Worker:no_answer', 'Ann:sent', 'Ann:rejected', 'Bob:sent', 'Bob:no_answer', 'Carl:sent', 'Carl:no_answer']);
    // two broadcast rounds, each to everyone at once (their order within a round is the channels')
    const round = ['Operators:sent', 'Sam:sent', 'Sue:sent', 'Sue:sent'];
    expect(attempts.slice(8, 12).sort()).toEqual(round);
    expect(attempts.slice(12).sort()).toEqual(round);
    expect((await h.centre.store.getEscalationByAlarm(alarm.id))).toMatchObject({ state: 'stopped', endReason: 'acknowledged', phase: 'broadcast', round: 2 });
  });

  it('stops at the first acceptance by SMS, tells the pendant help is coming, and cancels what was not sent', async () => {
    const alarm = await sos();
    await h.advance(60 * S);
    h.bus.clear();
    h.sms.reply('+33 6 00 00 00 01', 'accepted', { text: `YES ${alarm.number}`, alarmNumber: alarm.number });
    await h.settle();
    const now = await h.centre.store.getAlarm(alarm.id);
    expect(now).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'contact:Ann' });
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: alarm.lastCounter, command: 'help_coming', param: 0 }]);
    await h.advance(3600 * S);
    expect(h.sms.sent).toHaveLength(2);
    expect(h.email.sent).toHaveLength(0);
    // a late second "yes" is recorded, it changes nothing
    h.sms.reply('+447700900123', 'accepted');
    await h.settle();
    expect((await h.centre.store.listAudit('escalation', alarm.id)).map((a) => a.action)).toEqual(['escalation_started', 'escalation_step', 'escalation_step', 'escalation_stopped', 'also_accepted']);
  });

  it('accepts through the responder link, and a wrong token is unknown', async () => {
    const alarm = await sos();
    const link = h.sms.sent[0]!.link!;
    const token = link.split('/r/')[1]!;
    expect(await h.centre.escalation.answerByToken('x'.repeat(22), 'accepted')).toMatchObject({ ok: false, code: 'unknown' });
    const r = await h.centre.escalation.answerByToken(token, 'accepted');
    expect(r).toMatchObject({ ok: true, accepted: true });
    expect(await h.centre.store.getAlarm(alarm.id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'contact:Wendy Worker' });
  });

  it('moves on at once when a delivery fails, without waiting for the step timeout', async () => {
    h.sms.fail = (n) => n.to === '+33600000001';
    const alarm = await sos();
    await h.advance(60 * S);
    expect(h.email.sent.map((n) => n.to)).toEqual(['bob@example.org']);
    expect((await h.centre.store.listAttempts(alarm.id)).map((a) => `${a.contactName}:${a.status}`)).toContain('Ann:failed');
  });

  it('handles duress silently: monitoring centre and police first, never the worker, no buzz on the pendant', async () => {
    const s = await h.centre.sessions.start({ workerId: 'w1', callList: [{ name: 'Me', phone: '+447700900123' }, { name: 'Porter', phone: '+33600000099' }] }, 'user:op');
    expect(s.ok).toBe(true);
    await h.frame('heartbeat');
    h.bus.clear();
    await h.frame('duress');
    const alarm = (await h.centre.store.listAlarms({ states: ['raised'] })).find((a) => a.type === 'duress')!;
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: alarm.lastCounter, command: 'received', param: 0 }]);
    expect(h.bus.on(`/alarms/${alarm.id}`)[0]).toMatchObject({ type: 'duress', priority: 1, text: 'SILENT ALARM (duress): do not call the worker' });
    expect(h.webhook.sent.map((n) => n.to)).toEqual(['https://arc.example.org/vigil']);
    expect(h.webhook.sent[0]!.text).toContain('Do NOT call the worker');
    expect(h.webhook.sent[0]!.data).toMatchObject({ worker: { name: 'Wendy Worker', doNotCall: true } });
    // (the pendant goes quiet meanwhile: its device_silent alarm notifies the supervisors; only this escalation's messages count here)
    const mine = async () => (await h.centre.store.listOutbox({ alarmId: alarm.id })).map((m) => `${m.channel} ${m.to}`);
    await h.advance(90 * S);
    expect(await mine()).toEqual(['webhook https://arc.example.org/vigil', 'sms +33600000017']); // then the police
    await h.advance(90 * S);
    expect(await mine()).toEqual(['webhook https://arc.example.org/vigil', 'sms +33600000017', 'sms +33600000099']); // the porter; "Me" (the worker's own phone) skipped
    await h.advance(120 * S + 120 * S + 120 * S);
    const everyone = [...h.sms.sent, ...h.email.sent, ...h.webhook.sent].map((n) => n.to);
    expect(everyone).not.toContain('+447700900123');
    const esc = await h.centre.store.getEscalationByAlarm(alarm.id);
    expect(esc!.steps.map((t) => `${t.role}:${t.name}`)).toEqual(['emergency:ARC', 'emergency:Police liaison', 'call_list:Porter', 'ladder:Ann', 'ladder:Bob', 'fallback:Carl']);
    h.bus.clear();
    await h.centre.alarms.acknowledge(alarm.id, 'user:op');
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: alarm.lastCounter, command: 'received', param: 0 }]);
  });

  it('sends technical alarms to the supervisors and the consoles once', async () => {
    await h.bus.deliver(`vigil/v1/sites/${SITE}/gateways/gw-1/status`, { v: 1, siteId: SITE, gatewayId: 'gw-1', online: false, at: h.clock.now() });
    await h.settle();
    expect(h.sms.sent.map((n) => n.to)).toEqual(['+33600000004']);
    expect(h.sms.sent[0]!.text).toMatch(/^VIGIL technical alarm \d+: Gateway offline · Gateway gw-1 is offline \(its status or last will says so\)/);
    await h.advance(3600 * S);
    expect(h.sms.sent).toHaveLength(1);
  });

  it('records a skipped step and why', async () => {
    await h.centre.store.putEntity('ladder', { id: 'day', name: 'Day ladder', steps: [{ contactId: 'bob', channel: 'sms', timeoutS: 60 }, { contactId: 'ann', channel: 'sms', timeoutS: 60 }], fallback: null });
    const alarm = await sos();
    expect(h.sms.sent.map((n) => n.to)).toEqual(['+33600000001']);
    expect((await h.centre.store.listAttempts(alarm.id))[0]).toMatchObject({ contactName: 'Bob', status: 'skipped', detail: 'no sms address' });
  });
});
