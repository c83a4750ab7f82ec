/**
 * The notifier seam: one channel (SMS, voice call, email, webhook, console push, Web Push) that can tell a contact about an
 * alarm and report what became of it. Every implementation passes test/centre/notifier-contract.ts.
 */
export type Channel = 'sms' | 'voice' | 'email' | 'webhook' | 'console' | 'push';
export const CHANNELS: readonly Channel[] = ['console', 'sms', 'voice', 'email', 'webhook', 'push'];

export interface Notification {
  /** Idempotency key: the same key is never delivered twice by a well-behaved channel. */
  id: string;
  alarmId: string;
  /** Short number people quote on the phone. */
  alarmNumber: string;
  channel: Channel;
  /** Phone number (SMS, voice), e-mail address, URL or console user, depending on the channel. */
  to: string;
  subject: string;
  text: string;
  /** Link to the responder page, when the channel can carry one. */
  link?: string;
  /** Structured summary (alarm type, worker, place…) for machine receivers (webhooks). */
  data?: Record<string, unknown>;
}

/** What happened to one attempt; answers (accepted/rejected) may arrive later as NotifierEvents. */
export type DeliveryStatus = 'sent' | 'delivered' | 'failed';

export interface DeliveryResult {
  status: DeliveryStatus;
  detail?: string;
  /**
   * Failed because the recipient no longer exists (a push subscription the push service reports
   * expired): not retried, and not held against the channel's health.
   */
  gone?: boolean;
}

/**
 * A reply or receipt that arrives after sending: an SMS "YES", a webhook callback, a bounce, what
 * became of a phone call (answered = delivered; busy, hung up, no key = failed; not picked up = no_answer).
 */
export interface NotifierEvent {
  notificationId?: string;
  channel: Channel;
  from: string;
  kind: 'accepted' | 'rejected' | 'delivered' | 'failed' | 'no_answer';
  at: number;
  text?: string;
  /** The alarm number the answer names ("YES 1042"), when it names one. */
  alarmNumber?: string;
}

export interface Notifier {
  readonly channel: Channel;
  /**
   * What a crash between handing a message over and recording it does: `at-least-once` channels send
   * it again after the restart (a duplicate is possible, a loss is not); `at-most-once` channels do not.
   */
  readonly delivery: 'at-least-once' | 'at-most-once';
  /**
   * Notifications handed to `send` at once (default 20). A GSM modem sends one at a time: claiming
   * more would only let them wait in its queue while their leases run out.
   */
  readonly maxInFlight?: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  send(n: Notification): Promise<DeliveryResult>;
  /** Replies and receipts; the escalation engine matches them to attempts. */
  onEvent(fn: (e: NotifierEvent) => void): () => void;
  /** Whether the channel currently works (modem present, SMTP reachable). */
  healthy(): boolean;
}
