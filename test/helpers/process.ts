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

/**
 * A crash: SIGKILL to the process and to `children` (the processes it started, which a server such as
 * PostgreSQL would otherwise leave running a moment), resolving when the process has exited.
 */
export function killProcess(proc: ChildProcess, children: number[] = []): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGKILL');
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return exited;
}
