/**
 * The ownership seam: whether this process runs the rules and timers of a partition now, and running
 * work as its owner (fenced writes). Alone, a centre owns everything (`SOLE_OWNER`); in a cluster the
 * bucket leases decide (cluster.ts).
 */
export interface Ownership {
  /** True when this process runs `partition`'s rules and timers now. */
  owns(partition: string): boolean;
  /** Runs `fn` as the owner of `partition`: every store write in it is fenced by the bucket's lease. */
  run<T>(partition: string, fn: () => Promise<T>): Promise<T>;
}

export const SOLE_OWNER: Ownership = {
  owns: () => true,
  run: (_partition, fn) => fn(),
};

/**
 * One at a time per key, in arrival order: the frames of one device are handled one after the other
 * even when the MQTT handler and a recovery sweep reach the same device at once.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
