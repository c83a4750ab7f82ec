/**
 * A real Mosquitto broker (Debian `mosquitto`) in a temp dir on a free loopback port, standing in
 * for the centre's remote broker: it can be stopped and started again on the same port with its
 * persistence, like a broker that goes down for maintenance. Readiness is Mosquitto's own
 * "running" log line.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnServer, stopProcess } from './process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface MosquittoOptions {
  dir: string;
  /** Extra configuration lines (listeners, auth). Default: anonymous on one TCP port. */
  extra?: string[];
  anonymous?: boolean;
}

export class Mosquitto {
  private proc: ChildProcess | undefined;
  readonly configFile: string;
  log = '';

  private constructor(
    readonly port: number,
    opts: MosquittoOptions,
  ) {
    this.configFile = join(opts.dir, 'mosquitto.conf');
    writeFileSync(
      this.configFile,
      [
        `listener ${port} 127.0.0.1`,
        `allow_anonymous ${opts.anonymous === false ? 'false' : 'true'}`,
        'persistence true',
        `persistence_location ${opts.dir}/`,
        // Run as root, Mosquitto drops to the `mosquitto` user and could not write its temp dir.
        ...(process.getuid?.() === 0 ? ['user root'] : []),
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        'log_type notice',
        'log_type information',
        ...(opts.extra ?? []),
        '',
      ].join('\n'),
    );
  }

  static async start(opts: MosquittoOptions): Promise<Mosquitto> {
    const m = new Mosquitto(await freePort(), opts);
    await m.restart();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined;
  }

  async restart(): Promise<void> {
    if (this.proc) return;
    const proc = await spawnServer('/usr/sbin/mosquitto', ['-c', this.configFile], {}, {
      name: 'mosquitto', install: 'mosquitto', ready: /mosquitto version [\d.]+ running/, timeoutMs: 10_000,
      output: (t) => (this.log += t),
    });
    this.proc = proc;
    proc.once('exit', () => {
      if (this.proc === proc) this.proc = undefined;
    });
  }

  /** Stops the broker (SIGTERM: it saves its persistence first) and waits for it to exit. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    // Mosquitto 2.0.11 now and then misses a SIGTERM that arrives right after start-up: repeated every
    // 500 ms until it exits (it saves its persistence first); killed only after 10 s.
    await stopProcess(proc, 'SIGTERM', 10_000, 500);
  }
}
