/** Fleet load through the real gateway, broker and centre: nothing is lost, latencies are measured. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFleet } from '../../cli/fleet';

describe('fleet load', () => {
  it('carries every frame and every alarm of 300 light pendants to the centre and back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-fleet-test-'));
    try {
      const r = await runFleet({ pendants: 300, heartbeatS: 2, alarmRatePerS: 4, durationS: 4, drainS: 20, dataDir });
      expect(r.framesSent).toBeGreaterThan(500);
      expect(r.centreAccepted).toBe(r.framesSent);
      expect(r.alarms.sent).toBeGreaterThan(3);
      expect(r.alarms).toMatchObject({ lost: 0, visible: r.alarms.sent, acknowledged: r.alarms.sent });
      expect(r.alarmVisibleMs.p95).not.toBeNull();
      expect(r.alarmAckMs.p50!).toBeGreaterThanOrEqual(r.alarmVisibleMs.p50!);
      expect(r.gateway['frames_accepted']).toBe(r.framesSent);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
