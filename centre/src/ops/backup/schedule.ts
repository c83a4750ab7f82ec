/**
 * Scheduled backups (config `backup`): every `intervalH` from the newest backup file in the directory
 * — the files are the schedule's state, so a restarted centre neither postpones nor repeats one — then
 * the oldest beyond `keep` are deleted. A failure fails loud: a `backup_failed` technical alarm
 * (escalated to the supervisors like any technical alarm), the error in `/api/health`, and another try
 * after `retryMin`; the next success closes the alarm. In a cluster one worker backs up (`mayRun`).
 */
import type { Clock } from '../../../../common/clock';
import type { Logger } from '../../../../common/log';
import type { AlarmService } from '../../domain/alarms';
import type { BackupConfig } from '../../config';
import type { Scheduler } from '../../domain/scheduler';
import { listBackups, prune } from './files';
import { backupInto, type StoreTarget } from './index';

const SUBJECT = 'backup:scheduled';
const FIRST_DELAY_MS = 60_000;

export interface BackupHealth {
  dir: string;
  intervalH: number;
  lastOkAt: number | null;
  lastFile: string | null;
  lastBytes: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  nextAt: number | null;
}

export interface BackupScheduleContext {
  target: StoreTarget;
  config: BackupConfig & { dir: string };
  clock: Clock;
  log: Logger;
  scheduler: Scheduler;
  alarms: AlarmService;
  /** False on a cluster worker that is not the one backing up (it still keeps the timer). */
  mayRun?: () => boolean;
  retryMin?: number;
}

export class BackupSchedule {
  private readonly state: BackupHealth;
  private readonly intervalMs: number;

  constructor(private readonly ctx: BackupScheduleContext) {
    this.intervalMs = ctx.config.intervalH * 3600_000;
    const newest = listBackups(ctx.config.dir, ctx.target.engine)[0];
    this.state = {
      dir: ctx.config.dir, intervalH: ctx.config.intervalH, lastOkAt: newest?.at ?? null, lastFile: newest?.path ?? null, lastBytes: newest?.bytes ?? null,
      lastError: null, lastErrorAt: null, nextAt: null,
    };
    ctx.scheduler.on('backup', async () => {
      await this.run();
    });
  }

  /** Arms the first backup: one interval after the newest file, or a minute from now when that is past or there is none. */
  start(): void {
    const now = this.ctx.clock.now();
    const due = this.state.lastOkAt === null ? now + FIRST_DELAY_MS : Math.max(now + FIRST_DELAY_MS, this.state.lastOkAt + this.intervalMs);
    this.arm(due);
  }

  health(): BackupHealth {
    return { ...this.state };
  }

  /** One backup now (the timer's handler; tests call it). Never throws: a failure is an alarm. */
  async run(): Promise<void> {
    const { clock, log, config, target } = this.ctx;
    if (this.ctx.mayRun && !this.ctx.mayRun()) {
      this.arm(clock.now() + this.intervalMs);
      return;
    }
    const started = clock.now();
    try {
      const file = await backupInto(target, config.dir, started, config.pgBinDir);
      const gone = prune(config.dir, target.engine, config.keep);
      Object.assign(this.state, { lastOkAt: started, lastFile: file.path, lastBytes: file.bytes, lastError: null, lastErrorAt: null });
      log.info('backup written', { file: file.path, bytes: file.bytes, ms: clock.now() - started, pruned: gone.length });
      this.arm(started + this.intervalMs);
      await this.ctx.alarms.restore(SUBJECT, 'backup_failed', `a backup was written: ${file.path}`).catch((e: unknown) => log.error('backup alarm not closed', { error: e as Error }));
    } catch (e) {
      const message = (e as Error).message;
      Object.assign(this.state, { lastError: message, lastErrorAt: started });
      log.error('backup failed', { dir: config.dir, error: e as Error });
      this.arm(clock.now() + Math.min(this.intervalMs, (this.ctx.retryMin ?? 15) * 60_000));
      await this.ctx.alarms.raiseSystem({ type: 'backup_failed', subject: SUBJECT, at: clock.now(), text: `backup into ${config.dir} failed: ${message}`.slice(0, 200), data: { dir: config.dir } })
        .catch((err: unknown) => log.error('backup alarm not raised', { error: err as Error }));
    }
  }

  private arm(at: number): void {
    this.state.nextAt = at;
    this.ctx.scheduler.set('backup', at, 'backup', 'scheduled');
  }
}
