/**
 * Console push: a notification shown to every operator's console through the live stream. Always
 * available (it is the last line of the never-silent broadcast). At-most-once: a push interrupted by a
 * crash is not repeated, because consoles reconnect and re-read every open alarm anyway.
 * An operator's acknowledgement answers it (the alarm API); `answer` exists for consoles that accept
 * or decline a specific push.
 */
import type { Clock } from '../../../common/clock';
import type { LiveHub } from '../domain/live';
import type { DeliveryResult, Notification, Notifier, NotifierEvent } from './types';

export class ConsoleNotifier implements Notifier {
  readonly channel = 'console' as const;
  readonly delivery = 'at-most-once' as const;
  private readonly listeners = new Set<(e: NotifierEvent) => void>();

  constructor(private readonly ctx: { live: LiveHub; clock: Clock }) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(n: Notification): Promise<DeliveryResult> {
    this.ctx.live.publish({ type: 'notification', notification: { id: n.id, alarmId: n.alarmId, alarmNumber: n.alarmNumber, to: n.to, subject: n.subject, text: n.text, link: n.link ?? null } });
    return { status: 'sent' };
  }

  /** An operator answered a push from the console. */
  answer(notificationId: string, kind: 'accepted' | 'rejected', operator: string): void {
    const e: NotifierEvent = { notificationId, channel: 'console', from: operator, kind, at: this.ctx.clock.now() };
    for (const fn of this.listeners) fn(e);
  }

  onEvent(fn: (e: NotifierEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  healthy(): boolean {
    return true;
  }
}
