/**
 * The processes of a scale-out installation, each a real `node bin/vigil.js …` child: broker nodes
 * (`vigil broker`) sharing Redis, centre workers (`vigil centre`) sharing PostgreSQL. Their log lines
 * are observable (`waitFor` waits on the line, never sleeps); `kill9` is a crash. `VigilChild` is
 * also the tests' single centre (test/helpers/centre-child.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../common/passwords';
import { LineLog } from './line-log';

const BIN = join(__dirname, '..', 'bin', 'vigil.js');

export class VigilChild {
  /** Its stderr (where it logs), by line, in a bounded tail. */
  readonly log: LineLog;
  private readonly exited: Promise<void>;

  private constructor(readonly name: string, readonly child: ChildProcess) {
    this.log = new LineLog(name, child.stderr!);
    child.stdout!.resume();
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(name: string, args: string[], ready: RegExp, opts: { logLevel?: string; timeoutMs?: number } = {}): Promise<VigilChild> {
    const child = spawn('node', [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIGIL_LOG_LEVEL: opts.logLevel ?? 'info' } });
    const c = new VigilChild(name, child);
    await c.waitFor(ready, opts.timeoutMs ?? 60_000);
    return c;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The newest log lines (bounded: see LineLog). */
  get lines(): readonly string[] {
    return this.log.lines;
  }

  /** The first kept log line matching `re`, or the next one logged. */
  waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
    return this.log.waitFor(re, timeoutMs);
  }

  /** Waits for a line matching `re` after this moment (not one already logged). */
  next(re: RegExp, timeoutMs = 30_000): Promise<string> {
    return this.log.next(re, timeoutMs);
  }

  /** A crash: SIGKILL, nothing is flushed or closed. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    const hard = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(hard);
  }
}

export interface MqttUser {
  username: string;
  password: string;
  role: 'gateway' | 'centre' | 'console' | 'integrator';
  siteId?: string;
  gatewayId?: string;
}

/** Writes a broker node's config (users with scrypt hashes) and starts it. */
export async function startBrokerNode(dir: string, name: string, port: number, redisUrl: string | undefined, users: MqttUser[], extra: { dataDir?: string } = {}): Promise<VigilChild> {
  const file = join(dir, `${name}.yaml`);
  const config = {
    id: name, ...(redisUrl ? { redis: redisUrl } : {}), ...(extra.dataDir ? { dataDir: extra.dataDir } : {}), heartbeatS: 2,
    listeners: { tcp: { host: '127.0.0.1', port } },
    users: users.map((u) => ({ username: u.username, passwordHash: hashPassword(u.password), role: u.role, ...(u.siteId ? { siteId: u.siteId } : {}), ...(u.gatewayId ? { gatewayId: u.gatewayId } : {}) })),
  };
  writeFileSync(file, JSON.stringify(config));
  return VigilChild.start(name, ['broker', '--config', file], /broker node started/);
}

export interface WorkerOptions {
  /** postgres://… (a cluster); absent: SQLite in the worker's data dir. */
  storeUrl?: string;
  brokerUrls: string[];
  clientId: string;
  username: string;
  password: string;
  httpPort: number;
  cluster?: { buckets?: number; leaseTtlS?: number; renewS?: number };
  /** Extra YAML sections (notifiers, escalation…), as an object. */
  extra?: Record<string, unknown>;
  logLevel?: string;
}

export function writeWorkerConfig(dir: string, name: string, o: WorkerOptions): string {
  const file = join(dir, `${name}.yaml`);
  const config = {
    dataDir: join(dir, name), ...(o.storeUrl ? { store: o.storeUrl } : {}),
    mqtt: { url: o.brokerUrls, clientId: o.clientId, username: o.username, password: o.password },
    http: { host: '127.0.0.1', port: o.httpPort },
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.extra ?? {}),
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

export async function startWorker(dir: string, name: string, o: WorkerOptions): Promise<VigilChild> {
  const file = writeWorkerConfig(dir, name, o);
  return VigilChild.start(name, ['centre', '--config', file], /info centre centre started/, { logLevel: o.logLevel ?? 'info' });
}
