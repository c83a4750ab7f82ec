/**
 * A cluster worker's status-shard subscriptions (centre/src/cluster/shards.ts): the shards of the
 * buckets it owns, so that every device's heartbeats reach its bucket's owner whatever the bucket count.
 */
import { shardFilter, shardsOfBucket, ShardSubscriptions, type ShardBus } from '../../centre/src/cluster/shards';
import { bucketOf } from '../../centre/src/domain/partition';
import { createLogger } from '../../common/log';
import { MESSAGE_TYPES, travelsOnShard, UPLINK_SHARDS, uplinkShard } from '../../protocol/src';
import { MUST_HANDLE } from '../../centre/src/domain/ingest';

class RecordingBus implements ShardBus {
  readonly filters = new Set<string>();
  readonly log: string[] = [];
  failNext = false;
  async subscribe(filter: string, qos: 0 | 1): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('refused');
    }
    this.log.push(`+${filter.split('/').at(-1)} qos${qos}`);
    this.filters.add(filter);
  }
  async unsubscribe(filter: string): Promise<void> {
    this.log.push(`-${filter.split('/').at(-1)}`);
    this.filters.delete(filter);
  }
}

const ids = Array.from({ length: 3000 }, (_, i) => (i * 2654435761 >>> 0).toString(16).padStart(8, '0'));

describe('status shards of a cluster worker', () => {
  it.each([64, 16, 10, 100, 1])('with %i buckets, every device\'s shard is subscribed by its bucket\'s owner', (buckets) => {
    for (const id of ids) expect(shardsOfBucket(bucketOf(id, buckets), buckets)).toContain(uplinkShard(id));
    // and all buckets together cover every shard
    const all = new Set(Array.from({ length: buckets }, (_, b) => shardsOfBucket(b, buckets)).flat());
    expect(all.size).toBe(UPLINK_SHARDS);
  });

  it('leaves on the shards only frames no worker but the owner needs: every other type is one every worker stores', () => {
    for (const t of MESSAGE_TYPES) expect([t.name, travelsOnShard(t.name)]).toEqual([t.name, !MUST_HANDLE.has(t.name)]);
    expect(MESSAGE_TYPES.filter((t) => travelsOnShard(t.name)).map((t) => t.name).sort()).toEqual(['heartbeat', 'position', 'setting']);
  });

  it('subscribes one shard per bucket with 64 buckets, and a worker hears only its own devices', () => {
    expect(shardsOfBucket(5, 64)).toEqual([5]);
    expect(shardsOfBucket(3, 16)).toEqual([3, 19, 35, 51]);
    const mine = new Set([1, 2, 3].flatMap((b) => shardsOfBucket(b, 64)));
    const heard = ids.filter((id) => mine.has(uplinkShard(id)));
    expect(heard.every((id) => [1, 2, 3].includes(bucketOf(id, 64)))).toBe(true);
    expect(shardFilter(5)).toBe('vigil/v1/sites/+/gateways/+/uplink/05');
  });

  it('follows the owned buckets: subscribes taken ones at QoS 0, drops lost ones, retries a refused one', async () => {
    const bus = new RecordingBus();
    const subs = new ShardSubscriptions({ bus, handler: () => undefined, log: createLogger('test', 'silent') });
    await subs.update([0, 1], 64);
    expect(subs.shards).toEqual([0, 1]);
    expect(bus.log).toEqual(['+00 qos0', '+01 qos0']);
    bus.log.length = 0;
    await subs.update([1, 2], 64); // bucket 0 handed on, 2 taken
    expect(subs.shards).toEqual([1, 2]);
    expect(bus.log.sort()).toEqual(['+02 qos0', '-00']);
    bus.failNext = true;
    await subs.update([1, 2, 3], 64);
    expect(subs.shards).toEqual([1, 2]);
    await subs.update([1, 2, 3], 64); // the next move tries again
    expect(subs.shards).toEqual([1, 2, 3]);
    await subs.update([], 64);
    expect(bus.filters.size).toBe(0);
  });
});
