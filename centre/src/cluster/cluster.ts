/**
 * A centre worker's membership of the cluster: its bucket leases (leases.ts), the channel to the other
 * workers (pg-channel.ts) with the live hub on it (live-pg.ts), and ownership of partitions with
 * fenced work (ownership.ts, fence.ts). The centre attaches what taking over and losing buckets means
 * for its services (takeover.ts).
 *
 * Messages between workers (`cluster` channel, JSON): `timer` — a timer for a partition the sender
 * does not own; `forget` — a device was changed or removed, caches drop it; `command` — a pendant
 * downlink for a device the sender does not own (only the owner answers a pendant, so the nonce guard
 * of alarm-publisher.ts sees every command of a device).
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { DownlinkCommand } from '../../../protocol/src';
import type { LiveHub } from '../domain/live';
import { PgLiveHub } from './live-pg';
import type { PostgresStore } from '../store/postgres';
import { withFence, FencedError } from '../store/fence';
import { Leases, type LiveNode } from './leases';
import type { Ownership } from '../domain/ownership';
import type { TimerHint } from './owned-scheduler';
import { bucketOf } from '../domain/partition';
import { PgChannel } from './pg-channel';

export interface ClusterConfig {
  /** Buckets devices are hashed into (fixed when the database is first used). */
  buckets: number;
  leaseTtlS: number;
  renewS: number;
}

export interface PendantCommand {
  siteId: string;
  deviceId: string;
  counter: number;
  command: DownlinkCommand;
  param: number;
}

/** What the centre does when the cluster moves buckets or another worker asks something. */
export interface ClusterHandlers {
  /** Buckets taken: rebuild their timers and run their unfinished events (`owns` accepts exactly them). */
  takeOver(owns: (partition: string) => boolean, buckets: number[]): Promise<void>;
  /** Buckets lost or handed on: drop their timers and caches. */
  release(gone: (partition: string) => boolean, buckets: number[]): void;
  timer(h: TimerHint): void;
  forget(deviceId: string | null): void;
  command(c: PendantCommand): void;
  membership(nodes: LiveNode[]): void;
  /** The channel reconnected: re-read what may have been missed. */
  resync(): Promise<void>;
}

type Message = { t: 'timer'; h: TimerHint } | { t: 'forget'; deviceId: string | null } | { t: 'command'; c: PendantCommand; to: string };

export class Cluster implements Ownership {
  readonly channel: PgChannel;
  readonly live: LiveHub;
  readonly leases: Leases;
  private handlers: ClusterHandlers | undefined;
  /** Takeovers run one after the other, beside (never inside) the lease rounds. */
  private takeovers: Promise<void> = Promise.resolve();
  takeoverCount = 0;

  constructor(private readonly o: {
    store: PostgresStore; url: string; schema?: string; nodeId: string; clientId: string; httpUrl: string | null; channels: () => readonly string[];
    config: ClusterConfig; clock: Clock; log: Logger;
  }) {
    this.channel = new PgChannel({ url: o.url, ...(o.schema ? { schema: o.schema } : {}), log: o.log.child('channel'), name: o.nodeId });
    this.live = new PgLiveHub(this.channel, (e) => o.log.warn('live event not sent', { error: e }));
    this.leases = new Leases({
      db: o.store.db, tx: (fn) => o.store.transaction(fn), clock: o.clock, log: o.log.child('leases'), nodeId: o.nodeId, clientId: o.clientId,
      httpUrl: o.httpUrl, channels: [], buckets: o.config.buckets, ttlMs: o.config.leaseTtlS * 1000, renewMs: o.config.renewS * 1000,
    }, {
      acquired: (buckets) => this.acquired(buckets),
      lost: (buckets) => this.lost(buckets),
      membership: (nodes) => this.handlers?.membership(nodes),
    });
    this.channel.on('cluster', (payload) => this.onMessage(payload));
    this.channel.onResync(() => void this.handlers?.resync().catch((e: unknown) => o.log.error('resync failed', { error: e as Error })));
  }

  get nodeId(): string {
    return this.o.nodeId;
  }

  /** Listens to the other workers (before anything can be published). */
  async connect(): Promise<void> {
    await this.channel.start();
  }

  /** Joins: leases and the first share of buckets. */
  async join(handlers: ClusterHandlers): Promise<void> {
    this.handlers = handlers;
    await this.leases.start();
  }

  async stop(): Promise<void> {
    await this.leases.stop();
    await this.takeovers;
    await this.channel.stop();
  }

  owns(partition: string): boolean {
    return this.leases.buckets > 0 && this.leases.owns(bucketOf(partition, this.leases.buckets));
  }

  ownsBucket(bucket: number): boolean {
    return this.leases.owns(bucket);
  }

  async run<T>(partition: string, fn: () => Promise<T>): Promise<T> {
    const bucket = bucketOf(partition, this.leases.buckets);
    const token = this.leases.token(bucket);
    const fence = { bucket, token: token ?? -1, holder: this.o.nodeId };
    if (token === undefined) throw new FencedError(fence);
    return withFence(fence, fn);
  }

  /** Workers known dead: the outbox takes their claims over at once. */
  deadNodeIds(): string[] {
    return this.leases.deadNodes();
  }

  hint(h: TimerHint): void {
    this.send({ t: 'timer', h });
  }

  forget(deviceId: string | null): void {
    this.send({ t: 'forget', deviceId });
  }

  /** A pendant command for a device this worker does not own: the owner sends it. */
  command(c: PendantCommand): void {
    this.send({ t: 'command', c, to: `bucket:${bucketOf(c.deviceId, this.leases.buckets)}` });
  }

  /** Runs every takeover so far (tests, shutdown). */
  settled(): Promise<void> {
    return this.takeovers;
  }

  private send(m: Message): void {
    this.channel.send('cluster', JSON.stringify(m)).catch((e: unknown) => this.o.log.warn('cluster message not sent', { type: m.t, error: e as Error }));
  }

  private onMessage(payload: string): void {
    let m: Message;
    try {
      m = JSON.parse(payload) as Message;
    } catch {
      return;
    }
    const h = this.handlers;
    if (!h) return;
    if (m.t === 'timer') h.timer(m.h);
    else if (m.t === 'forget') h.forget(m.deviceId);
    else if (m.t === 'command' && this.owns(m.c.deviceId)) h.command(m.c);
  }

  private acquired(buckets: number[]): void {
    const set = new Set(buckets);
    const n = this.leases.buckets;
    const owns = (p: string): boolean => set.has(bucketOf(p, n)) && this.owns(p);
    this.takeovers = this.takeovers.then(async () => {
      const t0 = this.o.clock.now();
      try {
        await this.handlers?.takeOver(owns, buckets);
        this.takeoverCount++;
        this.o.log.info('buckets taken over: timers rebuilt, unfinished events run', { buckets: buckets.length, ms: this.o.clock.now() - t0 });
      } catch (e) {
        // Left to the resync: the leases are ours, the rows are the truth, the next pass rebuilds.
        this.o.log.error('takeover failed; resyncing', { error: e as Error });
        await this.handlers?.resync().catch(() => undefined);
      }
    });
  }

  private lost(buckets: number[]): void {
    const set = new Set(buckets);
    const n = this.leases.buckets;
    this.handlers?.release((p) => set.has(bucketOf(p, n)), buckets);
  }
}
