/**
 * The centre's housekeeping, run by its scheduler: the retention purge every hour (`retention`
 * timer) and the scheduled backups (`backup` timer, backup/schedule.ts). In a cluster every worker
 * keeps the timers and one acts — the holder of bucket 0 (`leader`), so a worker's death moves the
 * work with its leases.
 */
import { join } from 'node:path';
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { AlarmService } from '../domain/alarms';
import type { ResolvedCentreConfig } from '../config';
import type { Scheduler } from '../domain/scheduler';
import { PostgresStore } from '../store/postgres';
import { SqliteStore } from '../store/sqlite';
import type { PurgeCounts, Store } from '../store/types';
import type { StoreTarget } from './backup';
import { BackupSchedule, type BackupHealth } from './backup/schedule';
import { applyRetention } from './retention';

const HOUR = 3600_000;

/** Where a running store's data is, for its backups (undefined: a store backups cannot reach). */
export function targetOf(store: Store): StoreTarget | undefined {
  if (store instanceof SqliteStore) return store.path === ':memory:' ? undefined : { engine: 'sqlite', path: store.path };
  if (store instanceof PostgresStore) return { engine: 'postgres', url: store.opts.url, ...(store.opts.schema ? { schema: store.opts.schema } : {}) };
  return undefined;
}

export interface HousekeepingContext {
  store: Store;
  clock: Clock;
  log: Logger;
  scheduler: Scheduler;
  alarms: AlarmService;
  config: ResolvedCentreConfig;
  /** Whether this process does the cluster's housekeeping (always, alone). */
  leader: () => boolean;
}

export class Housekeeping {
  readonly backups: BackupSchedule | undefined;

  constructor(private readonly ctx: HousekeepingContext) {
    const b = ctx.config.backup;
    const target = targetOf(ctx.store);
    if (b) {
      const dir = b.dir ?? join(ctx.config.dataDir, 'backups');
      // A store backups cannot reach (in memory) fails at its first backup, loudly, like an unwritable directory.
      this.backups = new BackupSchedule({
        target: target ?? { engine: 'sqlite', path: ':memory:' }, config: { ...b, dir }, clock: ctx.clock, log: ctx.log.child('backup'),
        scheduler: ctx.scheduler, alarms: ctx.alarms, mayRun: ctx.leader,
      });
    }
    ctx.scheduler.on('retention', async () => {
      if (ctx.leader()) await this.purge();
      this.armRetention(ctx.clock.now() + HOUR);
    });
  }

  start(): void {
    this.armRetention(this.ctx.clock.now() + HOUR);
    this.backups?.start();
  }

  /** The retention purge (hourly by itself); `now` lets a test look from the future. */
  purge(now = this.ctx.clock.now()): Promise<PurgeCounts | undefined> {
    return applyRetention({ store: this.ctx.store, log: this.ctx.log.child('retention'), config: this.ctx.config.retention }, now);
  }

  health(): { backup: BackupHealth | 'not configured' } {
    return { backup: this.backups?.health() ?? 'not configured' };
  }

  private armRetention(at: number): void {
    this.ctx.scheduler.set('retention', at, 'retention', 'all');
  }
}
