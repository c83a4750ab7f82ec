/**
 * A dead notifier is itself an alarm (principle 2): `notifierFailuresBeforeAlarm` consecutive failed
 * deliveries on a channel, or the channel reporting itself unhealthy at two checks in a row (modem
 * unplugged, SMTP unreachable), raise `notifier_failed` for that channel; the next successful delivery
 * or healthy check restores it.
 */
import { type Clock, every } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { AlarmService } from '../domain/alarms';
import type { Channel, DeliveryResult } from '../notify/types';
import type { Outbox } from './outbox';

export class NotifierHealth {
  private readonly failures = new Map<Channel, number>();
  private readonly unhealthyChecks = new Map<Channel, number>();
  private readonly raised = new Set<Channel>();
  private stopCheck: (() => void) | undefined;

  constructor(private readonly ctx: { clock: Clock; log: Logger; alarms: AlarmService; outbox: Outbox; threshold: number; checkMs?: number }) {
    ctx.outbox.onResult((m, r) => this.onResult(m.channel, r));
  }

  /** Channels with an open notifier_failed alarm (from before a restart) stay watched for their restore. */
  async rebuild(open: { subject?: string | null; type: string }[]): Promise<void> {
    for (const a of open) if (a.type === 'notifier_failed' && a.subject?.startsWith('notifier:')) this.raised.add(a.subject.slice(9) as Channel);
  }

  start(): void {
    this.stopCheck = every(this.ctx.clock, this.ctx.checkMs ?? 30_000, () => void this.check());
  }

  stop(): void {
    this.stopCheck?.();
  }

  async onResult(channel: Channel, r: DeliveryResult): Promise<void> {
    if (r.gone) return; // an expired recipient says nothing about the channel
    if (r.status === 'failed') {
      const n = (this.failures.get(channel) ?? 0) + 1;
      this.failures.set(channel, n);
      if (n >= this.ctx.threshold) await this.raise(channel, `${n} notifications in a row failed: ${r.detail ?? 'no detail'}`);
      return;
    }
    this.failures.set(channel, 0);
    await this.restore(channel, 'a notification went through');
  }

  async check(): Promise<void> {
    for (const ch of this.ctx.outbox.channels()) {
      const healthy = this.ctx.outbox.notifier(ch)?.healthy() ?? false;
      const n = healthy ? 0 : (this.unhealthyChecks.get(ch) ?? 0) + 1;
      this.unhealthyChecks.set(ch, n);
      try {
        if (n >= 2) await this.raise(ch, `the ${ch} channel reports itself unavailable`);
        else if (healthy && (this.failures.get(ch) ?? 0) < this.ctx.threshold) await this.restore(ch, `the ${ch} channel is available again`);
      } catch (e) {
        this.ctx.log.error('notifier health check failed', { channel: ch, error: e as Error });
      }
    }
  }

  private async raise(channel: Channel, text: string): Promise<void> {
    if (this.raised.has(channel)) return;
    this.raised.add(channel);
    this.ctx.log.error('notifier failing', { channel, text });
    await this.ctx.alarms.raiseSystem({ type: 'notifier_failed', subject: `notifier:${channel}`, at: this.ctx.clock.now(), text: `${channel}: ${text}`.slice(0, 200), data: { channel } });
  }

  private async restore(channel: Channel, detail: string): Promise<void> {
    if (!this.raised.delete(channel)) return;
    await this.ctx.alarms.restore(`notifier:${channel}`, 'notifier_failed', detail);
  }
}
