/**
 * The conversation once the callee picks up. Keys may come at any time — during a prompt they cut
 * it short (barge-in) — from RTP telephone-events or SIP INFO alike:
 *
 * | state | key | then |
 * |---|---|---|
 * | intro (alarm, worker, site, number, menu) | 1 | accepted at once (the ladder stops), "help is coming", offer of the SMS |
 * | intro | 2 | declined (next step at once), "we call the next person" |
 * | intro | none within keyTimeout | intro again, `repeats` times; then no key: never an acceptance (a voicemail) |
 * | accepted, SMS offered | 3 | the SMS with the responder link is queued, "it is on its way" |
 * | any | hang-up | what was decided so far stands |
 *
 * Other keys are ignored. Waiting is playing silence, so the RTP clock is the only timer.
 */
import type { PlayResult } from './rtp/session';

export interface IvrMedia {
  play(audio: Uint8Array): Promise<PlayResult>;
  interrupt(): void;
}

export interface IvrAudio {
  intro: Uint8Array;
  accepted: Uint8Array;
  smsOffer: Uint8Array;
  smsSent: Uint8Array;
  declined: Uint8Array;
  goodbye: Uint8Array;
  /** `keyTimeoutMs` of silence. */
  wait: Uint8Array;
}

export type IvrResult = { kind: 'accepted'; sms: boolean } | { kind: 'declined' } | { kind: 'no_key' } | { kind: 'hung_up' };

export class IvrSession {
  private readonly keys: string[] = [];
  private hungUp = false;

  constructor(private readonly media: IvrMedia) {}

  /** A key from either source. */
  key(k: string): void {
    if (this.hungUp) return;
    this.keys.push(k);
    this.media.interrupt();
  }

  /** The callee hung up (BYE) or the call was torn down. */
  hangUp(): void {
    this.hungUp = true;
    this.media.interrupt();
  }

  get ended(): boolean {
    return this.hungUp;
  }

  /** Plays unless a key is already waiting; resolves early on a key or a hang-up. */
  async play(audio: Uint8Array): Promise<void> {
    if (this.hungUp || this.keys.length) return;
    await this.media.play(audio);
  }

  /** The next key among `wanted`, waiting while `silence` plays; null when none came or the call ended. */
  async waitKey(wanted: string, silence: Uint8Array): Promise<string | null> {
    for (;;) {
      const k = this.takeKey(wanted);
      if (k || this.hungUp) return k;
      const r = await this.media.play(silence);
      if (r !== 'interrupted') return this.takeKey(wanted);
    }
  }

  private takeKey(wanted: string): string | null {
    while (this.keys.length) {
      const k = this.keys.shift()!;
      if (wanted.includes(k)) return k;
    }
    return null;
  }
}

export interface IvrHooks {
  repeats: number;
  /** Called the moment 1 is pressed, before the thank-you plays. */
  onAccepted: () => void;
  /** Queues the SMS with the link; absent when there is no SMS channel or no link. */
  sendSms?: () => Promise<boolean>;
}

export async function runIvr(s: IvrSession, audio: IvrAudio, hooks: IvrHooks): Promise<IvrResult> {
  let key: string | null = null;
  for (let round = 0; round <= hooks.repeats && !key && !s.ended; round++) {
    await s.play(audio.intro);
    key = await s.waitKey('12', audio.wait);
  }
  if (key === '2') {
    await s.play(audio.declined);
    await s.play(audio.goodbye);
    return { kind: 'declined' };
  }
  if (key !== '1') return { kind: s.ended ? 'hung_up' : 'no_key' };
  hooks.onAccepted();
  await s.play(audio.accepted);
  let sms = false;
  if (hooks.sendSms && !s.ended) {
    await s.play(audio.smsOffer);
    if ((await s.waitKey('3', audio.wait)) === '3') {
      sms = await hooks.sendSms();
      if (sms) await s.play(audio.smsSent);
    }
  }
  await s.play(audio.goodbye);
  return { kind: 'accepted', sms };
}
