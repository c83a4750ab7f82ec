/**
 * What bucket moves mean for a centre worker's services, which it sees only through `WorkerSide`.
 * Taking buckets over: reload the cached devices of those buckets (the database is ahead) in one
 * query, rebuild their timers from the rows in the centre's one rebuild order (services.ts: sessions,
 * pending pre-alarms, device and gateway silence, escalations) and run the events stored but not
 * handled (frames other workers stored while the bucket had no live owner). Losing buckets: drop
 * their timers.
 * The same rebuild, for every bucket owned, is the resync after the cluster channel reconnected, and
 * a sweep of unhandled events runs every few seconds for frames only another worker heard.
 */
import { type Clock, every } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { MessageHandler } from '../../../common/bus';
import { parseTopic } from '../../../protocol/src';
import type { AlarmPublisher } from '../domain/alarm-publisher';
import type { Ingest } from '../domain/ingest';
import { devicePartition, gatewayPartition } from '../domain/partition';
import type { Positions } from '../domain/positions';
import type { Scheduler } from '../domain/scheduler';
import type { RebuildCounts } from '../services';
import type { Cluster, ClusterHandlers } from './cluster';
import { OwnedScheduler } from './owned-scheduler';

/** What a bucket move asks of the worker's services: all the cluster role sees of the centre. */
export interface WorkerSide {
  ingest: Pick<Ingest, 'forget' | 'forgetWhere' | 'warm' | 'recover'>;
  positions: Pick<Positions, 'refresh'>;
  publisher: Pick<AlarmPublisher, 'command'>;
  /** The centre's one rebuild order (services.ts rebuildPartitions) for the partitions `owns` accepts. */
  rebuild(owns: (partition: string) => boolean): Promise<RebuildCounts>;
  /** Says on the retained centre status that the centre is online. */
  announceOnline(): void;
  /** The status shards follow the buckets this worker owns (after every lease move). */
  followBuckets(): Promise<void>;
  /** A pendant's settings changed at another worker: the owner sends what is pending (settings/service.ts). */
  settingsChanged(deviceId: string): Promise<void>;
}

export class ClusterRole {
  private scheduler: OwnedScheduler | undefined;
  private sweeping = false;

  constructor(readonly cluster: Cluster, private readonly log: Logger) {}

  /** The worker's scheduler: its own partitions here, the others' handed to their owners. */
  wrap(inner: Scheduler): OwnedScheduler {
    const c = this.cluster;
    this.scheduler = new OwnedScheduler({ inner, owns: (p) => c.owns(p), run: (p, fn) => c.run(p, fn), hint: (h) => c.hint(h), log: this.log });
    return this.scheduler;
  }

  handlers(worker: WorkerSide): ClusterHandlers {
    const { cluster } = this;
    return {
      takeOver: async (owns) => {
        try {
          const r = await this.rebuild(worker, owns);
          this.log.info('bucket state rebuilt from the database', r);
        } finally {
          // After the rebuild, so that no heartbeat of a taken bucket races its device's reload.
          await worker.followBuckets();
        }
      },
      release: (gone) => {
        const timers = this.scheduler?.drop(gone) ?? 0;
        worker.ingest.forgetWhere((id) => gone(devicePartition(id)));
        void worker.followBuckets();
        this.log.info('buckets released', { timersDropped: timers });
      },
      timer: (h) => this.scheduler?.accept(h),
      forget: (deviceId) => {
        worker.ingest.forget(deviceId ?? undefined);
        if (deviceId === null) void worker.positions.refresh().catch(() => undefined);
        // A pendant's settings changed at another worker: its owner sends them (settings/service.ts).
        else void worker.settingsChanged(deviceId).catch((e: unknown) => this.log.warn('pendant settings not sent', { deviceId, error: e as Error }));
      },
      command: (c) => {
        worker.publisher.command(c.siteId, c.deviceId, c.counter, c.command, c.param);
      },
      membership: (nodes) => {
        this.log.info('cluster membership changed', { workers: nodes.map((n) => n.id) });
        // A dead worker's last will said "centre offline" on the retained status: the survivors say otherwise.
        worker.announceOnline();
      },
      resync: async () => {
        const r = await this.rebuild(worker, (p) => cluster.owns(p));
        await worker.followBuckets();
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
  startSweep(clock: Clock, ingest: Pick<Ingest, 'recover'>, periodMs = 3000): () => void {
    return every(clock, periodMs, () => {
      if (this.sweeping) return;
      this.sweeping = true;
      void ingest.recover((p) => this.cluster.owns(p))
        .catch((e: unknown) => this.log.warn('sweep of unhandled events failed', { error: e as Error }))
        .finally(() => (this.sweeping = false));
    });
  }

  /** The buckets' devices reloaded first (the database is ahead of the cache), then the centre's one rebuild. */
  private async rebuild(worker: WorkerSide, owns: (partition: string) => boolean): Promise<Record<string, number>> {
    worker.ingest.forgetWhere((id) => owns(devicePartition(id)));
    const devices = await worker.ingest.warm(owns);
    return { devices, ...(await worker.rebuild(owns)) };
  }
}
