/**
 * A pair of real pseudo-terminals joined by socat — a serial cable in software. `unplug()` kills
 * socat (both ends vanish, like pulling a USB modem) and `replug()` starts it again on the same
 * paths. Readiness is socat's own "starting data transfer loop" line, never a sleep.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { stopProcess } from './process';

export class PtyPair {
  /** The gateway's end (what the modem's USB port would be). */
  readonly gatewayPath: string;
  /** The scripted modem's end. */
  readonly modemPath: string;
  private proc: ChildProcess | undefined;

  private constructor(dir: string, name: string) {
    this.gatewayPath = join(dir, `${name}-gw`);
    this.modemPath = join(dir, `${name}-modem`);
  }

  static async open(dir: string, name = 'tty'): Promise<PtyPair> {
    const pair = new PtyPair(dir, name);
    await pair.replug();
    return pair;
  }

  get plugged(): boolean {
    return this.proc !== undefined;
  }

  async replug(): Promise<void> {
    if (this.proc) return;
    const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.gatewayPath}`, `pty,raw,echo=0,link=${this.modemPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`socat did not start within 5 s: ${err}`)), 5000);
      proc.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run socat (apt-get install socat): ${e.message}`));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited with ${code}: ${err}`));
      });
      const onData = (d: Buffer): void => {
        err += d.toString();
        if (!err.includes('starting data transfer loop')) return;
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        proc.stderr.off('data', onData);
        proc.stderr.resume(); // keep draining socat's later messages
        resolve();
      };
      proc.stderr.on('data', onData);
    });
  }

  async unplug(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    // A signal that lands while socat is still setting up can be missed: repeated until it exits.
    await stopProcess(proc, 'SIGTERM', 10_000, 500);
  }

  close(): Promise<void> {
    return this.unplug();
  }
}
