/**
 * WAL checkpoints off the event loop. SQLite normally checkpoints inside whichever commit crosses
 * 1,000 WAL pages, and a checkpoint fsyncs: on a virtual disk that is tens of milliseconds during
 * which no frame is handled — the tail of the alarm latency (centre store, gateway queue, broker).
 * Instead the main connection never checkpoints (`wal_autocheckpoint = 0`) and a worker thread runs
 * a PASSIVE checkpoint every `intervalMs` (it never blocks writers). Durability is unchanged: a
 * commit is in the WAL either way; only where the fsync happens moves.
 *
 * The worker opens its connection for each checkpoint and closes it straight after, under a state
 * word shared with the main thread. `stop()` is synchronous: it waits (at most one checkpoint) for
 * the worker to be idle and marks it stopped, after which the worker never touches the files again.
 * So once a database's `close()` returns, nothing recreates its files — a data directory can be
 * removed or handed to the next process at once.
 */
import { Worker } from 'node:worker_threads';

const IDLE = 0;
const BUSY = 1;
const STOPPED = 2;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const state = new Int32Array(workerData.state);
const timer = setInterval(() => {
  if (Atomics.compareExchange(state, 0, ${IDLE}, ${BUSY}) !== ${IDLE}) { clearInterval(timer); return; }
  try {
    const db = new Database(workerData.path, { fileMustExist: true });
    try { db.pragma('busy_timeout = 5000'); db.pragma('wal_checkpoint(PASSIVE)'); } finally { db.close(); }
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message) });
  } finally {
    Atomics.store(state, 0, ${IDLE});
    Atomics.notify(state, 0);
  }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); parentPort.close(); });
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly state = new Int32Array(new SharedArrayBuffer(4));
  lastError: string | undefined;
  /** Settles when the thread has ended (after `stop()`). */
  readonly exited: Promise<void>;

  constructor(path: string, intervalMs = 1000) {
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { path, intervalMs, state: this.state.buffer, module: require.resolve('better-sqlite3') },
    });
    this.worker.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && 'error' in m) this.lastError = String((m).error);
    });
    // A checkpoint thread that cannot run costs WAL growth, never the centre: recorded, not thrown.
    this.worker.on('error', (e) => (this.lastError = e.message));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.unref();
  }

  /**
   * Waits for a running checkpoint to finish (bounded by its busy timeout) and stops the thread;
   * the caller then checkpoints what is left on its own connection and closes it.
   */
  stop(): void {
    for (;;) {
      const was = Atomics.compareExchange(this.state, 0, IDLE, STOPPED);
      if (was !== BUSY) break;
      Atomics.wait(this.state, 0, BUSY, 10_000);
    }
    this.worker.postMessage('stop');
  }
}
