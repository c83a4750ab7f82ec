/**
 * A real Redis (Debian's `redis-server`) in a temp dir on a free loopback port, with the append-only
 * file on (`appendfsync everysec` — what we recommend for the broker's Redis, docs/scale.md), ready when
 * it logs "Ready to accept connections". Used by the tests and by `make bench-scale`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './mosquitto';
import { killProcess, spawnServer, stopProcess } from './process';

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
    const proc = await spawnServer('redis-server', args, {}, {
      name: 'redis-server', install: 'redis-server', ready: /Ready to accept connections/, timeoutMs: 15_000,
      output: (t) => (this.log = (this.log + t).slice(-20_000)),
    });
    this.proc = proc;
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
