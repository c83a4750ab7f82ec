/**
 * The voice channel's codecs and timers without a network: SIP messages (positive and negative
 * vectors), stream framing split at every byte, digest (RFC 2617 §3.5's own example), RTP and RFC 4733
 * (bytes from Debian's sip-tester pcap), SIP INFO, SDP answers, transaction timers and the key-press
 * conversation on a virtual clock.
 */
import { VirtualClock } from '../../common/clock';
import { resolveCentreConfig } from '../../centre/src/config';
import { digestAuthorization, parseChallenge } from '../../centre/src/notify/voice/sip/digest';
import { SipStreamFramer } from '../../centre/src/notify/voice/sip/framer';
import { decodeSip, encodeSip, header, parseNameAddr, type SipMessage, type SipRequest } from '../../centre/src/notify/voice/sip/message';
import { Transactions } from '../../centre/src/notify/voice/sip/transactions';
import type { SipTransport } from '../../centre/src/notify/voice/sip/transport';
import { decodeRtp, decodeTelephoneEvent, encodeRtp } from '../../centre/src/notify/voice/rtp/packet';
import { dtmfFromInfo } from '../../centre/src/notify/voice/info';
import { buildOffer, parseAnswer } from '../../centre/src/notify/voice/sdp';
import { IvrSession, runIvr } from '../../centre/src/notify/voice/ivr';
import type { PlayResult } from '../../centre/src/notify/voice/rtp/session';
import { Counters } from '../../common/counters';

const INVITE = [
  'INVITE sip:+33612345678@vigil.test SIP/2.0', 'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport', 'f: "Vigil" <sip:vigil@vigil.test>;tag=t1',
  't: <sip:+33612345678@vigil.test>', 'i: call-1@vigil', 'CSeq: 1 INVITE', 'Subject: a long', '  folded header', 'l: 4', '', 'v=0\r\n',
].join('\r\n');

