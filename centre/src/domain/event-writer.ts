/**
 * Group commit for status frames (heartbeats, positions): they are stored in batches, one transaction
 * per `flushMs` (or per `maxBatch` frames), instead of one commit each — a commit costs 50–150 µs on a
 * virtual disk, which alone would cap the centre below 10,000 frames/s. The trade, stated plainly: a
 * crash can lose the last `flushMs` of heartbeats (a pendant's last-seen time a few ms older), never
 * an alarm — alarm, pre-alarm, cancel, check-in and protection frames are committed one by one before
 * their MQTT message is acknowledged (ingest.ts).
 */
import type { Clock, TimerId } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { Counters } from '../../../common/counters';
import type { EventRecord, Store } from '../store/types';

export class EventWriter {
  readonly counters = new Counters();
  private batch: EventRecord[] = [];
  private timer: TimerId | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: { store: Store; clock: Clock; log: Logger; flushMs?: number; maxBatch?: number }) {}

  add(e: EventRecord): void {
    this.batch.push(e);
    if (this.batch.length >= (this.ctx.maxBatch ?? 500)) void this.flush();
    else if (this.timer === undefined) this.timer = this.ctx.clock.setTimeout(() => void this.flush(), this.ctx.flushMs ?? 10);
  }

  /** Writes what is buffered; resolves when it is stored (shutdown, tests). */
  flush(): Promise<void> {
    this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      try {
        const verdicts = await this.ctx.store.recordEvents(batch);
        for (const v of verdicts) this.counters.inc(`status_${v}`);
      } catch (e) {
        this.counters.inc('status_write_failed', batch.length);
        this.ctx.log.error('status frames not stored', { frames: batch.length, error: e as Error });
      }
    });
    return this.flushing;
  }
}
