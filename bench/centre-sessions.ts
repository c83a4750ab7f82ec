/**
 * 100,000 active lone-work sessions with check-in timers: started through the real session service
 * (SQLite file, every session a row, every timer a scheduler entry), one check-in round fired for all
 * of them on a virtual clock, then a restart that rebuilds every timer from the database. Memory is
 * the process's resident set. The message bus counts what it is given (no broker: memory is the
 * question here, not MQTT).
 *
 *   npx tsx bench/centre-sessions.ts [--sessions 100000]
 * Prints one JSON line. Pass: resident memory < 1 GB with all sessions and timers live.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VirtualClock } from '../common/clock';
import type { MessageBus } from '../common/bus';
import { createLogger } from '../common/log';
import { Centre, SqliteStore } from '../centre/src';
import { sized } from './lib/size';

class CountingBus implements MessageBus {
  sent = 0;
  connected = true;
  async publish(): Promise<void> {
    this.sent++;
  }
  send(): void {
    this.sent++;
  }
  async subscribe(): Promise<void> {}
  async close(): Promise<void> {}
}

const { values } = parseArgs({ options: { sessions: { type: 'string' }, 'restart-from': { type: 'string' }, 'clock-at': { type: 'string' } } });
const N = Number(values.sessions ?? sized(100_000, 300));
const mb = (n: number): number => Math.round(n / 1048576);

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-sessions-'));
  const clock = new VirtualClock(Date.now());
  const log = createLogger('bench', 'warn');
  const config = {
    dataDir: dir, mqtt: { url: 'mqtt://unused', clientId: 'bench' }, http: { host: '127.0.0.1', port: 0 },
    // pendants stay quiet in this run: their silence is not the question (3 h before device_silent)
    supervision: { heartbeatIntervalS: 3600, silentAfterHeartbeats: 3, gatewayMissedHeartbeats: 3, lowBatteryPct: 20, preAlarmTimeoutS: 75 },
  };
  try {
    const store = new SqliteStore(join(dir, 'centre.db'));
    await store.migrate();
    await store.upsertSite({ id: 'site', name: 'Site' });
    const seed0 = performance.now();
    for (let i = 0; i < N; i++) {
      const id = (0x01000000 + i).toString(16).padStart(8, '0');
      await store.upsertWorker({ id: `w${i}`, name: `Worker ${i}`, phone: null, siteId: 'site' });
      await store.addDevice({ id, key: '00'.repeat(16), board: 'puckjs', workerId: `w${i}`, siteId: 'site', createdAt: clock.now(), lastCounter: 0, lastSeenAt: clock.now(), batteryPct: 90 });
    }
    const seedMs = performance.now() - seed0;
    const bus = new CountingBus();
    const centre = new Centre(config, { clock, log, store, bus, http: false, notifiers: [] });
    await centre.start();
    const rssBefore = process.memoryUsage().rss;

    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const r = await centre.sessions.start({ workerId: `w${i}`, deviceId: (0x01000000 + i).toString(16).padStart(8, '0'), durationMin: 480, checkInIntervalMin: 30 + (i % 60) / 60 }, 'bench');
      if (!r.ok) throw new Error(r.message);
    }
    const startMs = performance.now() - t0;
    global.gc?.();
    const timers = centre.scheduler.size;
    const rssActive = process.memoryUsage().rss;
    const heapActive = process.memoryUsage().heapUsed;

    // every session's first check-in prompt falls due between 30 and 31 min (the 2 min grace runs on)
    const sentBefore = bus.sent;
    const t1 = performance.now();
    await clock.advanceAsync(31 * 60_000);
    await centre.scheduler.idle();
    const roundMs = performance.now() - t1;
    const prompts = bus.sent - sentBefore;
    const promptedRows = (await centre.store.listWorkSessions({ states: ['active'] })).filter((s) => s.checkInPromptedAt !== null).length;
    const rssPeak = Math.max(rssActive, process.memoryUsage().rss);

    await centre.stop();
    // a restart, in a fresh process (its memory is its own), rebuilds every timer from the rows
    const restart = await new Promise<{ rebuildMs: number; timers: number; rssMb: number }>((resolve, reject) => {
      const child = fork(__filename, ['--restart-from', dir, '--clock-at', String(clock.now())], { execArgv: ['--import', 'tsx'] });
      child.once('message', (m) => resolve(m as { rebuildMs: number; timers: number; rssMb: number }));
      child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`restart process exited with ${code}`))));
    });
    const result = {
      bench: 'centre-sessions', sessions: N, seedMs: Math.round(seedMs), startMs: Math.round(startMs), startsPerS: Math.round(N / (startMs / 1000)),
      timers, checkInPrompts: prompts, promptedRows, checkInRoundMs: Math.round(roundMs), rebuildMs: restart.rebuildMs, timersAfterRestart: restart.timers,
      rssBaselineMb: mb(rssBefore), rssActiveMb: mb(rssActive), heapActiveMb: mb(heapActive), rssPeakMb: mb(rssPeak), rssAfterRestartMb: restart.rssMb,
      pass: rssPeak < 1024 * 1048576 && restart.rssMb < 1024 && promptedRows === N && restart.timers === timers,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
    // The exit status says whether it worked (every session prompted, every timer rebuilt); the memory target is in `pass`.
    return promptedRows === N && restart.timers === timers ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The restarted centre: same database, same virtual time; reports how long the rebuild took. */
async function restartOnly(dir: string, at: number): Promise<void> {
  const clock = new VirtualClock(at);
  const centre = new Centre(
    { dataDir: dir, mqtt: { url: 'mqtt://unused', clientId: 'bench' }, http: { host: '127.0.0.1', port: 0 }, supervision: { heartbeatIntervalS: 3600, silentAfterHeartbeats: 3, gatewayMissedHeartbeats: 3, lowBatteryPct: 20, preAlarmTimeoutS: 75 } },
    { clock, log: createLogger('bench', 'warn'), bus: new CountingBus(), http: false, notifiers: [], store: new SqliteStore(join(dir, 'centre.db')) },
  );
  const t = performance.now();
  await centre.start();
  const rebuildMs = Math.round(performance.now() - t);
  process.send!({ rebuildMs, timers: centre.scheduler.size, rssMb: mb(process.memoryUsage().rss) });
  await centre.stop();
}

if (values['restart-from']) void restartOnly(values['restart-from'], Number(values['clock-at'])).then(() => process.exit(0));
else void main().then((code) => process.exit(code));
