/**
 * `make bench-scale` (docs/scale.md): the fleet generator's pendants against three centre workers on
 * PostgreSQL and two broker nodes on Redis, with one `kill -9` of each kind — a worker, a broker node,
 * Redis, PostgreSQL — during the run, then the same fleet against a single node (one worker on SQLite, one broker). Ends with one
 * JSON line: the cluster's figures, and the single node's under `singleNode`. Also written to
 * bench/results/scale.json. Exit status 1 if an alarm was lost or a notification sent twice.
 *
 * Settings: SCALE_PENDANTS (50,000), SCALE_HEARTBEAT_S (60), SCALE_ALARM_RATE (alarms/s, 1),
 * SCALE_DURATION_S (120, measured after a warm-up: every pendant's first heartbeat opens its protection
 * session), SCALE_WARMUP_MAX_S (300), SCALE_DRAIN_S (60), SCALE_RESTART_S (3: how long killed PostgreSQL and
 * Redis stay down), SCALE_PG_SYNC_COMMIT=0 (commits do not wait for the WAL: faster, and the PostgreSQL kill
 * may then lose acknowledged alarms), SCALE_KILLS=0 (the cluster without its kills), SCALE_SINGLE=0 to skip the single-node run,
 * SCALE_CLUSTER=0 to run the single node only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScale, type ScaleFigures } from './lib/scale-run';
import { resultsDir, sized } from './lib/size';

async function main(): Promise<void> {
  const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
  const common = {
    pendants: env('SCALE_PENDANTS', sized(50_000, 200)), heartbeatS: env('SCALE_HEARTBEAT_S', sized(60, 5)), alarmRatePerS: env('SCALE_ALARM_RATE', sized(1, 2)),
    durationS: env('SCALE_DURATION_S', sized(120, 10)), drainS: env('SCALE_DRAIN_S', sized(60, 10)), warmupMaxS: env('SCALE_WARMUP_MAX_S', sized(300, 30)),
    restartS: env('SCALE_RESTART_S', sized(3, 1)), pgSyncCommit: process.env['SCALE_PG_SYNC_COMMIT'] !== '0', kills: process.env['SCALE_KILLS'] !== '0', progress: (l: string) => process.stderr.write(`${l}\n`),
  };
  if (process.env['SCALE_CLUSTER'] === '0') {
    const alone = await runScale({ ...common, mode: 'single' });
    process.stdout.write(JSON.stringify({ bench: 'scale', singleNode: alone }) + '\n');
    if (alone.lostAlarms > 0 || alone.duplicateNotifications > 0 || alone.duplicateAlarms > 0) process.exitCode = 1;
    return;
  }
  const cluster = await runScale({ ...common, mode: 'cluster' });
  process.stderr.write(`cluster: ${JSON.stringify(cluster)}\n`);
  let single: ScaleFigures | undefined;
  if (process.env['SCALE_SINGLE'] !== '0') {
    single = await runScale({ ...common, mode: 'single' });
    process.stderr.write(`single node: ${JSON.stringify(single)}\n`);
  }
  const line = { bench: 'scale', ...cluster, ...(single ? { singleNode: single } : {}) };
  writeFileSync(join(resultsDir(), 'scale.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, ...line }, null, 2) + '\n');
  process.stdout.write(JSON.stringify(line) + '\n');
  const bad = (f: ScaleFigures | undefined): boolean => f !== undefined && (f.lostAlarms > 0 || f.duplicateNotifications > 0 || f.duplicateAlarms > 0);
  if (bad(cluster) || bad(single)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-scale failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
