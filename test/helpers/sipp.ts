/**
 * SIPp (Debian `sip-tester`) as a real SIP peer in tests: one scenario from test/fixtures/sipp, one
 * call (`-m 1`), on a free local port. `done` resolves with SIPp's exit code (0: every message of the
 * scenario came as expected) and its output, for the failure message.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const SIPP_SCENARIOS = join(__dirname, '..', 'fixtures', 'sipp');

export interface SippRun {
  port: number;
  done: Promise<{ code: number | null; output: string }>;
  stop(): void;
}

export async function freePort(kind: 'udp' | 'tcp'): Promise<number> {
  if (kind === 'tcp') {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    return port;
  }
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Whether something listens on 127.0.0.1:`port` (read from /proc, without sending it anything). */
function bound(kind: 'udp' | 'tcp', port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const lines = readFileSync(`/proc/net/${kind}`, 'utf8').split('\n').slice(1);
  return lines.some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hex}`) === true && (kind === 'udp' || f[3] === '0A');
  });
}

export async function runSipp(scenario: string, opts: { transport?: 'udp' | 'tcp'; vars?: Record<string, string | number>; timeoutS?: number } = {}): Promise<SippRun> {
  const kind = opts.transport ?? 'udp';
  const port = await freePort(kind);
  const args = ['-sf', join(SIPP_SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(port), '-m', '1', '-nostdin', '-t', kind === 'tcp' ? 't1' : 'u1',
    '-timeout', `${opts.timeoutS ?? 60}s`, '-timeout_error', '-max_recv_loops', '1000'];
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push('-set', k, String(v));
  const proc = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-30_000)));
  proc.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-30_000)));
  const done = new Promise<{ code: number | null; output: string }>((resolve) => {
    proc.once('error', (e) => resolve({ code: -1, output: `cannot run sipp (apt-get install sip-tester): ${e.message}` }));
    proc.once('exit', (code) => resolve({ code, output }));
  });
  const deadline = Date.now() + 10_000;
  while (!bound(kind, port)) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`sipp did not bind ${kind} port ${port}:\n${output}`);
    await new Promise((r) => setTimeout(r, 10)); // polling a condition with a deadline, not a sleep for ordering
  }
  return { port, done, stop: () => proc.kill('SIGKILL') };
}
