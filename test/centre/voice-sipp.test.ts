/**
 * The voice channel against a real SIP peer: SIPp (Debian sip-tester 3.6.1) is the callee, with the
 * scenarios of test/fixtures/sipp. SIPp fails (exit code 1) when our messages are not what a callee
 * expects — the CANCEL of an unanswered call, the ACKs, the BYE, credentials that do not verify.
 * Keys come as Debian's RFC 4733 pcaps (played by SIPp; needs root) or as SIP INFO. Our audio goes to
 * an RTP receiver named in SIPp's SDP, so what was sent is checked byte for byte.
 *
 * The calls run in real time (a prompt lasts as long as it lasts), so every scenario is started at
 * once in beforeAll and each test reads its outcome: the file takes as long as its longest call.
 */
import type { DeliveryResult, Notification, NotifierEvent } from '../../centre/src/notify/types';
import type { RtpPacket } from '../../centre/src/notify/voice/rtp/packet';
import { introScript } from '../../centre/src/notify/voice/prompts';
import { runSipp } from '../helpers/sipp';
import { promptAudio, receivedAudio, recordEvents, rtpReceiver, type RtpReceiver, voiceNotification, voiceNotifier } from '../helpers/voice';

interface Outcome {
  sent: DeliveryResult;
  events: NotifierEvent[];
  sipp: { code: number | null; output: string };
  rtp: RtpReceiver;
  sms: string[];
  healthy: boolean;
}

async function call(scenario: string, o: { transport?: 'udp' | 'tcp'; password?: string; rtp?: boolean; notification?: Partial<Notification> } = {}): Promise<Outcome> {
  const rtp = await rtpReceiver();
  const vars: Record<string, string | number> = {};
  if (o.rtp !== false) vars['rtpport'] = rtp.port;
  if (scenario === 'auth.xml') Object.assign(vars, { user: 'vigil', password: 's3cret' });
  const sipp = await runSipp(scenario, { vars, timeoutS: 40, ...(o.transport ? { transport: o.transport } : {}) });
  const sms: string[] = [];
  const v = voiceNotifier(sipp.port, {
    keyTimeoutS: 2, ringTimeoutS: 2, ...(o.transport ? { transport: o.transport } : {}), ...(o.password ? { password: o.password } : {}),
    sms: { available: (n) => !!n.link, send: async (n) => (sms.push(n.id), true) },
  });
  const events = recordEvents(v);
  try {
    await v.start();
    const sent = await v.send(voiceNotification('+33612345678', o.notification));
    await v.idle();
    const result = await sipp.done;
    return { sent, events, sipp: result, rtp, sms, healthy: v.healthy() };
  } finally {
    sipp.stop();
    await v.stop();
    await rtp.close();
  }
}

const outcomes = new Map<string, Promise<Outcome>>();
const SCENARIOS: [string, string, Parameters<typeof call>[1]][] = [
  ['accept', 'answer-1-3.xml', {}],
  ['decline', 'answer-2.xml', {}],
  ['decline over TCP', 'answer-2.xml', { transport: 'tcp' }],
  ['accept by INFO', 'answer-info-1.xml', {}],
  ['voicemail', 'answer-silent.xml', {}],
  ['hang-up', 'hang-up.xml', {}],
  ['busy', 'busy.xml', { rtp: false }],
  ['no answer', 'no-answer.xml', { rtp: false }],
  ['digest', 'auth.xml', {}],
  ['wrong password', 'auth.xml', { password: 'wrong' }],
];

beforeAll(async () => {
  for (const [name, file, o] of SCENARIOS) outcomes.set(name, call(file, o));
  await Promise.allSettled(outcomes.values());
}, 90_000);

async function outcome(name: string): Promise<Outcome> {
  const o = await outcomes.get(name)!;
  if (o.sipp.code !== 0 && name !== 'wrong password') throw new Error(`SIPp (${name}) exited with ${o.sipp.code}:\n${o.sipp.output.slice(-4000)}`);
  return o;
}
const kinds = (o: Outcome): string[] => o.events.map((e) => e.kind);

/** One continuous stream: one SSRC and payload type, sequence +1 and timestamp +160 per packet. */
function expectContinuousStream(packets: RtpPacket[], payloadType: number): void {
  expect(packets.length).toBeGreaterThan(10);
  expect(new Set(packets.map((p) => p.payloadType))).toEqual(new Set([payloadType]));
  expect(new Set(packets.map((p) => p.ssrc)).size).toBe(1);
  expect(packets[0]!.marker).toBe(true);
  for (let i = 1; i < packets.length; i++) {
    expect((packets[i]!.sequence - packets[i - 1]!.sequence) & 0xffff).toBe(1);
    expect((packets[i]!.timestamp - packets[i - 1]!.timestamp) >>> 0).toBe(160);
    expect(packets[i]!.payload.length).toBe(160);
  }
}

