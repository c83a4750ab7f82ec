/** The voice channel from its validated config section (the composition root's one line). */
import type { Clock } from '../../../../common/clock';
import type { Logger } from '../../../../common/log';
import type { VoiceConfig } from '../../config';
import { PromptAudio } from './audio';
import { TcpSipTransport, UdpSipTransport } from './sip/transport';
import { type SmsFollowUp, VoiceNotifier } from './voice-notifier';

export function voiceNotifierFromConfig(c: VoiceConfig, ctx: { clock: Clock; log: Logger; promptDir: string; sms?: SmsFollowUp }): VoiceNotifier {
  const server = { host: c.server, port: c.port };
  const transport = c.transport === 'tcp' ? new TcpSipTransport({ server, localPort: 0, log: ctx.log }) : new UdpSipTransport({ server, localPort: c.localPort, log: ctx.log });
  const audio = new PromptAudio({ dir: ctx.promptDir, espeak: c.espeak, wordsPerMinute: c.wordsPerMinute });
  return new VoiceNotifier({
    server, domain: c.domain ?? c.server, username: c.username, password: c.password, callerId: c.callerId, displayName: c.displayName,
    publicAddress: c.publicAddress, register: c.register, registerExpiresS: c.registerExpiresS, rtpPortMin: c.rtpPortMin, rtpPortMax: c.rtpPortMax,
    ringTimeoutS: c.ringTimeoutS, keyTimeoutS: c.keyTimeoutS, promptRepeats: c.promptRepeats, defaultLanguage: c.defaultLanguage, maxCalls: c.maxCalls,
  }, { clock: ctx.clock, log: ctx.log, transport, audio, ...(ctx.sms ? { sms: ctx.sms } : {}) });
}
