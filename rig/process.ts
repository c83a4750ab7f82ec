/** Starting and stopping the servers the tests start (Redis, PostgreSQL, Mosquitto) as real child processes. */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';

export interface ServerStart {
  /** For messages: the program's name, and what to install when it is missing. */
  name: string;
  install?: string;
  /** A line of its output saying it accepts connections. */
  ready: RegExp;
  timeoutMs: number;
  /** Every piece of its output (stdout and stderr), for the server's log. */
  output: (text: string) => void;
}

/**
 * Spawns a server and resolves once its output (since this start) says it is ready; rejects, with the
 * output so far, when it cannot be run, exits first, or is not ready within the time.
 */
export function spawnServer(command: string, args: string[], options: SpawnOptions, s: ServerStart): Promise<ChildProcess> {
  const proc = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  return new Promise<ChildProcess>((resolve, reject) => {
    let settled = false;
    const settle = (e?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(proc);
    };
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      settle(new Error(`${s.name} did not start within ${s.timeoutMs / 1000} s:\n${seen}`));
    }, s.timeoutMs);
    proc.once('error', (e) => settle(new Error(`cannot run ${s.name}${s.install ? ` (apt-get install ${s.install})` : ''}: ${e.message}`)));
    proc.once('exit', (code) => settle(new Error(`${s.name} exited with ${code}:\n${seen}`)));
    const onData = (d: Buffer): void => {
      const text = d.toString();
      s.output(text);
      seen = (seen + text).slice(-20_000);
      if (s.ready.test(seen)) settle();
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
  });
}

/**
 * Sends `signal` (the server's own clean shutdown) and resolves when the process has exited; a
 * process still running after `hardMs` is killed. Resolves at once for one that already exited.
 * `repeatMs`: sends the signal again at that period until the process exits (Mosquitto and socat can
 * miss a signal that arrives while they are still starting).
 */
export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals, hardMs: number, repeatMs?: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const hard = setTimeout(() => proc.kill('SIGKILL'), hardMs);
    const again = repeatMs === undefined ? undefined : setInterval(() => proc.kill(signal), repeatMs);
    proc.once('exit', () => {
      clearTimeout(hard);
      clearInterval(again);
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
