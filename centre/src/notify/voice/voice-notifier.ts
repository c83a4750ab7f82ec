/**
 * The voice channel: a phone call through a SIP trunk that speaks the alarm and asks for a key.
 *
 * `send` returns as soon as the trunk has taken the call (any response to the INVITE): `sent` while it
 * rings, `delivered` when answered, `failed` only when the trunk itself fails (unreachable, credentials
 * refused, 5xx) — those are retried by the outbox and count toward `notifier_failed`. What the callee
 * then does arrives as events, so a ringing phone never holds the outbox: accepted (1), rejected (2),
 * no_answer (ring timeout), failed (busy, call refused, hung up or no key — a voicemail never accepts).
 * At-least-once: a crash between placing the call and recording it calls again after the restart.
 */
import type { Clock, TimerId } from '../../../../common/clock';
import type { Logger } from '../../../../common/log';
import type { DeliveryResult, Notification, Notifier, NotifierEvent } from '../types';
import type { Audio, PromptAudio } from './audio';
import { type IvrAudio, IvrSession, runIvr } from './ivr';
import { introScript, voiceLanguage, voiceTexts, type VoiceLanguage, VOICE_LANGUAGES } from './prompts';
import { RtpSession } from './rtp/session';
import { buildOffer, type Codec, OFFERED_DTMF_PT, parseAnswer } from './sdp';
import { dtmfFromInfo } from './info';
import type { SipTransport } from './sip/transport';
import { type InviteOutcome, SipUserAgent } from './sip/ua';

export interface VoiceOptions {
  server: { host: string; port: number };
  domain: string;
  username: string | null;
  password: string | null;
  callerId: string | null;
  displayName: string | null;
  publicAddress: string | null;
  register: boolean;
  registerExpiresS: number;
  rtpPortMin: number;
  rtpPortMax: number;
  ringTimeoutS: number;
  keyTimeoutS: number;
  promptRepeats: number;
  defaultLanguage: VoiceLanguage;
  maxCalls: number;
}

export interface SmsFollowUp {
  /** Whether an SMS with the link can be sent for this notification (an SMS channel and a link). */
  available(n: Notification): boolean;
  send(n: Notification): Promise<boolean>;
}

/** Statuses of the callee's side: retrying the same number now would not help; the ladder moves on. */
const CALLEE_STATUSES = new Set([404, 408, 410, 480, 484, 486, 487, 600, 603, 604]);

export class VoiceNotifier implements Notifier {
  readonly channel = 'voice' as const;
  readonly delivery = 'at-least-once' as const;
  readonly ua: SipUserAgent;
  private readonly listeners = new Set<(e: NotifierEvent) => void>();
  private readonly calls = new Set<Promise<void>>();
  private readonly hangups = new Set<() => void>();
  private transportUp = false;
  private registrationOk = true;
  private promptsOk = true;
  private lastTrunkOk = true;
  private stopped = false;
  private retry: TimerId | undefined;
  private markRegistered: () => void = () => undefined;
  private readonly registeredOnce = new Promise<void>((resolve) => (this.markRegistered = resolve));

  constructor(private readonly opts: VoiceOptions, private readonly ctx: { clock: Clock; log: Logger; transport: SipTransport; audio: PromptAudio; sms?: SmsFollowUp }) {
    this.ua = new SipUserAgent({ server: opts.server, domain: opts.domain, username: opts.username, password: opts.password, callerId: opts.callerId, displayName: opts.displayName, publicAddress: opts.publicAddress, userAgent: 'Vigil' }, { clock: ctx.clock, log: ctx.log, transport: ctx.transport });
  }

  /** Never throws: a trunk that cannot be reached yet is retried every 30 s, and the channel reports itself unhealthy. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.bringUp();
    // Fixed phrases of every language, in the background: a first call renders what it needs anyway.
    void this.ctx.audio.prewarm(VOICE_LANGUAGES).catch((e: unknown) => {
      this.promptsOk = false;
      this.ctx.log.error('voice prompts cannot be rendered', { error: e as Error });
    });
  }

  /** Resolves at the first successful registration (channels configured with `register`). */
  whenRegistered(): Promise<void> {
    return this.registeredOnce;
  }

