/**
 * Alerts on console users' phones (Web Push): an alarm raised, still not acknowledged after
 * `unacknowledgedAfterMin`, resolved — to every subscription of every user whose scope covers the
 * alarm (auth-scope.ts: a supervisor hears of their own sites and teams only), for alarms of priority
 * `maxPriority` or more urgent.
 *
 * Beside the escalation, never in its way: the pushes are rows of the notification outbox that belong
 * to no escalation, so the ladder neither waits for them nor hears of their failures, while the outbox
 * gives them what every notification has — written to the store before anything is sent, retried with
 * back-off, claimed by one worker of a cluster, counted (`push_sent`, `push_failed`), and shown on the
 * alarm's list of attempts.
 *
 * Exactly one push per subscription and event: a row's id is `push:<alarm>:<event>:<subscription>`,
 * and rows that exist already are not written again. That makes the start-up rebuild safe: for every
 * open raised alarm it writes what a crash between the alarm's commit and its pushes would have lost
 * (only to subscriptions that existed when the alarm was raised) and re-arms the reminder from the
 * alarm's `raisedAt` — a timer derived from a row, like every timer of the centre.
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { AlarmAction, AlarmService } from '../domain/alarms';
import { Scope } from '../auth/scope';
import { alarmPartition } from '../domain/partition';
import type { Outbox } from './outbox';
import { alarmUrl, englishText, type PushKind, type PushMessage } from '../notify/push/payload';
import type { PushSubscriptionBook } from '../notify/push/push-notifier';
import type { Notifier } from '../notify/types';
import type { PushSubscriptionRecord } from '../notify/push/subscription';
import type { Scheduler } from '../domain/scheduler';
import type { Alarm, NewOutboxMessage, Store, User } from '../store/types';

/** Web Push, when configured: the channel, the alerts beside the escalation, what the HTTP layer needs. */
export interface PushWiring {
  notifier: Notifier;
  alerts: PushAlerts;
  book: PushSubscriptionBook;
  publicKey: string;
  endpointHosts: string[];
}

export interface PushAlertsConfig {
  unacknowledgedAfterMin: number;
  maxPriority: number;
}

const MINUTE = 60_000;

export function pushId(alarmId: string, kind: PushKind | 'test', subscriptionId: string): string {
  return `push:${alarmId}:${kind}:${subscriptionId}`;
}

export class PushAlerts {
  constructor(private readonly ctx: { store: Store; book: PushSubscriptionBook; clock: Clock; log: Logger; scheduler: Scheduler; outbox: Outbox; config: PushAlertsConfig }) {
    ctx.scheduler.on('push_reminder', (alarmId) => this.remind(alarmId));
  }

  attach(alarms: AlarmService): void {
    alarms.onChange((a, action) => this.onAlarm(a, action));
  }

  private get reminderMs(): number {
    return this.ctx.config.unacknowledgedAfterMin * MINUTE;
  }

  async onAlarm(a: Alarm, action: AlarmAction): Promise<void> {
    if (a.priority > this.ctx.config.maxPriority) return;
    if (action === 'raised') {
      this.arm(a);
      await this.fanOut(a, 'raised');
    } else if (action === 'acknowledged' || action === 'cancelled' || action === 'resolved') {
      this.ctx.scheduler.clear(`push:${a.id}`);
      // A resolved alarm that was never raised (a pre-alarm cancelled) was never pushed.
      if (action === 'resolved' && a.raisedAt !== null) await this.fanOut(a, 'resolved');
    }
  }

  /** Start-up (and a cluster's bucket takeover): pushes a crash lost, and the reminders, from the alarms. */
  async rebuild(owns: (partition: string) => boolean = () => true): Promise<number> {
    const raised = (await this.ctx.store.listAlarms({ states: ['raised'], limit: 10_000 }))
      .filter((a) => a.priority <= this.ctx.config.maxPriority && owns(alarmPartition(a)));
    for (const a of raised) {
      await this.fanOut(a, 'raised');
      this.arm(a);
    }
    return raised.length;
  }

