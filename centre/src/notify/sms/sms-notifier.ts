/**
 * SMS through a GSM modem. At-least-once (an SMS cannot carry an idempotency key; the duplicate
 * window is the moment between the modem's +CMGS and the store recording it). Replies are answers:
 * "1", "YES" (and OUI, JA, SI) accept; "2", "NO" (NON, NEE, NEIN) reject; a number after the word
 * ("YES 1042") names the alarm when the contact has several. Anything else is logged and ignored.
 */
import type { Clock } from '../../../../common/clock';
import type { Logger } from '../../../../common/log';
import type { DeliveryResult, Notification, Notifier, NotifierEvent } from '../types';
import { GsmModem, type ModemOptions } from './modem';

const ACCEPT = /^\s*(1|yes|y|ok|oui|ja|si|sí)\b/i;
const REJECT = /^\s*(2|no|n|non|nee|nein)\b/i;

export function parseReply(text: string): { kind: 'accepted' | 'rejected'; alarmNumber?: string } | undefined {
  const kind = ACCEPT.test(text) ? 'accepted' : REJECT.test(text) ? 'rejected' : undefined;
  if (!kind) return undefined;
  const number = /^\s*\S+\s+#?(\d{3,12})\b/.exec(text)?.[1];
  return { kind, ...(number ? { alarmNumber: number } : {}) };
}

export class SmsNotifier implements Notifier {
  readonly channel = 'sms' as const;
  readonly delivery = 'at-least-once' as const;
  readonly maxInFlight = 1;
  readonly modem: GsmModem;
  private readonly listeners = new Set<(e: NotifierEvent) => void>();

  constructor(opts: Omit<ModemOptions, 'log' | 'clock'>, ctx: { clock: Clock; log: Logger }) {
    this.modem = new GsmModem({ ...opts, log: ctx.log, clock: ctx.clock });
    this.modem.on('sms', (m) => {
      const r = parseReply(m.text);
      if (!r) {
        ctx.log.info('SMS that is not an answer ignored', { from: m.from });
        return;
      }
      const e: NotifierEvent = { channel: 'sms', from: m.from, kind: r.kind, at: ctx.clock.now(), text: m.text.slice(0, 160), ...(r.alarmNumber ? { alarmNumber: r.alarmNumber } : {}) };
      for (const fn of this.listeners) fn(e);
    });
  }

  start(): Promise<void> {
    return this.modem.start();
  }

  stop(): Promise<void> {
    return this.modem.stop();
  }

  async send(n: Notification): Promise<DeliveryResult> {
    try {
      const ref = await this.modem.sendSms(n.to, n.text);
      return { status: 'sent', detail: `message reference ${ref}` };
    } catch (e) {
      return { status: 'failed', detail: (e as Error).message };
    }
  }

  onEvent(fn: (e: NotifierEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  healthy(): boolean {
    return this.modem.healthy;
  }
}
