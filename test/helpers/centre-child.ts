/**
 * A real centre in a child process (`node bin/vigil.js centre --config …`), its log lines observable:
 * `waitFor` resolves on the first line matching a pattern (waiting on the event, never sleeping).
 * `kill9` is a crash: SIGKILL, no shutdown of any kind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { waitForEvent } from '../../rig/wait';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');

export class CentreChild extends EventEmitter<{ line: [string] }> {
  readonly lines: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    super();
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const l of parts) {
        this.lines.push(l);
        this.emit('line', l);
      }
    });
    child.stdout!.resume();
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(config: string, timeoutMs = 30_000): Promise<CentreChild> {
    const child = spawn('node', [BIN, 'centre', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIGIL_LOG_LEVEL: 'debug' } });
    const c = new CentreChild(child);
    await c.waitFor(/info centre centre started/, timeoutMs);
    return c;
  }

  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen) return seen;
    const [line] = await waitForEvent<[string]>(this, 'line', (l) => re.test(l), timeoutMs, `a centre log line matching ${re}`).catch((e: Error) => {
      throw new Error(`${e.message}\n--- centre log tail ---\n${this.lines.slice(-30).join('\n')}`);
    });
    return line;
  }

  /** A crash: no signal handler runs, nothing is flushed or closed. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
