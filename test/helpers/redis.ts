/**
 * A real Redis (Debian's `redis-server`) in a temp dir on a free loopback port, with the append-only
 * file on (`appendfsync everysec` — what we recommend for the broker's Redis, docs/scale.md), ready when
 * it logs "Ready to accept connections". Used by the tests and by `make bench-scale`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './mosquitto';
import { killProcess, stopProcess } from './process';

export class Redis {
  private proc: ChildProcess | undefined;
  log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<Redis> {
    const r = new Redis(mkdtempSync(join(tmpdir(), 'vigil-redis-')), await freePort());
    await r.restart();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    if (this.proc) return;
    this.log = '';
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--protected-mode', 'yes'];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.proc = undefined;
        reject(e);
      };
      const timer = setTimeout(() => fail(new Error(`redis-server did not start within 15 s:\n${this.log}`)), 15_000);
      proc.once('error', (e) => fail(new Error(`cannot run redis-server (apt-get install redis-server): ${e.message}`)));
      proc.once('exit', (code) => fail(new Error(`redis-server exited with ${code}:\n${this.log}`)));
      const onData = (d: Buffer): void => {
        this.log = (this.log + d.toString()).slice(-20_000);
        if (!settled && /Ready to accept connections/.test(this.log)) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
    });
    proc.once('exit', () => {
      if (this.proc === proc) this.proc = undefined;
    });
  }

  /** A crash: SIGKILL. With the append-only file written at every command, the next start loses nothing. */
  async kill9(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    await killProcess(proc);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    await stopProcess(proc, 'SIGTERM', 10_000);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
