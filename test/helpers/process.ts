/** Stopping the servers the tests start (Redis, PostgreSQL, …) as real child processes. */
import type { ChildProcess } from 'node:child_process';

/**
 * Sends `signal` (the server's own clean shutdown) and resolves when the process has exited; a
 * process still running after `hardMs` is killed. Resolves at once for one that already exited.
 */
export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals, hardMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const hard = setTimeout(() => proc.kill('SIGKILL'), hardMs);
    proc.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    proc.kill(signal);
  });
}