describe('voice channel against SIPp as the callee', () => {
  it('1 (an RFC 4733 event) accepts at once, then 3 asks for the SMS with the link; PCMU when the callee picks it', async () => {
    const o = await outcome('accept');
    expect(o.sent.status).toBe('sent');
    expect(kinds(o)).toEqual(['delivered', 'accepted']);
    expect(o.events[1]).toMatchObject({ channel: 'voice', from: '+33612345678', alarmNumber: '1042' });
    expect(o.events[1]!.notificationId).toBeDefined();
    expect(o.sms).toHaveLength(1);
    expectContinuousStream(o.rtp.packets.map((p) => p.packet), 0);
    expect(o.healthy).toBe(true);
  });

  it('2 declines (the ladder moves on); A-law when the callee offers only PCMA', async () => {
    const o = await outcome('decline');
    expect(kinds(o)).toEqual(['delivered', 'rejected']);
    expect(o.sms).toEqual([]);
    expectContinuousStream(o.rtp.packets.map((p) => p.packet), 8);
  });

  it('works the same over TCP', async () => {
    const o = await outcome('decline over TCP');
    expect(kinds(o)).toEqual(['delivered', 'rejected']);
    expectContinuousStream(o.rtp.packets.map((p) => p.packet), 8);
  });

  it('reads a key sent as SIP INFO (application/dtmf-relay) when the trunk sends no RTP events', async () => {
    const o = await outcome('accept by INFO');
    expect(kinds(o)).toEqual(['delivered', 'accepted']);
  });

  it('a callee that answers and presses nothing (a voicemail) never accepts; the whole prompt went out, then silence, at 50 packets a second', async () => {
    const o = await outcome('voicemail');
    expect(kinds(o)).toEqual(['delivered', 'failed']);
    expect(o.events[1]!.text).toMatch(/no key pressed.*not an acceptance/);
    const packets = o.rtp.packets.map((p) => p.packet);
    expectContinuousStream(packets, 0);
    const intro = (await promptAudio.render('en', introScript('en', { alarmType: 'sos', alarmNumber: '1042', workerName: 'Wendy Worker', siteName: 'Warehouse North' }))).PCMU;
    const heard = receivedAudio(o.rtp);
    const introPackets = Math.ceil(intro.length / 160);
    expect(packets.length).toBe(introPackets + 2 * 50); // the prompt, then keyTimeoutS (2 s) of silence
    expect(heard.subarray(0, intro.length).equals(Buffer.from(intro))).toBe(true);
    expect(heard.subarray(introPackets * 160).every((b) => b === 0xff)).toBe(true);
    // Paced, not sent in a burst: the packets spread over (nearly) their own duration.
    const spanMs = o.rtp.packets.at(-1)!.at - o.rtp.packets[0]!.at;
    expect(spanMs).toBeGreaterThan((packets.length - 1) * 20 * 0.8);
  });

  it('the alarm number is spoken digit by digit inside the prompt', async () => {
    const o = await outcome('voicemail');
    const heard = receivedAudio(o.rtp);
    let from = 0;
    for (const d of '1042') {
      const digit = Buffer.from((await promptAudio.say('en', d)).PCMU);
      const at = heard.indexOf(digit, from);
      expect(at).toBeGreaterThanOrEqual(from);
      from = at + digit.length;
    }
  });

  it('a callee who hangs up mid-prompt has not accepted; we stop sending', async () => {
    const o = await outcome('hang-up');
    expect(kinds(o)).toEqual(['delivered', 'failed']);
    expect(o.events[1]!.text).toMatch(/hung up/);
    expect(o.rtp.packets.length).toBeLessThan(150); // ~1 s of a prompt of several seconds
  });

  it('busy (486) is a failed call, not a failed channel', async () => {
    const o = await outcome('busy');
    expect(o.sent.status).toBe('sent');
    expect(kinds(o)).toEqual(['failed']);
    expect(o.events[0]!.text).toMatch(/busy \(486/);
    expect(o.healthy).toBe(true);
  });

  it('no answer within ringTimeoutS: CANCEL (SIPp checks it, and the ACK of its 487)', async () => {
    const o = await outcome('no answer');
    expect(kinds(o)).toEqual(['no_answer']);
  });

  it('answers a digest challenge (401, qop=auth) with credentials SIPp verifies', async () => {
    const o = await outcome('digest');
    expect(kinds(o)).toEqual(['delivered', 'accepted']);
  });

  it('credentials the trunk refuses fail the channel (retried, counted toward notifier_failed)', async () => {
    const o = await outcome('wrong password');
    expect(o.sipp.code).toBe(1); // SIPp's verifyauth said no
    expect(o.sent).toMatchObject({ status: 'failed', detail: expect.stringMatching(/403 Forbidden/) });
    expect(o.events).toEqual([]);
    expect(o.healthy).toBe(false);
  });
});

describe('voice channel registration', () => {
  it('registers with a registrar that challenges (SIPp verifies the digest) and reports itself healthy', async () => {
    const sipp = await runSipp('registrar.xml', { vars: { user: 'vigil', password: 's3cret' }, timeoutS: 20 });
    const v = voiceNotifier(sipp.port, { register: true });
    try {
      expect(v.healthy()).toBe(false);
      await v.start();
      await v.whenRegistered();
      expect(v.ua.registered).toBe(true);
      expect(v.healthy()).toBe(true);
      const r = await sipp.done;
      if (r.code !== 0) throw new Error(`SIPp exited with ${r.code}:\n${r.output.slice(-3000)}`);
    } finally {
      sipp.stop();
      await v.stop();
    }
  });

  it('a trunk that cannot be reached is a failed send and an unhealthy channel, never a throw', async () => {
    const v = voiceNotifier(1, { transport: 'tcp' });
    await v.start();
    const r = await v.send(voiceNotification());
    expect(r.status).toBe('failed');
    expect(v.healthy()).toBe(false);
    await v.stop();
  });
});
