/**
 * Every benchmark in bench/ runs to its end at its tiny size (BENCH_TINY=1, bench/lib/size.ts) and
 * reports what it measures, so that a change that breaks one fails here, not at the next
 * `make bench` (two of them once waited forever for heartbeats on a topic that had moved). Figures
 * at this size mean nothing and are not judged; what is checked is that each one ran, ended with
 * status 0, and reported its figures — and its correctness checks (no alarm lost) held.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const BENCHES = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();

type Report = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const positive = expect.any(Number) as unknown as number;
const CHECKS: Record<string, (r: Report) => void> = {
  'arc-delivery': (r) => {
    expect(r['results'].map((x: Report) => x['case'])).toEqual(['tcp plain', 'tcp aes-256', 'udp plain', 'udp aes-256']);
    for (const x of r['results']) expect(x['eventsPerS']).toBeGreaterThan(0);
  },
  'centre-sessions': (r) => {
    expect(r['promptedRows']).toBe(r['sessions']);
    expect(r['timersAfterRestart']).toBe(r['timers']);
  },
  'centre-throughput': (r) => {
    expect(r['events']).toBeGreaterThan(0);
    expect(r['lostAlarms']).toBe(0);
  },
  'firmware-cpu': (r) => {
    if (r['skipped']) return console.warn(`bench/firmware-cpu.ts ran without data: ${r['skipped']}`);
    expect(Object.keys(r['boards'])).toEqual(['puckjs', 'bangle2', 'lora']);
  },
  fleet: (r) => {
    expect(r['framesSent']).toBeGreaterThan(0);
    expect(r['alarms']).toMatchObject({ lost: 0, visible: r['alarms']['sent'] });
  },
  'gateway-ingest': (r) => {
    for (const phase of ['ingest', 'publish', 'both']) expect(r[phase]).toMatchObject({ perSecond: positive, perCpuSecond: positive });
    expect(r['duplicatesDropped']).toBe(r['frames'] / 10);
  },
  'gateway-latency': (r) => {
    for (const setUp of ['remoteBroker', 'embeddedBroker']) expect(r[setUp]['atCentre']['frames']).toBeGreaterThan(0);
  },
  'gateway-memory': (r) => {
    for (const run of ['deployed', 'nodeDefaults']) expect(r[run]).toMatchObject({ devices: r['devices'], atCentre: r['devices'] * r['framesEach'], rssMb: positive });
  },
  'protocol-decode': (r) => expect(r['uplinkFramesPerS']).toBeGreaterThan(0),
  scale: (r) => {
    for (const run of [r, r['singleNode']]) expect(run).toMatchObject({ lostAlarms: 0, duplicateAlarms: 0, duplicateNotifications: 0, alarmsRaised: run['alarmsSent'] });
    expect(r['kills']).toHaveLength(4);
  },
};

/**
 * Runs one bench at its tiny size; resolves with its exit status, its last JSON line and its output.
 * One that has not ended after `limitMs` is killed with everything it started (its process group).
 */
function runBench(name: string, limitMs: number): Promise<{ code: number | null; report: Report | undefined; output: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join('bench', `${name}.ts`)], { cwd: ROOT, env: { ...process.env, BENCH_TINY: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let output = '';
  const limit = setTimeout(() => {
    output += `\n[killed after ${limitMs / 1000} s]`;
    process.kill(-proc.pid!, 'SIGKILL');
  }, limitMs);
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    output = (output + d.toString()).slice(-20_000);
  });
  proc.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(limit);
      const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
      resolve({ code, report: line ? (JSON.parse(line) as Report) : undefined, output });
    });
  });
}

describe('benchmarks at their tiny size', () => {
  it('has a check for every bench in bench/ (a new bench adds its own)', () => {
    expect(BENCHES).toEqual(Object.keys(CHECKS).sort());
  });

  // Seconds each; bench/scale.ts about a minute: it starts PostgreSQL, Redis, two broker nodes and three
  // workers, kills one of each and waits for PostgreSQL and Redis to come back, then runs a single node.
  it.each(BENCHES)('bench/%s.ts runs to its end and reports', async (name) => {
    const { code, report, output } = await runBench(name, 200_000);
    if (code !== 0 || report?.['bench'] !== name) throw new Error(`bench/${name}.ts ended with status ${code}, its last JSON line naming ${JSON.stringify(report?.['bench'])}:\n${output}`);
    CHECKS[name]!(report);
  }, 240_000);
});
