/** A worker thread of the evaluator: runs the trials it is sent and answers one message per trial. */
import { parentPort } from 'node:worker_threads';
import { pinFirmware } from './firmware-run';
import type { RunShared } from './pool';
import { runTrial, type TrialJob } from './trial';

parentPort?.on('message', (msg: { jobs: TrialJob[]; shared: RunShared }) => {
  if (msg.shared.firmware) pinFirmware(msg.shared.firmware.board, msg.shared.firmware.code);
  for (const job of msg.jobs) {
    try {
      parentPort!.postMessage({ index: job.index, result: runTrial(job) });
    } catch (e) {
      parentPort!.postMessage({ index: job.index, error: e instanceof Error ? e.message : String(e) });
    }
  }
  parentPort!.postMessage({ done: true });
});
