/**
 * pysiaalarm (github.com/eavanvalkenburg/pysiaalarm), the public DC-09 receiver behind Home
 * Assistant's SIA integration, as a real peer for the tests. Vigil never ships its code: the tests
 * look for a checkout outside the repository — `VIGIL_PYSIAALARM` (a checkout, or the directory that
 * holds the `pysiaalarm` package), else /opt/pysiaalarm — and run it with Debian's /usr/bin/python3
 * (python3-pycryptodome, python3-tz; launcher.py aliases Cryptodome to Crypto). Where it is missing,
 * the tests that need it skip and say why; its recorded answers (test/arc/fixtures/) still run.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnServer, stopProcess } from '../../../rig/process';
import { until } from '../../../rig/wait';

export const PYTHON = '/usr/bin/python3';
const LAUNCHER = join(__dirname, 'launcher.py');

export interface PysiaAccount {
  account_id: string;
  /** 16/24/32 characters, used as text (what Home Assistant asks for). */
  key?: string;
}

/** Where pysiaalarm's package is, or why it cannot run here. */
export function findPysiaalarm(): { src: string } | { missing: string } {
  const root = process.env['VIGIL_PYSIAALARM'] ?? '/opt/pysiaalarm';
  const src = [join(root, 'src'), root].find((d) => existsSync(join(d, 'pysiaalarm', '__init__.py')));
  if (!src) return { missing: `no pysiaalarm checkout at ${root} (set VIGIL_PYSIAALARM to a checkout of github.com/eavanvalkenburg/pysiaalarm)` };
  const probe = spawnSync(PYTHON, ['-c', 'import Cryptodome, pytz'], { encoding: 'utf8' });
  if (probe.error) return { missing: `cannot run ${PYTHON}: ${probe.error.message}` };
  if (probe.status !== 0) return { missing: `${PYTHON} lacks python3-pycryptodome or python3-tz (apt-get install -y python3-pycryptodome python3-tz): ${probe.stderr.trim().split('\n').pop()}` };
  return { src };
}

export interface PysiaEvent {
  account: string;
  code: string | null;
  ri: string | null;
  messageType: string;
  sequence: string;
  receiver: string | null;
  encrypted: boolean;
  xdata: string | null;
}

/** One running pysiaalarm receiver (TCP) on a port the OS chose. */
export class PysiaalarmReceiver {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
    private readonly seen: { log: string; events: PysiaEvent[]; emitter: EventEmitter },
  ) {}

  /** pysiaalarm answers first and tells its application after: wait for what it told. */
  waitEvents(count: number, pred: (e: PysiaEvent) => boolean = () => true, timeoutMs = 5000): Promise<PysiaEvent[]> {
    const matching = (): PysiaEvent[] => this.seen.events.filter(pred);
    return until(this.seen.emitter, 'event', () => matching().length >= count, timeoutMs, `${count} event(s) handed to pysiaalarm's application`).then(matching);
  }

  /** What pysiaalarm handed to its application (what Home Assistant would see), in order. */
  get events(): readonly PysiaEvent[] {
    return this.seen.events;
  }

  /** Its output, for failure messages. */
  get log(): string {
    return this.seen.log;
  }

  static async start(src: string, accounts: PysiaAccount[]): Promise<PysiaalarmReceiver> {
    const seen = { log: '', events: [] as PysiaEvent[], pending: '', emitter: new EventEmitter() };
    const output = (text: string): void => {
      seen.log = (seen.log + text).slice(-50_000);
      const lines = (seen.pending + text).split('\n');
      seen.pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('EVENT ')) continue;
        seen.events.push(JSON.parse(line.slice(6)) as PysiaEvent);
        seen.emitter.emit('event');
      }
    };
    const proc = await spawnServer(PYTHON, [LAUNCHER, JSON.stringify({ src, accounts })], {}, { name: 'pysiaalarm', install: 'python3-pycryptodome python3-tz', ready: /^READY \d+$/m, timeoutMs: 15_000, output });
    return new PysiaalarmReceiver(proc, Number(/^READY (\d+)$/m.exec(seen.log)![1]), seen);
  }

  stop(): Promise<void> {
    return stopProcess(this.proc, 'SIGTERM', 2000);
  }
}
