/**
 * A voice step in a real centre's ladder, called through SIPp: pressing 1 on the phone stops the
 * ladder and the pendant is told help is coming; 3 then sends the SMS with the responder link; 2, or a
 * busy line, moves to the next step at once. The contact's language is the prompt's: a French contact
 * hears French. The centre runs on a virtual clock, the call in real time (its own clock).
 */
import type { Contact } from '../../centre/src/store/types';
import { introScript } from '../../centre/src/notify/voice/prompts';
import { type Harness, SITE, startHarness } from '../helpers/centre-harness';
import { runSipp } from '../helpers/sipp';
import { promptAudio, receivedAudio, rtpReceiver, voiceNotifier } from '../helpers/voice';

async function centreCalling(scenario: string): Promise<{ h: Harness; done: () => Promise<{ code: number | null; output: string }>; rx: Awaited<ReturnType<typeof rtpReceiver>>; close: () => Promise<void> }> {
  const rx = await rtpReceiver();
  const sipp = await runSipp(scenario, { vars: scenario === 'busy.xml' ? {} : { rtpport: rx.port }, timeoutS: 40 });
  // The follow-up hook the composition root gives the channel, bound to this centre once it exists.
  const bound: { h?: Harness } = {};
  const voice = voiceNotifier(sipp.port, { keyTimeoutS: 2, sms: { available: (n) => !!n.link, send: (n) => bound.h!.centre.escalation.smsFollowUp(n) } });
  const h = await startHarness({ replace: [voice], config: { escalation: { defaultLadderId: null, callListTimeoutS: 90, broadcastRepeatS: 120, publicUrl: 'https://centre.example.org', responderTokenTtlH: 24, notifierFailuresBeforeAlarm: 3, maxAttempts: 3 } } });
  bound.h = h;
  const centre = h;
  const c = (id: string, name: string, x: Partial<Contact>): Contact => ({ id, name, kind: 'person', siteId: SITE, phone: null, email: null, webhookUrl: null, language: null, ...x });
  await centre.centre.store.putEntity('contact', c('ann', 'Ann', { phone: '+33 6 00 00 00 01', language: 'fr' }));
  await centre.centre.store.putEntity('contact', c('carl', 'Carl', { phone: '+33600000003' }));
  await centre.centre.store.putEntity('ladder', { id: 'day', name: 'Day', steps: [{ contactId: 'ann', channel: 'voice', timeoutS: 120 }, { contactId: 'carl', channel: 'sms', timeoutS: 120 }], fallback: null });
  await centre.centre.store.upsertSite({ id: SITE, name: 'Site A', ladderId: 'day' });
  return {
    h: centre, rx,
    done: async () => {
      await voice.idle();
      await centre.settle();
      return sipp.done;
    },
    close: async () => {
      sipp.stop();
      await centre.stop();
      await rx.close();
    },
  };
}

const attempts = async (h: Harness, alarmId: string): Promise<string[]> => (await h.centre.store.listAttempts(alarmId)).map((a) => `${a.contactName}:${a.channel}:${a.status}`);

describe('a voice step in the ladder', () => {
  it('1 accepts: the ladder stops, the pendant hears help is coming, 3 sends the SMS with the link; the French contact heard French', async () => {
    const t = await centreCalling('answer-1-3.xml');
    try {
      await t.h.frame('sos');
      const alarm = (await t.h.centre.store.listAlarms({ states: ['raised'] }))[0]!;
      const sipp = await t.done();
      expect(sipp.code).toBe(0);
      const after = (await t.h.centre.store.getAlarm(alarm.id))!;
      expect(after.state).toBe('acknowledged');
      expect(after.acknowledgedBy).toBe('contact:Ann');
      expect(t.h.bus.on('/downlink').map((d) => d['command'])).toContain('help_coming');
      expect(t.h.sms.sent.map((n) => n.to)).toEqual(['+33600000001']); // the SMS asked for with 3, to Ann — not the next step
      expect(t.h.sms.sent[0]!.text).toMatch(/https:\/\/centre\.example\.org\/r\/[A-Za-z0-9_-]{22}$/);
      expect(await attempts(t.h, alarm.id)).toEqual(expect.arrayContaining(['Ann:voice:sent', 'Ann:voice:delivered', 'Ann:voice:accepted']));
      const intro = (await promptAudio.render('fr', introScript('fr', { alarmType: 'sos', alarmNumber: alarm.number, workerName: 'Wendy Worker', siteName: 'Site A' }))).PCMU;
      const heard = receivedAudio(t.rx);
      // Ann pressed 1 during the prompt: what she heard is the start of the French one.
      expect(heard.length).toBeGreaterThan(8000);
      expect(heard.subarray(0, 8000).equals(Buffer.from(intro.subarray(0, 8000)))).toBe(true);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('2 declines: the next step goes out at once, without waiting for the step timeout', async () => {
    const t = await centreCalling('answer-2.xml');
    try {
      await t.h.frame('sos');
      const alarm = (await t.h.centre.store.listAlarms({ states: ['raised'] }))[0]!;
      expect((await t.done()).code).toBe(0);
      expect(t.h.sms.sent.map((n) => n.to)).toEqual(['+33600000003']);
      expect((await t.h.centre.store.getAlarm(alarm.id))!.state).toBe('raised');
      expect(await attempts(t.h, alarm.id)).toEqual(expect.arrayContaining(['Ann:voice:rejected', 'Carl:sms:sent']));
    } finally {
      await t.close();
    }
  }, 60_000);

  it('a busy line moves on at once and is recorded as a failed call', async () => {
    const t = await centreCalling('busy.xml');
    try {
      await t.h.frame('sos');
      const alarm = (await t.h.centre.store.listAlarms({ states: ['raised'] }))[0]!;
      expect((await t.done()).code).toBe(0);
      expect(t.h.sms.sent.map((n) => n.to)).toEqual(['+33600000003']);
      const log = await t.h.centre.store.listAttempts(alarm.id);
      expect(log.find((a) => a.channel === 'voice' && a.status === 'failed')?.detail).toMatch(/busy \(486/);
    } finally {
      await t.close();
    }
  }, 60_000);
});
