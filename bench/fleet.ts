/**
 * Fleet load benchmark (`make bench`): 10,000 light pendants through the gateway's transport seam,
 * the embedded broker and the centre, on wall time. Prints frames per second and end-to-end alarm
 * latency (pendant's first alarm frame → visible at the centre; → "received" back at the pendant),
 * and writes the figures to bench/results/fleet.json. Settings: FLEET_PENDANTS, FLEET_HEARTBEAT_S,
 * FLEET_ALARM_RATE, FLEET_DURATION_S.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFleet, runFleet } from '../cli/fleet';
import { resultsDir, sized } from './lib/size';

async function main(): Promise<void> {
  const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-fleet-'));
  try {
    const r = await runFleet({
      pendants: env('FLEET_PENDANTS', sized(10_000, 100)), heartbeatS: env('FLEET_HEARTBEAT_S', sized(60, 5)), alarmRatePerS: env('FLEET_ALARM_RATE', 2),
      durationS: env('FLEET_DURATION_S', sized(60, 5)), dataDir, onProgress: (l) => process.stderr.write(l + '\n'),
    });
    process.stdout.write(formatFleet(r));
    writeFileSync(join(resultsDir(), 'fleet.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, ...r }, null, 2) + '\n');
    process.stdout.write(`${JSON.stringify({ bench: 'fleet', ...r })}\n`);
    if (r.alarms.lost > 0) process.exitCode = 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