  private async bringUp(): Promise<void> {
    try {
      await this.ctx.transport.start();
    } catch (e) {
      this.ctx.log.warn('SIP trunk not reachable yet; retrying in 30 s', { error: e as Error });
      if (!this.stopped) this.retry = this.ctx.clock.setTimeout(() => void this.bringUp(), 30_000);
      return;
    }
    this.transportUp = true;
    if (this.opts.register) {
      this.registrationOk = false;
      this.ua.keepRegistered(this.opts.registerExpiresS, (r) => {
        if (r.ok !== this.registrationOk) this.ctx.log[r.ok ? 'info' : 'warn'](r.ok ? 'registered with the SIP registrar' : 'SIP registration failed', { detail: r.detail });
        this.registrationOk = r.ok;
        if (r.ok) this.markRegistered();
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ctx.clock.clearTimeout(this.retry);
    for (const h of this.hangups) h();
    await Promise.all(this.calls);
    await this.ua.stop();
    await this.ctx.transport.close();
    this.transportUp = false;
  }

  /** Resolves when no call is in progress (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.calls.size) await Promise.all(this.calls);
  }

  healthy(): boolean {
    return this.transportUp && (!this.opts.register || this.registrationOk) && this.promptsOk && this.lastTrunkOk;
  }

  onEvent(fn: (e: NotifierEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async send(n: Notification): Promise<DeliveryResult> {
    if (!this.transportUp) return { status: 'failed', detail: 'the SIP transport is not started' };
    if (this.calls.size >= this.opts.maxCalls) return { status: 'failed', detail: `all ${this.opts.maxCalls} lines are in use` };
    const lang = voiceLanguage(str(n.data, 'voice', 'language'), this.opts.defaultLanguage);
    let audio: Record<keyof Omit<IvrAudio, 'wait'>, Audio>;
    try {
      audio = await this.prompts(n, lang);
      this.promptsOk = true;
    } catch (e) {
      this.promptsOk = false;
      return { status: 'failed', detail: `voice prompt: ${(e as Error).message}` };
    }
    let rtp: RtpSession;
    let local: string;
    try {
      local = this.ua.local().host; // throws while a TCP connection to the trunk is down
      rtp = await RtpSession.open({ portMin: this.opts.rtpPortMin, portMax: this.opts.rtpPortMax, clock: this.ctx.clock });
    } catch (e) {
      return { status: 'failed', detail: (e as Error).message };
    }
    return new Promise<DeliveryResult>((resolve) => {
      let resolved = false;
      const settle = (r: DeliveryResult): void => {
        if (resolved) return;
        resolved = true;
        this.lastTrunkOk = r.status !== 'failed';
        resolve(r);
      };
      const offer = buildOffer({ address: local, port: rtp.port, sessionId: Math.floor(this.ctx.clock.now() / 1000) });
      const call = this.ua.invite({ to: n.to, sdp: offer, ringTimeoutMs: this.opts.ringTimeoutS * 1000, onProvisional: (s) => s !== 401 && s !== 407 && settle({ status: 'sent', detail: s === 180 || s === 183 ? 'ringing' : 'call placed' }) })
        .then((outcome) => this.converse(n, outcome, rtp, audio, settle))
        .catch((e: unknown) => {
          settle({ status: 'failed', detail: (e as Error).message });
          this.ctx.log.error('voice call failed', { id: n.id, error: e as Error });
        })
        .finally(() => {
          void rtp.close();
          this.calls.delete(call);
        });
      this.calls.add(call);
    });
  }

  /** After the INVITE's final answer: the conversation, or the reason there was none. */
  private async converse(n: Notification, o: InviteOutcome, rtp: RtpSession, audio: Record<keyof Omit<IvrAudio, 'wait'>, Audio>, settle: (r: DeliveryResult) => void): Promise<void> {
    if (o.kind === 'unreachable' || o.kind === 'auth_failed') return settle({ status: 'failed', detail: o.kind === 'auth_failed' ? `SIP authentication failed: ${o.detail}` : o.detail });
    if (o.kind === 'declined' && !CALLEE_STATUSES.has(o.status)) return settle({ status: 'failed', detail: `the trunk refused the call: ${o.status} ${o.reason}` });
    settle({ status: 'sent', detail: 'call placed' });
    if (o.kind === 'no_answer') return this.emit(n, 'no_answer', o.detail);
    if (o.kind === 'declined') return this.emit(n, 'failed', o.status === 486 || o.status === 600 ? `busy (${o.status} ${o.reason})` : `call not taken (${o.status} ${o.reason})`);
    const media = parseAnswer(o.sdp);
    const { dialog } = o;
    if (!media.ok) {
      await dialog.hangUp(this.ua.via());
      return this.emit(n, 'failed', `answered, but ${media.detail}`);
    }
    const codec: Codec = media.media.codec;
    rtp.setTarget({ host: media.media.host, port: media.media.port, payloadType: media.media.payloadType, dtmfPayloadTypes: [OFFERED_DTMF_PT, ...(media.media.dtmfPayloadType !== null ? [media.media.dtmfPayloadType] : [])] });
    this.emit(n, 'delivered', 'answered');
    const session = new IvrSession(rtp);
    rtp.on('dtmf', (k) => session.key(k));
    dialog.on('info', (req) => {
      const k = dtmfFromInfo(req);
      if (k) session.key(k);
    });
    dialog.on('bye', () => session.hangUp());
    const hangup = (): void => session.hangUp();
    this.hangups.add(hangup);
    try {
      const pick = (a: Audio): Uint8Array => a[codec];
      const sms = this.ctx.sms?.available(n) ? this.ctx.sms : undefined;
      const r = await runIvr(session, {
        intro: pick(audio.intro), accepted: pick(audio.accepted), smsOffer: pick(audio.smsOffer), smsSent: pick(audio.smsSent), declined: pick(audio.declined), goodbye: pick(audio.goodbye),
        wait: new Uint8Array(this.opts.keyTimeoutS * 8000).fill(codec === 'PCMU' ? 0xff : 0xd5),
      }, {
        repeats: this.opts.promptRepeats,
        onAccepted: () => this.emit(n, 'accepted', 'pressed 1 on the phone'),
        ...(sms ? { sendSms: () => sms.send(n).catch(() => false) } : {}),
      });
      if (r.kind === 'declined') this.emit(n, 'rejected', 'pressed 2 on the phone');
      else if (r.kind === 'no_key') this.emit(n, 'failed', `answered, but no key pressed (${this.opts.promptRepeats + 1} × prompt + ${this.opts.keyTimeoutS} s): not an acceptance`);
      else if (r.kind === 'hung_up') this.emit(n, 'failed', 'hung up before pressing a key');
      else if (r.sms) this.ctx.log.info('SMS with the responder link requested by phone', { id: n.id });
    } finally {
      this.hangups.delete(hangup);
      if (dialog.active) await dialog.hangUp(this.ua.via());
    }
  }

  private async prompts(n: Notification, lang: VoiceLanguage): Promise<Record<keyof Omit<IvrAudio, 'wait'>, Audio>> {
    const t = voiceTexts(lang);
    const a = this.ctx.audio;
    const intro = introScript(lang, {
      alarmType: str(n.data, 'alarm', 'type') ?? '', alarmNumber: n.alarmNumber,
      workerName: str(n.data, 'worker', 'name'), siteName: str(n.data, 'voice', 'siteName') ?? str(n.data, 'place', 'label'),
    });
    const [introA, accepted, smsOffer, smsSent, declined, goodbye] = await Promise.all([
      a.render(lang, intro), a.say(lang, t.accepted), a.say(lang, t.smsOffer), a.say(lang, t.smsSent), a.say(lang, t.declined), a.say(lang, t.goodbye),
    ]);
    return { intro: introA, accepted, smsOffer, smsSent, declined, goodbye };
  }

  private emit(n: Notification, kind: NotifierEvent['kind'], text: string): void {
    const e: NotifierEvent = { notificationId: n.id, channel: 'voice', from: n.to, kind, at: this.ctx.clock.now(), text, alarmNumber: n.alarmNumber };
    for (const fn of this.listeners) fn(e);
  }
}

/** `data[a][b]` when it is a non-empty string. */
function str(data: Record<string, unknown> | undefined, a: string, b: string): string | null {
  const v = (data?.[a] as Record<string, unknown> | null | undefined)?.[b];
  return typeof v === 'string' && v ? v : null;
}
