/**
 * Fleet load benchmark (`make bench`): 10,000 light pendants through the gateway's transport seam,
 * the embedded broker and the centre, on wall time. Prints frames per second and end-to-end alarm
 * latency (pendant's first alarm frame → visible at the centre; → "received" back at the pendant),
 * and writes the figures to bench/results/fleet.json. Settings: FLEET_PENDANTS, FLEET_HEARTBEAT_S,
 * FLEET_ALARM_RATE, FLEET_DURATION_S.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFleet, runFleet } from '../cli/fleet';

async function main(): Promise<void> {
  const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-fleet-'));
  try {
    const r = await runFleet({
      pendants: env('FLEET_PENDANTS', 10_000), heartbeatS: env('FLEET_HEARTBEAT_S', 60), alarmRatePerS: env('FLEET_ALARM_RATE', 2),
      durationS: env('FLEET_DURATION_S', 60), dataDir, onProgress: (l) => process.stderr.write(l + '\n'),
    });
    process.stdout.write(formatFleet(r));
    const out = join(__dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'fleet.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, ...r }, null, 2) + '\n');
    if (r.alarms.lost > 0) process.exitCode = 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
