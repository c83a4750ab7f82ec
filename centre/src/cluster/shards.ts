/**
 * A centre worker's status-frame subscriptions in a cluster. Gateways publish heartbeats and
 * positions on one of `UPLINK_SHARDS` shard topics chosen by the device id (protocol/src/topics.ts);
 * a worker subscribes to the shards that can hold devices of the buckets it owns, and only to those,
 * so the fleet's heartbeats are delivered once across the cluster instead of once per worker.
 *
 * On a connection of their own with a clean session, at QoS 0: status frames are the owner's alone
 * (a heartbeat lost in a failover costs a last-seen time, never an alarm — ingest.ts), so nothing is
 * queued for them in the brokers' shared session store, a dead worker's share piles up nowhere, and
 * a restarted worker has no stale shard subscriptions. The alarm class stays on the one uplink topic,
 * which every worker receives on its persistent session.
 */
import type { MessageBus, MessageHandler } from '../../../common/bus';
import type { Logger } from '../../../common/log';
import { MqttBus } from '../../../common/mqtt-bus';
import { shardLevel, topicFilter, UPLINK_SHARDS } from '../../../protocol/src';

/** What the subscriptions need of a message bus. */
export interface ShardBus {
  subscribe(filter: string, qos: 0 | 1, handler: MessageHandler): Promise<void>;
  unsubscribe(filter: string): Promise<void>;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The shards that can hold devices of a bucket. A device's bucket is `hash % buckets` and its shard
 * `hash % UPLINK_SHARDS`, so both agree on `hash % g` with `g = gcd(buckets, UPLINK_SHARDS)`: with 64
 * buckets (the default) a bucket is exactly one shard; otherwise a worker also hears some devices of
 * other buckets, and skips them (ingest.ts).
 */
export function shardsOfBucket(bucket: number, buckets: number): number[] {
  const g = gcd(buckets, UPLINK_SHARDS);
  const out: number[] = [];
  for (let s = bucket % g; s < UPLINK_SHARDS; s += g) out.push(s);
  return out;
}

export function shardFilter(shard: number): string {
  return topicFilter('statusUplink', { shard: shardLevel(shard) });
}

export class ShardSubscriptions {
  private readonly subscribed = new Set<number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: { bus: ShardBus; handler: MessageHandler; log: Logger }) {}

  /** The shards subscribed to now. */
  get shards(): number[] {
    return [...this.subscribed].sort((a, b) => a - b);
  }

  /**
   * Brings the subscriptions to the shards of these buckets (the whole owned set, after any move).
   * Updates run one after the other; a failed subscription is logged and tried again at the next.
   */
  update(ownedBuckets: readonly number[], buckets: number): Promise<void> {
    const run = async (): Promise<void> => {
      const want = new Set(ownedBuckets.flatMap((b) => shardsOfBucket(b, buckets)));
      const add = [...want].filter((s) => !this.subscribed.has(s));
      const drop = [...this.subscribed].filter((s) => !want.has(s));
      await Promise.all([
        ...add.map(async (s) => {
          try {
            await this.o.bus.subscribe(shardFilter(s), 0, this.o.handler);
            this.subscribed.add(s);
          } catch (e) {
            this.o.log.error('status shard not subscribed', { shard: s, error: e as Error });
          }
        }),
        ...drop.map(async (s) => {
          this.subscribed.delete(s);
          await this.o.bus.unsubscribe(shardFilter(s)).catch((e: unknown) => this.o.log.warn('status shard not unsubscribed', { shard: s, error: e as Error }));
        }),
      ]);
      if (add.length + drop.length > 0) this.o.log.info('status shards', { subscribed: this.subscribed.size, added: add.length, dropped: drop.length });
    };
    this.queue = this.queue.then(run, run);
    return this.queue;
  }
}

/**
 * Status frames a worker handles at once. Well under the store's pool of connections (10): with 32,
 * a storm of first heartbeats (each opening a protection session) held every connection and SOS
 * frames waited up to 25 s for one in `make bench-scale`.
 */
export const STATUS_PARALLEL = 4;

/**
 * A cluster worker's status-frame connection: clean session, no will, and a message of a shard just
 * unsubscribed is dropped, not held. An injected bus (tests) that can unsubscribe serves both; one
 * that cannot leaves the worker on every shard of its main bus (ingest skips others' devices).
 */
export async function connectStatusShards(o: {
  injected: MessageBus | undefined; mqtt: { url: string | string[]; clientId: string; username?: string; password?: string }; log: Logger; handler: MessageHandler;
}): Promise<{ subscriptions: ShardSubscriptions; bus?: MqttBus } | undefined> {
  const injected: (MessageBus & Partial<ShardBus>) | undefined = o.injected;
  let bus: MqttBus | undefined;
  if (injected && typeof injected.unsubscribe !== 'function') return undefined;
  if (!injected) {
    const m = o.mqtt;
    bus = await MqttBus.connect({
      url: m.url, clientId: `${m.clientId}-status`, clean: true, unhandledHoldMs: 0, parallel: STATUS_PARALLEL,
      ...(m.username ? { username: m.username } : {}), ...(m.password ? { password: m.password } : {}), log: o.log.child('mqtt-status'),
    });
  }
  const subscriptions = new ShardSubscriptions({ bus: bus ?? (injected as MessageBus & ShardBus), handler: o.handler, log: o.log.child('shards') });
  return { subscriptions, ...(bus ? { bus } : {}) };
}
