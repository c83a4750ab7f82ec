/**
 * SMS through a GSM modem in PDU mode (modem.ts, pdu.ts). At-least-once (an SMS cannot carry an
 * idempotency key; the duplicate window is the moment between the modem's +CMGS and the store
 * recording it — for a text in several parts, a failure after the first part resends them all).
 * Status reports are tied to the message by the references +CMGS gave its parts: all parts delivered
 * → `delivered`, any part failed permanently → `failed` (events with the notification id). The
 * references live in memory (the last 1,000 messages): a report that arrives after a restart is
 * logged, not tied. Replies are answers:
 * "1", "YES" (and OUI, JA, SI) accept; "2", "NO" (NON, NEE, NEIN) reject; a number after the word
 * ("YES 1042") names the alarm when the contact has several. Anything else is logged and ignored.
 */
import type { Clock } from '../../../../common/clock';
import type { Logger } from '../../../../common/log';
import type { DeliveryResult, Notification, Notifier, NotifierEvent } from '../types';
import { GsmModem, type ModemOptions } from './modem';

// `(?![\p{L}\p{N}])` rather than \b, which never matches after a non-ASCII letter ("Sí 1042").
const ACCEPT = /^\s*(1|yes|y|ok|oui|ja|si|sí)(?![\p{L}\p{N}])/iu;
const REJECT = /^\s*(2|no|n|non|nee|nein)(?![\p{L}\p{N}])/iu;

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
  /** TP-MR → the notification whose part it is, and that notification's parts not yet reported delivered. */
  private readonly sent = new Map<number, { id: string; to: string; open: Set<number> }>();

  constructor(opts: Omit<ModemOptions, 'log' | 'clock'>, ctx: { clock: Clock; log: Logger }) {
    this.modem = new GsmModem({ ...opts, log: ctx.log, clock: ctx.clock });
    this.modem.on('sms', (m) => {
      const r = parseReply(m.text);
      if (!r) {
        ctx.log.info('SMS that is not an answer ignored', { from: m.from });
        return;
      }
      const e: NotifierEvent = { channel: 'sms', from: m.from, kind: r.kind, at: ctx.clock.now(), text: m.text.slice(0, 160), ...(r.alarmNumber ? { alarmNumber: r.alarmNumber } : {}) };
      this.tell(e);
    });
    this.modem.on('report', (rep) => {
      const msg = this.sent.get(rep.reference);
      if (!msg) return ctx.log.info('status report for a message not sent by this process', { reference: rep.reference, status: rep.status });
      if (rep.outcome === 'pending') return; // the service centre is still trying
      const detail = `status report 0x${rep.status.toString(16).padStart(2, '0')} for part reference ${rep.reference} (discharged ${rep.dischargedAt})`;
      if (rep.outcome === 'failed') {
        for (const ref of msg.open) this.sent.delete(ref);
        msg.open.clear();
        return this.tell({ notificationId: msg.id, channel: 'sms', from: msg.to, kind: 'failed', at: ctx.clock.now(), text: detail });
      }
      msg.open.delete(rep.reference);
      this.sent.delete(rep.reference);
      if (msg.open.size === 0) this.tell({ notificationId: msg.id, channel: 'sms', from: msg.to, kind: 'delivered', at: ctx.clock.now(), text: detail });
    });
  }

  private tell(e: NotifierEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  start(): Promise<void> {
    return this.modem.start();
  }

  stop(): Promise<void> {
    return this.modem.stop();
  }

  async send(n: Notification): Promise<DeliveryResult> {
    try {
      const refs = await this.modem.sendSms(n.to, n.text);
      const msg = { id: n.id, to: n.to, open: new Set(refs.filter((r) => r >= 0)) };
      for (const r of msg.open) this.sent.set(r, msg);
      while (this.sent.size > 1000) this.sent.delete(this.sent.keys().next().value!);
      return { status: 'sent', detail: `message reference${refs.length > 1 ? 's' : ''} ${refs.join(', ')}${refs.length > 1 ? ` (${refs.length} parts)` : ''}` };
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
