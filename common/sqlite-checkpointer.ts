/**
 * WAL checkpoints off the event loop. SQLite normally checkpoints inside whichever commit crosses
 * 1,000 WAL pages, and a checkpoint fsyncs: on a virtual disk that is tens of milliseconds during
 * which no frame is handled — the tail of the alarm latency (centre store, gateway queue, broker). Instead the main connection never
 * checkpoints (`wal_autocheckpoint = 0`) and a worker thread with its own connection runs a PASSIVE
 * checkpoint every `intervalMs` (it never blocks writers). Durability is unchanged: a commit is in
 * the WAL either way; only where the fsync happens moves.
 */
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { parentPort.postMessage({ error: String(e && e.message) }); }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} db.close(); parentPort.postMessage('stopped'); }
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  lastError: string | undefined;

  constructor(path: string, intervalMs = 1000) {
    this.worker = new Worker(WORKER, { eval: true, workerData: { path, intervalMs, module: require.resolve('better-sqlite3') } });
    this.worker.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && 'error' in m) this.lastError = String((m).error);
    });
    // A checkpoint thread that cannot run costs WAL growth, never the centre: recorded, not thrown.
    this.worker.on('error', (e) => (this.lastError = e.message));
    this.worker.unref();
  }

  async stop(): Promise<void> {
    // Held by the event loop while stopping, or a process with nothing else to do exits before the answer.
    this.worker.ref();
    await new Promise<void>((resolve) => {
      const done = (): void => resolve();
      this.worker.once('message', done);
      this.worker.once('exit', done);
      this.worker.once('error', done);
      this.worker.postMessage('stop');
    });
    await this.worker.terminate();
  }
}