describe('SIP messages', () => {
  it('decodes compact and folded headers into canonical names, the body cut at Content-Length', () => {
    const d = decodeSip(Buffer.from(INVITE));
    if (!d.ok) throw new Error(d.detail);
    const m = d.message as SipRequest;
    expect(m).toMatchObject({ kind: 'request', method: 'INVITE', uri: 'sip:+33612345678@vigil.test' });
    expect(header(m, 'Call-ID')).toBe('call-1@vigil');
    expect(header(m, 'Subject')).toBe('a long folded header');
    expect(m.body.toString()).toBe('v=0\r');
    expect(parseNameAddr(header(m, 'From')!)).toMatchObject({ display: 'Vigil', uri: 'sip:vigil@vigil.test' });
    expect(parseNameAddr(header(m, 'From')!)!.params.get('tag')).toBe('t1');
    const again = decodeSip(encodeSip(m));
    expect(again.ok && again.message.headers).toEqual(m.headers.map(([n, v]) => [n, n === 'Content-Length' ? '4' : v]));
  });

  it.each([
    ['empty', ''],
    ['no_header_end', 'SIP/2.0 200 OK\r\nVia: x'],
    ['bad_start_line', 'HELLO\r\nVia: a\r\nFrom: a\r\nTo: a\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n'],
    ['missing_header', 'SIP/2.0 200 OK\r\nVia: a\r\nFrom: a\r\nTo: a\r\nCSeq: 1 A\r\n\r\n'],
    ['bad_content_length', 'SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['truncated', 'SIP/2.0 200 OK\r\nVia: a\r\nFrom: a\r\nTo: a\r\nCall-ID: a\r\nCSeq: 1 A\r\nContent-Length: 10\r\n\r\nabc'],
    ['bad_header', 'SIP/2.0 200 OK\r\n: nameless\r\n\r\n'],
  ])('refuses %s without throwing', (code, text) => {
    expect(decodeSip(Buffer.from(text))).toMatchObject({ ok: false, code });
  });

  it('frames a TCP stream split at every byte, skipping keep-alive CRLFs', () => {
    const one = encodeSip((decodeSip(Buffer.from(INVITE)) as { message: SipMessage }).message);
    const stream = Buffer.concat([Buffer.from('\r\n\r\n'), one, one]);
    for (let cut = 1; cut < stream.length; cut++) {
      const f = new SipStreamFramer();
      const frames = [...(f.push(stream.subarray(0, cut)) as { frames: Buffer[] }).frames, ...(f.push(stream.subarray(cut)) as { frames: Buffer[] }).frames];
      if (frames.length !== 2 || !frames.every((x) => x.equals(one))) throw new Error(`split at byte ${cut}: ${frames.length} frames`);
    }
    expect(new SipStreamFramer().push(Buffer.from('SIP/2.0 200 OK\r\nVia: a\r\n\r\n'))).toMatchObject({ ok: false });
  });
});

describe('digest', () => {
  it('computes RFC 2617 §3.5 (Mufasa / Circle Of Life) exactly', () => {
    const c = parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    if (!c.ok) throw new Error(c.detail);
    const h = digestAuthorization(c.challenge, { username: 'Mufasa', password: 'Circle Of Life' }, 'GET', '/dir/index.html', 1, '0a4f113b');
    expect(h).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(h).toContain('nc=00000001');
    expect(h).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('refuses challenges it cannot answer', () => {
    expect(parseChallenge('Basic realm="x"').ok).toBe(false);
    expect(parseChallenge('Digest realm="x", nonce="n", qop="auth-int"').ok).toBe(false);
    expect(parseChallenge('Digest realm="x", nonce="n", algorithm=SHA-512-256').ok).toBe(false);
    expect(parseChallenge('Digest realm="x"').ok).toBe(false);
  });
});

describe('RTP and DTMF', () => {
  it('decodes the telephone-events of Debian sip-tester 3.6.1 dtmf_2833_1.pcap', () => {
    // Two packets of that capture (RTP header + payload), the second the end packet (E bit).
    const start = Buffer.from('80e51f30000033e0' + '12345678' + '010a0000', 'hex');
    const end = Buffer.from('80651f37000033e0' + '12345678' + '018a08c0', 'hex');
    const a = decodeRtp(start);
    const b = decodeRtp(end);
    if (!a.ok || !b.ok) throw new Error('not RTP');
    expect(a.packet).toMatchObject({ marker: true, payloadType: 101, sequence: 7984, timestamp: 13280 });
    expect(decodeTelephoneEvent(a.packet.payload)).toEqual({ key: '1', end: false, volume: 10, duration: 0 });
    expect(decodeTelephoneEvent(b.packet.payload)).toEqual({ key: '1', end: true, volume: 10, duration: 2240 });
  });

  it('round-trips a packet and refuses short, foreign or inconsistent ones', () => {
    const p = { marker: false, payloadType: 8, sequence: 65535, timestamp: 0xfffffff0, ssrc: 42, payload: Buffer.alloc(160, 0xd5) };
    const d = decodeRtp(encodeRtp(p));
    expect(d.ok && d.packet).toEqual(p);
    expect(decodeRtp(Buffer.alloc(11))).toEqual({ ok: false, code: 'too_short' });
    expect(decodeRtp(Buffer.alloc(12))).toEqual({ ok: false, code: 'bad_version' });
    expect(decodeRtp(Buffer.from('8f00000000000000000000000000', 'hex'))).toEqual({ ok: false, code: 'bad_length' });
    expect(decodeTelephoneEvent(Buffer.from('10000000', 'hex'))).toBeUndefined(); // event 16: not a key
  });

  it('reads keys from SIP INFO bodies', () => {
    const info = (type: string, body: string): SipRequest => ({ kind: 'request', method: 'INFO', uri: 'sip:x', headers: [['Content-Type', type]], body: Buffer.from(body) });
    expect(dtmfFromInfo(info('application/dtmf-relay', 'Signal=1\r\nDuration=160'))).toBe('1');
    expect(dtmfFromInfo(info('application/dtmf-relay', 'Signal= 11\r\n'))).toBe('#');
    expect(dtmfFromInfo(info('application/dtmf', '2'))).toBe('2');
    expect(dtmfFromInfo(info('application/dtmf-relay', 'Signal=X'))).toBeUndefined();
    expect(dtmfFromInfo(info('text/plain', '1'))).toBeUndefined();
  });
});

describe('SDP', () => {
  it('offers PCMU, PCMA and telephone-event; takes the codec the answer names first', () => {
    const offer = buildOffer({ address: '192.0.2.1', port: 10000, sessionId: 1 });
    expect(offer).toContain('m=audio 10000 RTP/AVP 0 8 101');
    expect(offer).toContain('a=rtpmap:101 telephone-event/8000');
    const answer = 'v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 20000 RTP/AVP 8 96\r\na=rtpmap:96 telephone-event/8000\r\n';
    expect(parseAnswer(answer)).toEqual({ ok: true, media: { host: '198.51.100.7', port: 20000, codec: 'PCMA', payloadType: 8, dtmfPayloadType: 96 } });
  });

  it.each([
    ['no audio', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n'],
    ['no G.711', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\n'],
    ['on hold', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'],
    ['send-only', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n'],
  ])('refuses an answer with %s', (_name, text) => {
    expect(parseAnswer(text).ok).toBe(false);
  });
});

describe('client transactions on a virtual clock', () => {
  function fakeTransport(reliable: boolean): SipTransport & { sent: SipMessage[] } {
    const sent: SipMessage[] = [];
    return {
      protocol: reliable ? 'TCP' : 'UDP', reliable, counters: new Counters(), sent,
      start: async () => undefined, local: () => ({ host: '127.0.0.1', port: 5060 }), onMessage: () => undefined, close: async () => undefined,
      send: async (m) => void sent.push(m),
    };
  }
  const invite = decodeSip(Buffer.from(INVITE.replace('l: 4', 'l: 0').replace('v=0\r\n', ''))) as { ok: true; message: SipRequest };

  it('INVITE over UDP: Timer A doubles from T1 until a provisional response, Timer B gives up at 64·T1', async () => {
    const clock = new VirtualClock();
    const t = fakeTransport(false);
    const tx = new Transactions({ transport: t, clock, server: { host: 'x', port: 5060 } });
    let outcome: unknown;
    void tx.request(invite.message).then((o) => (outcome = o));
    const times: number[] = [];
    const start = clock.now();
    for (let ms = 0; ms <= 32_000; ms += 100) {
      const before = t.sent.length;
      await clock.advanceAsync(100);
      if (t.sent.length > before) times.push(clock.now() - start);
    }
    expect(times).toEqual([500, 1500, 3500, 7500, 15500, 31500]);
    expect(outcome).toEqual({ kind: 'timeout' });
  });

  it('acknowledges a non-2xx final response in the INVITE transaction; no retransmission over TCP', async () => {
    const clock = new VirtualClock();
    const t = fakeTransport(true);
    const tx = new Transactions({ transport: t, clock, server: { host: 'x', port: 5060 } });
    const done = tx.request(invite.message);
    await clock.advanceAsync(5000);
    expect(t.sent).toHaveLength(1);
    const busy = decodeSip(Buffer.from('SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport\r\nFrom: <sip:vigil@vigil.test>;tag=t1\r\nTo: <sip:x@y>;tag=r9\r\nCall-ID: call-1@vigil\r\nCSeq: 1 INVITE\r\n\r\n'));
    expect(busy.ok && tx.onResponse(busy.message as never)).toBe(true);
    expect(await done).toMatchObject({ kind: 'response', response: { status: 486 } });
    const ack = t.sent[1] as SipRequest;
    expect(ack.method).toBe('ACK');
    expect(header(ack, 'Via')).toContain('branch=z9hG4bKabc');
    expect(header(ack, 'To')).toContain('tag=r9');
    expect(header(ack, 'CSeq')).toBe('1 ACK');
    tx.close();
  });
});

describe('the conversation (IVR) on a virtual clock', () => {
  /** Media that "plays" for length/8 ms of virtual time and can be cut short. */
  function media(clock: VirtualClock): { play: (a: Uint8Array) => Promise<PlayResult>; interrupt: () => void; played: number[] } {
    let cut: (() => void) | undefined;
    const played: number[] = [];
    return {
      played,
      play: (a) => new Promise<PlayResult>((resolve) => {
        played.push(a.length);
        const id = clock.setTimeout(() => resolve('played'), a.length / 8);
        cut = () => {
          clock.clearTimeout(id);
          resolve('interrupted');
        };
      }),
      interrupt: () => cut?.(),
    };
  }
  const audio = { intro: new Uint8Array(8000 * 6), accepted: new Uint8Array(8000), smsOffer: new Uint8Array(8000), smsSent: new Uint8Array(800), declined: new Uint8Array(800), goodbye: new Uint8Array(800), wait: new Uint8Array(8000 * 5) };

  it('1 during the prompt accepts at once (barge-in); 3 asks for the SMS; other keys are ignored', async () => {
    const clock = new VirtualClock();
    const m = media(clock);
    const s = new IvrSession(m);
    const events: string[] = [];
    const r = runIvr(s, audio, { repeats: 1, onAccepted: () => events.push(`accepted@${clock.now()}`), sendSms: async () => (events.push('sms'), true) });
    const t0 = clock.now();
    await clock.advanceAsync(2000);
    s.key('7');
    await clock.advanceAsync(1000);
    s.key('1');
    await clock.advanceAsync(1500);
    s.key('3');
    await clock.advanceAsync(10_000);
    expect(await r).toEqual({ kind: 'accepted', sms: true });
    expect(events).toEqual([`accepted@${t0 + 3000}`, 'sms']);
  });

  it('no key: the prompt again `repeats` times, then no_key — never an acceptance', async () => {
    const clock = new VirtualClock();
    const m = media(clock);
    const s = new IvrSession(m);
    let accepted = false;
    const r = runIvr(s, audio, { repeats: 1, onAccepted: () => (accepted = true) });
    await clock.advanceAsync(60_000);
    expect(await r).toEqual({ kind: 'no_key' });
    expect(accepted).toBe(false);
    expect(m.played).toEqual([audio.intro.length, audio.wait.length, audio.intro.length, audio.wait.length]);
  });

  it('2 declines; a hang-up before any key is hung_up', async () => {
    const clock = new VirtualClock();
    const s1 = new IvrSession(media(clock));
    const r1 = runIvr(s1, audio, { repeats: 0, onAccepted: () => undefined });
    await clock.advanceAsync(7000);
    s1.key('2');
    await clock.advanceAsync(5000);
    expect(await r1).toEqual({ kind: 'declined' });
    const s2 = new IvrSession(media(clock));
    const r2 = runIvr(s2, audio, { repeats: 0, onAccepted: () => undefined });
    await clock.advanceAsync(1000);
    s2.hangUp();
    await clock.advanceAsync(1000);
    expect(await r2).toEqual({ kind: 'hung_up' });
  });
});

describe('voice configuration', () => {
  const base = { dataDir: '/tmp/x', mqtt: { url: 'mqtt://x', clientId: 'c' }, http: { host: '127.0.0.1', port: 0 } };
  it('fills the defaults', () => {
    const c = resolveCentreConfig({ ...base, notifiers: { voice: { server: 'sip.example.net' } as never } });
    expect(c.notifiers!.voice).toMatchObject({ port: 5060, transport: 'udp', ringTimeoutS: 30, keyTimeoutS: 8, promptRepeats: 1, defaultLanguage: 'en', rtpPortMin: 10000, rtpPortMax: 10999 });
  });

  it('reports every mistake by path', () => {
    expect(() => resolveCentreConfig({ ...base, notifiers: { voice: { server: 's', transport: 'tls', defaultLanguage: 'it', rtpPortMin: 20000, rtpPortMax: 10000, password: 'p', register: true } as never } }))
      .toThrow(/notifiers\.voice\.transport[\s\S]*notifiers\.voice\.defaultLanguage/);
    expect(() => resolveCentreConfig({ ...base, notifiers: { voice: { server: 's', rtpPortMin: 20000, rtpPortMax: 10000, password: 'p', register: true } as never } }))
      .toThrow(/rtpPortMax: must be above rtpPortMin[\s\S]*username and password go together[\s\S]*register: needs username/);
  });
});
