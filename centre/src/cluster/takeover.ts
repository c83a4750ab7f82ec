/**
 * What bucket moves mean for a centre worker's services. Taking buckets over: reload the cached
 * devices of those buckets (the database is ahead) in one query, rebuild their timers from the rows — sessions, pending
 * pre-alarms, device and gateway silence, escalations — and run the events stored but not handled
 * (frames other workers stored while the bucket had no live owner). Losing buckets: drop their timers.
 * The same rebuild, for every bucket owned, is the resync after the cluster channel reconnected, and
 * a sweep of unhandled events runs every few seconds for frames only another worker heard.
 */
import { type Clock, every } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { MessageHandler } from '../../../common/bus';
import { type CentreStatusPayload, parseTopic, topic } from '../../../protocol/src';
import type { Centre } from '../centre';
import type { Scheduler } from '../domain/scheduler';
import { gatewayPartition } from '../domain/supervision';
import type { Cluster, ClusterHandlers } from './cluster';
import { OwnedScheduler } from './owned-scheduler';
import { devicePartition } from '../domain/partition';

export class ClusterRole {
  private scheduler: OwnedScheduler | undefined;
  private sweeping = false;

  constructor(private readonly centre: Centre, readonly cluster: Cluster, private readonly log: Logger) {}

  /** The worker's scheduler: its own partitions here, the others' handed to their owners. */
  wrap(inner: Scheduler): OwnedScheduler {
    const c = this.cluster;
    this.scheduler = new OwnedScheduler({ inner, owns: (p) => c.owns(p), run: (p, fn) => c.run(p, fn), hint: (h) => c.hint(h), log: this.log });
    return this.scheduler;
  }

  handlers(): ClusterHandlers {
    const { centre, cluster } = this;
    return {
      takeOver: async (owns) => {
        try {
          const r = await this.rebuild(owns);
          this.log.info('bucket state rebuilt from the database', r);
        } finally {
          // After the rebuild, so that no heartbeat of a taken bucket races its device's reload.
          await centre.followBuckets();
        }
      },
      release: (gone) => {
        const timers = this.scheduler?.drop(gone) ?? 0;
        centre.ingest.forgetWhere((id) => gone(devicePartition(id)));
        void centre.followBuckets();
        this.log.info('buckets released', { timersDropped: timers });
      },
      timer: (h) => this.scheduler?.accept(h),
      forget: (deviceId) => {
        centre.ingest.forget(deviceId ?? undefined);
        if (deviceId === null) void centre.positions.refresh().catch(() => undefined);
      },
      command: (c) => {
        centre.publisher.command(c.siteId, c.deviceId, c.counter, c.command, c.param);
      },
      membership: (nodes) => {
        this.log.info('cluster membership changed', { workers: nodes.map((n) => n.id) });
        // A dead worker's last will said "centre offline" on the retained status: the survivors say otherwise.
        if (centre.bus?.connected) {
          const online: CentreStatusPayload = { v: 1, online: true, at: centre.clock.now(), instance: centre.instance };
          centre.bus.send(topic.centreStatus(), JSON.stringify(online), { qos: 1, retain: true });
        }
      },
      resync: async () => {
        const r = await this.rebuild((p) => cluster.owns(p));
        await centre.followBuckets();
        this.log.warn('resynced every owned bucket from the database', r);
      },
    };
  }

  /**
   * An MQTT handler for what belongs to one partition (a gateway's status, an integration's): run by
   * the partition's owner, fenced; the others acknowledge and leave it (it is retained or repeated, and
   * the owner's silence timers cover a status lost in a failover).
   */
  owned(partitionOf: (topicName: string) => string | undefined, handler: MessageHandler): MessageHandler {
    return async (t, payload) => {
      const p = partitionOf(t);
      if (p === undefined) return handler(t, payload);
      if (!this.cluster.owns(p)) return;
      await this.cluster.run(p, async () => {
        await handler(t, payload);
      });
    };
  }

  static gatewayOf(topicName: string): string | undefined {
    const t = parseTopic(topicName);
    return t ? gatewayPartition(`${t.params['siteId']}/${t.params['gatewayId']}`) : undefined;
  }

  static integrationOf(topicName: string): string | undefined {
    const t = parseTopic(topicName);
    return t ? `integration:${t.params['integrationId']}` : undefined;
  }

  /** Events stored by workers that do not own their device (the owner's own copy may have been lost). */
  startSweep(clock: Clock, periodMs = 3000): () => void {
    return every(clock, periodMs, () => {
      if (this.sweeping) return;
      this.sweeping = true;
      void this.centre.ingest.recover((p) => this.cluster.owns(p))
        .catch((e: unknown) => this.log.warn('sweep of unhandled events failed', { error: e as Error }))
        .finally(() => (this.sweeping = false));
    });
  }

  private async rebuild(owns: (partition: string) => boolean): Promise<Record<string, number>> {
    const { centre } = this;
    centre.ingest.forgetWhere((id) => owns(devicePartition(id)));
    const devices = await centre.ingest.warm(owns);
    const sessions = await centre.sessions.rebuild(owns);
    const pendingAlarms = await centre.alarms.rebuildTimers(owns);
    await centre.supervision.rebuild(owns);
    const escalations = await centre.escalation.rebuild(owns);
    const events = await centre.ingest.recover(owns);
    return { devices, sessions, pendingAlarms, escalations, events, timers: centre.scheduler.size };
  }
}
