/**
 * Runs trial jobs on worker threads (both cores) or in this thread. Jobs are dealt to workers by
 * position (job i to worker i mod n), so a worker sees the same trials on every pass and keeps
 * them prepared; results are put back in job order, so output does not depend on timing.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pinFirmware } from './firmware-run';
import { runTrial, type TrialJob, type TrialResult } from './trial';

/** What every job of a run shares: the firmware file it runs. */
export interface RunShared {
  firmware?: { board: string; code: string };
}

export class TrialPool {
  private workers: Worker[] = [];

  constructor(readonly size: number) {
    const entry = join(__dirname, 'worker.ts');
    for (let i = 0; i < size; i++) {
      this.workers.push(new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(entry)});`, { eval: true }));
    }
  }

  async run(jobs: readonly TrialJob[], onResult?: (done: number, total: number) => void, shared: RunShared = {}): Promise<TrialResult[]> {
    const results = new Array<TrialResult | undefined>(jobs.length);
    let done = 0;
    const finish = (pos: number, r: TrialResult): void => {
      results[pos] = r;
      onResult?.(++done, jobs.length);
    };
    if (this.workers.length === 0) {
      if (shared.firmware) pinFirmware(shared.firmware.board, shared.firmware.code);
      for (let i = 0; i < jobs.length; i++) finish(i, runTrial(jobs[i]!));
      return results as TrialResult[];
    }
    const posOf = new Map<number, number>(jobs.map((j, i) => [j.index, i]));
    await Promise.all(
      this.workers.map(
        (w, wi) =>
          new Promise<void>((resolve, reject) => {
            const mine = jobs.filter((_, i) => i % this.workers.length === wi);
            const onMessage = (m: { index?: number; result?: TrialResult; error?: string; done?: boolean }): void => {
              if (m.error !== undefined) {
                cleanup();
                reject(new Error(m.error));
              } else if (m.result && m.index !== undefined) finish(posOf.get(m.index)!, m.result);
              else if (m.done) {
                cleanup();
                resolve();
              }
            };
            const onError = (e: Error): void => {
              cleanup();
              reject(e);
            };
            const cleanup = (): void => {
              w.off('message', onMessage);
              w.off('error', onError);
            };
            w.on('message', onMessage);
            w.on('error', onError);
            w.postMessage({ jobs: mine, shared });
          }),
      ),
    );
    return results as TrialResult[];
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
