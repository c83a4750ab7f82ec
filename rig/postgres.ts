/**
 * A real PostgreSQL (Debian's `postgresql` package) in a temp dir on a free loopback port: `initdb`,
 * then `postgres` in the foreground, ready when it logs "ready to accept connections". PostgreSQL
 * refuses to run as root, so as root the cluster belongs to the `postgres` user (created by the Debian
 * package) or `nobody`. Used by the tests and by `make bench-scale`.
 *
 * `durable: false` (tests) turns fsync off: a test database needs no crash safety against power loss,
 * only against a killed process, which PostgreSQL's WAL gives with fsync off too.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './mosquitto';
import { killProcess, spawnServer, stopProcess } from './process';

/** Where Debian puts the server binaries (not on PATH): /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base) ? readdirSync(base).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const m of majors) if (existsSync(join(base, m, 'bin', 'postgres'))) return join(base, m, 'bin');
  for (const d of ['/usr/local/bin', '/usr/bin']) if (existsSync(join(d, 'postgres'))) return d;
  throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      // try the next user
    }
  }
  throw new Error('running as root, but neither the postgres nor the nobody user exists to run PostgreSQL');
}

export interface PostgresOptions {
  /** fsync and full-page writes (the benchmark); off by default (tests). */
  durable?: boolean;
  /**
   * With `durable`, whether a commit waits for its WAL to reach the disk (on unless false). Off, the
   * commits of the last ~0.6 s can be lost when the server crashes or the machine loses power:
   * their WAL may still be in PostgreSQL's own buffers (docs/scale.md).
   */
  synchronousCommit?: boolean;
  maxConnections?: number;
}

export class Postgres {
  private proc: ChildProcess | undefined;
  log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly as: { uid: number; gid: number } | undefined,
    private readonly opts: PostgresOptions,
  ) {}

  /** initdb in a fresh temp dir, then start. */
  static async start(opts: PostgresOptions = {}): Promise<Postgres> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
    const as = runAs();
    if (as) chownSync(dir, as.uid, as.gid);
    chmodSync(dir, 0o700);
    const bin = postgresBinDir();
    try {
      execFileSync(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'vigil', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
        stdio: ['ignore', 'pipe', 'pipe'], ...(as ?? {}), cwd: dir,
      });
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? (e as Error).message}`);
    }
    const pg = new Postgres(dir, await freePort(), as, opts);
    await pg.restart();
    return pg;
  }

  /** A connection string for database `db` (created with createDatabase). */
  url(db = 'postgres'): string {
    return `postgres://vigil@127.0.0.1:${this.port}/${db}`;
  }

  get running(): boolean {
    return this.proc !== undefined;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async restart(): Promise<void> {
    if (this.proc) return;
    this.log = '';
    const durable = this.opts.durable === true;
    const args = [
      '-D', join(this.dir, 'data'), '-p', String(this.port), '-h', '127.0.0.1', '-k', this.dir,
      '-c', `max_connections=${this.opts.maxConnections ?? 100}`, '-c', 'shared_buffers=128MB',
      '-c', `fsync=${durable ? 'on' : 'off'}`, '-c', `full_page_writes=${durable ? 'on' : 'off'}`,
      '-c', `synchronous_commit=${durable && this.opts.synchronousCommit !== false ? 'on' : 'off'}`,
      '-c', 'log_min_messages=warning', '-c', 'logging_collector=off',
    ];
    const proc = await spawnServer(join(postgresBinDir(), 'postgres'), args, { cwd: this.dir, ...(this.as ?? {}) }, {
      name: 'postgres', install: 'postgresql', ready: /ready to accept connections/, timeoutMs: 30_000,
      output: (t) => (this.log = (this.log + t).slice(-20_000)),
    });
    this.proc = proc;
    proc.once('exit', () => {
      if (this.proc === proc) this.proc = undefined;
    });
  }

  /** Creates a database (each test its own); returns its connection string. */
  async createDatabase(name: string): Promise<string> {
    const c = new pg.Client({ connectionString: this.url() });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }

  /**
   * The server's crash: SIGKILL to the postmaster and every process it started (backends, WAL writer,
   * checkpointer), so nothing is flushed on the way out. PostgreSQL recovers from its WAL at the next
   * start; what was acknowledged survives only if commits waited for the WAL (`synchronousCommit`).
   */
  async kill9(): Promise<void> {
    const proc = this.proc;
    if (!proc?.pid) return;
    this.proc = undefined;
    await killProcess(proc, childPids(proc.pid));
  }

  /** Fast shutdown (SIGINT): open transactions are rolled back, the data is checkpointed. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    await stopProcess(proc, 'SIGINT', 15_000);
  }

  /** Stops and removes the data directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The processes a process started (its direct children), from /proc. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces or parentheses, so after the last ')'.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** For log messages: who runs the cluster. */
export function postgresUser(): string {
  return process.getuid?.() === 0 ? 'postgres (or nobody)' : userInfo().username;
}