  /** A test push to each of the user's subscriptions ("does my phone ring?"). */
  async test(user: User, subs: PushSubscriptionRecord[]): Promise<number> {
    const now = this.ctx.clock.now();
    const id = `test-${now}`;
    const m = { kind: 'test' as const, alarmId: id, type: 'test', priority: 3, duress: false, worker: user.name || user.username, site: null, at: now, afterMin: null };
    const { title, body } = englishText({ ...m, number: '0', lang: 'en' });
    await this.ctx.outbox.enqueue(subs.map((s) => this.ctx.outbox.message({
      id: pushId(id, 'test', s.id), channel: 'push', to: s.id, contactName: `${user.username}: ${s.label ?? 'browser'}`, subject: title, text: body,
      link: '/#/account', alarmNumber: '0', priority: 3, maxAttempts: 1, data: m,
    })));
    return subs.length;
  }

  private arm(a: Alarm): void {
    if (this.reminderMs <= 0 || a.raisedAt === null || a.state !== 'raised') return;
    this.ctx.scheduler.set(`push:${a.id}`, a.raisedAt + this.reminderMs, 'push_reminder', a.id, alarmPartition(a));
  }

  private async remind(alarmId: string): Promise<void> {
    const a = await this.ctx.store.getAlarm(alarmId);
    if (!a || a.state !== 'raised' || a.raisedAt === null) return;
    await this.fanOut(a, 'unacknowledged');
  }

  /** One outbox row per subscription of every user who may see the alarm, unless written already. */
  private async fanOut(a: Alarm, kind: PushKind): Promise<void> {
    const { store, outbox, clock } = this.ctx;
    const since = a.raisedAt ?? a.createdAt;
    const subs = await this.ctx.book.listPushSubscriptions();
    if (subs.length === 0) return;
    const users = new Map((await store.listUsers()).map((u) => [u.id, u]));
    const scopes = new Map<string, Promise<Scope>>();
    const mayHear = async (s: PushSubscriptionRecord): Promise<boolean> => {
      const u = users.get(s.userId);
      if (!u) {
        // The user was deleted: their devices hear nothing more, and are forgotten.
        await this.ctx.book.deletePushSubscription(s.id);
        return false;
      }
      if (!scopes.has(u.id)) scopes.set(u.id, Scope.of(u, store));
      return (await scopes.get(u.id)!).covers(a);
    };
    const written = new Set((await store.listOutbox({ alarmId: a.id })).map((m) => m.id));
    const todo: PushSubscriptionRecord[] = [];
    for (const s of subs) {
      // Who subscribed after the alarm was raised is not rung for its raise (nor its end); a reminder goes to all.
      if (kind !== 'unacknowledged' && s.createdAt > since) continue;
      if (!written.has(pushId(a.id, kind, s.id)) && (await mayHear(s))) todo.push(s);
    }
    if (todo.length === 0) return;
    const worker = a.workerId ? await store.getWorker(a.workerId) : undefined;
    const site = a.siteId ? await store.getSite(a.siteId) : undefined;
    const now = clock.now();
    const at = kind === 'resolved' ? (a.resolvedAt ?? now) : kind === 'raised' ? since : now;
    const base = {
      kind, type: a.type, priority: a.priority, duress: a.type === 'duress', worker: worker?.name ?? null, site: site?.name ?? null, at,
      afterMin: kind === 'unacknowledged' ? Math.round((now - since) / MINUTE) : null,
    } satisfies Partial<PushMessage>;
    const rows: NewOutboxMessage[] = todo.map((s) => {
      const { title, body } = englishText({ ...base, alarmId: a.id, number: a.number, lang: s.language });
      const user = users.get(s.userId)!;
      return outbox.message({
        id: pushId(a.id, kind, s.id), channel: 'push', to: s.id, contactName: `${user.username}: ${s.label ?? 'browser'}`, subject: title, text: body,
        link: alarmUrl(a.id), alarmId: a.id, alarmNumber: a.number, priority: a.priority, data: base,
      });
    });
    try {
      await outbox.enqueue(rows);
    } catch (e) {
      // Another worker wrote some of them meanwhile (a takeover racing a late listener): write the rest one by one.
      for (const r of rows) await outbox.enqueue([r]).catch(() => undefined);
      this.ctx.log.debug('push rows partly written already', { alarmId: a.id, kind, error: e as Error });
    }
  }
}
