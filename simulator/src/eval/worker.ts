/** A worker thread of the evaluator: runs the trials it is sent and answers one message per trial. */
import { parentPort } from 'node:worker_threads';
import { runTrial, type TrialJob } from './trial';

parentPort?.on('message', (msg: { jobs: TrialJob[] }) => {
  for (const job of msg.jobs) {
    try {
      parentPort!.postMessage({ index: job.index, result: runTrial(job) });
    } catch (e) {
      parentPort!.postMessage({ index: job.index, error: e instanceof Error ? e.message : String(e) });
    }
  }
  parentPort!.postMessage({ done: true });
});
