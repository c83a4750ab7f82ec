/**
 * Building the voice channel for tests against SIPp: the real VoiceNotifier on the system clock, a
 * shared prompt cache (files named by a hash of voice and text, so sharing is safe and saves the
 * rendering), and an RTP receiver standing where the callee's SDP points.
 */
import { createSocket, type Socket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { PromptAudio } from '../../centre/src/notify/voice/audio';
import { decodeRtp, type RtpPacket } from '../../centre/src/notify/voice/rtp/packet';
import { TcpSipTransport, UdpSipTransport } from '../../centre/src/notify/voice/sip/transport';
import { type SmsFollowUp, VoiceNotifier, type VoiceOptions } from '../../centre/src/notify/voice/voice-notifier';
import type { Notification, NotifierEvent } from '../../centre/src/notify/types';

export const promptAudio = new PromptAudio({ dir: join(tmpdir(), 'vigil-test-voice-prompts') });

export function voiceNotifier(port: number, opts: Partial<VoiceOptions> & { transport?: 'udp' | 'tcp'; sms?: SmsFollowUp } = {}): VoiceNotifier {
  const log = createLogger('voice', 'silent');
  const server = { host: '127.0.0.1', port };
  const transport = opts.transport === 'tcp' ? new TcpSipTransport({ server, localPort: 0, log }) : new UdpSipTransport({ server, localPort: 0, log });
  return new VoiceNotifier({
    server, domain: 'vigil.test', username: 'vigil', password: 's3cret', callerId: '+33100000000', displayName: 'Vigil', publicAddress: null,
    register: false, registerExpiresS: 60, rtpPortMin: 40000, rtpPortMax: 49998, ringTimeoutS: 3, keyTimeoutS: 2, promptRepeats: 0,
    defaultLanguage: 'en', maxCalls: 4, ...opts,
  }, { clock: new SystemClock(), log, transport, audio: promptAudio, ...(opts.sms ? { sms: opts.sms } : {}) });
}

export function voiceNotification(to = '+33612345678', extra: Partial<Notification> = {}): Notification {
  return {
    id: `n-${Math.random().toString(36).slice(2)}`, alarmId: 'a-1', alarmNumber: '1042', channel: 'voice', to,
    subject: 'VIGIL ALARM 1042: SOS — Wendy Worker', text: 'VIGIL ALARM 1042: SOS', link: 'https://centre.example.org/r/AbCdEfGhIjKlMnOpQrStUv',
    data: { alarm: { number: '1042', type: 'sos' }, worker: { name: 'Wendy Worker' }, voice: { language: 'en', siteName: 'Warehouse North' } },
    ...extra,
  };
}

export function recordEvents(v: VoiceNotifier): NotifierEvent[] {
  const events: NotifierEvent[] = [];
  v.onEvent((e) => events.push(e));
  return events;
}

export interface RtpReceiver {
  port: number;
  packets: { at: number; packet: RtpPacket }[];
  close(): Promise<void>;
}

/** Where the callee's SDP sends our audio: keeps every RTP packet with its arrival time. */
export async function rtpReceiver(): Promise<RtpReceiver> {
  const socket: Socket = createSocket('udp4');
  const packets: RtpReceiver['packets'] = [];
  socket.on('message', (buf) => {
    const d = decodeRtp(buf);
    if (d.ok) packets.push({ at: Date.now(), packet: d.packet });
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { port: socket.address().port, packets, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

/** The payload bytes received, in arrival order (one host: no reordering). */
export function receivedAudio(r: RtpReceiver): Buffer {
  return Buffer.concat(r.packets.map((p) => p.packet.payload));
}
