/**
 * Fencing (Kleppmann, "How to do distributed locking", 2016): a worker runs the rules and timers of a
 * bucket of devices only while it holds that bucket's lease, and every write it makes on the bucket's
 * behalf carries the lease's token. The PostgreSQL store checks the token inside the write's own
 * transaction (store/postgres.ts `fenced`), locking the lease row FOR SHARE: a takeover (which bumps the
 * token) waits for writes in flight and every later write of the old holder is refused. So a worker
 * that stalled (GC pause, lost network) and still believes it owns a bucket cannot write behind the
 * new owner's back.
 *
 * The token travels with the work through AsyncLocalStorage, so no store method needs a new
 * parameter: `withFence(f, fn)` around a handler fences every write in its async call tree.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Fence {
  bucket: number;
  token: number;
  holder: string;
}

const scope = new AsyncLocalStorage<Fence | null>();

/** The fence of the work under way, if it runs on behalf of a bucket. */
export function currentFence(): Fence | undefined {
  return scope.getStore() ?? undefined;
}

export function withFence<T>(fence: Fence, fn: () => T): T {
  return scope.run(fence, fn);
}

/**
 * Runs `fn` (and what it schedules: timers created inside inherit the context) outside any fence —
 * shared work such as the outbox drain or the group commit of status frames must not inherit the
 * fence of whichever bucket happened to start it.
 */
export function withoutFence<T>(fn: () => T): T {
  return scope.run(null, fn);
}

/** A write refused because the writer no longer holds the lease of the bucket it wrote for. */
export class FencedError extends Error {
  readonly code = 'fenced';

  constructor(readonly fence: Fence) {
    super(`lease of bucket ${fence.bucket} (token ${fence.token}) is no longer held by ${fence.holder}: write refused`);
  }
}
