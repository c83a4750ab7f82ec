/** A Notifier that records what it is given (our seam): for escalation rules on a virtual clock. */
import type { Channel, DeliveryResult, Notification, Notifier, NotifierEvent } from '../../centre/src/notify/types';

export class RecordingNotifier implements Notifier {
  readonly delivery = 'at-least-once' as const;
  readonly sent: Notification[] = [];
  /** Makes sends fail (all, or those it returns true for). */
  fail: boolean | ((n: Notification) => boolean) = false;
  isHealthy = true;
  private readonly listeners = new Set<(e: NotifierEvent) => void>();

  constructor(readonly channel: Channel, private readonly now: () => number) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(n: Notification): Promise<DeliveryResult> {
    const failing = typeof this.fail === 'function' ? this.fail(n) : this.fail;
    if (failing) return { status: 'failed', detail: 'test failure' };
    this.sent.push(n);
    return { status: 'sent' };
  }

  /** An answer from `from` (an SMS reply, a webhook callback). */
  reply(from: string, kind: 'accepted' | 'rejected', extra: Partial<NotifierEvent> = {}): void {
    for (const fn of this.listeners) fn({ channel: this.channel, from, kind, at: this.now(), ...extra });
  }

  onEvent(fn: (e: NotifierEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  healthy(): boolean {
    return this.isHealthy;
  }

  /** Who got what, as `to: first line`, for exact assertions. */
  log(): string[] {
    return this.sent.map((n) => `${n.to}: ${n.subject}`);
  }
}
