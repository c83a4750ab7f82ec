/**
 * The process-level policy (docs/security.md): a failure while handling one request, message or line
 * costs that request, never the process. Handlers catch their own failures; what still escapes as an
 * unhandled promise rejection is logged and counted here instead of ending the process (Node 20's
 * default), so one stranger's request cannot stop the monitoring centre. The counts are in /api/health
 * and the gateway's /health.
 */
import { Counters } from './counters';
import type { Logger } from './log';

/** Failures that escaped their handler, by kind: `unhandled_rejection`, `http_request_failed`, … */
export const processFaults = new Counters();

let installed: Logger | undefined;

export function installProcessGuard(log: Logger): void {
  if (installed) return;
  installed = log;
  process.on('unhandledRejection', (reason) => {
    processFaults.inc('unhandled_rejection');
    log.error('unhandled rejection (the process carries on)', { error: reason instanceof Error ? reason : new Error(String(reason)) });
  });
}

/** Records a failure that a handler caught at the last line of defence. */
export function countFault(kind: string, log: Logger, data: Record<string, unknown>): void {
  processFaults.inc(kind);
  log.error(kind.replace(/_/g, ' '), data);
}
