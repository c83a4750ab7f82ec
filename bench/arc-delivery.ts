/**
 * ARC output delivery on loopback: time from "event queued" to "ACK received" per event, and
 * events per second, for plain and AES-256 links over TCP and UDP, against the independent test
 * receiver (rig/arc-receiver). The queue is the real SQLite file (synchronous FULL), so the figure
 * includes the durable writes. `npx tsx bench/arc-delivery.ts [events]`; results also go to
 * bench/results/arc-delivery.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SystemClock } from '../common/clock';
import { createLogger } from '../common/log';
import { ArcLink, ArcQueue, validateArcConfig } from '../arc/src';
import { TestReceiver } from '../rig/arc-receiver/receiver';
import { resultsDir, sized } from './lib/size';

const EVENTS = Number(process.argv[2] ?? sized(500, 20));

interface Result {
  case: string;
  events: number;
  eventsPerS: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function runCase(name: string, transport: 'tcp' | 'udp', key: Buffer | undefined): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-arc-bench-'));
  const receiver = new TestReceiver({ accounts: { '1234': key, '0001': key }, tcp: transport === 'tcp', udp: transport === 'udp' });
  const ports = await receiver.start();
  const config = validateArcConfig(
    {
      dataDir: dir,
      mqtt: { url: 'mqtt://127.0.0.1:1' },
      arcs: [{ id: 'bench', format: 'SIA-DCS', ...(key ? { key: key.toString('hex') } : {}), paths: [{ name: 'primary', transport, host: '127.0.0.1', port: ports[transport]! }], accounts: { transmitter: '0001' }, timing: { nullIntervalS: 0 } }],
    },
    'bench',
  ).arcs[0]!;
  const queue = new ArcQueue(join(dir, 'q.db'));
  const clock = new SystemClock();
  const link = new ArcLink({ config, queue, clock, log: createLogger('bench', 'silent') });
  const queuedAt = new Map<number, number>();
  const latencies: number[] = [];
  const done = new Promise<void>((resolve) =>
    link.on('delivered', (ev) => {
      latencies.push(performance.now() - queuedAt.get(ev.id)!);
      if (latencies.length === EVENTS) resolve();
    }),
  );
  link.start();
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const ev = queue.enqueue({ alarmId: `al-${i}`, kind: 'alarm', token: 'SIA-DCS', account: '1234', data: `#1234|NPA${String(i % 1000).padStart(3, '0')}`, xdata: '[X4.895200][Y52.370200][ISOS; alarm 42; worker w-0007; site warehouse-north]' }, clock.now());
    queuedAt.set(ev.id, performance.now());
    link.kick();
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  await link.stop();
  queue.close();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
  // Latency here includes waiting behind the events queued before (all are queued at once):
  // the first event's latency is the per-message round trip.
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 100) / 100;
  return { case: name, events: EVENTS, eventsPerS: Math.round(EVENTS / seconds), latencyMs: { p50: round(pct(sorted, 50)), p95: round(pct(sorted, 95)), p99: round(pct(sorted, 99)), max: round(sorted.at(-1)!) } };
}

async function singleRoundTrips(transport: 'tcp' | 'udp', key: Buffer | undefined, n = sized(50, 5)): Promise<number> {
  // One event at a time: queue, wait for its ACK, next. The median is the cost of one alarm.
  const dir = mkdtempSync(join(tmpdir(), 'vigil-arc-bench-'));
  const receiver = new TestReceiver({ accounts: { '1234': key, '0001': key }, tcp: transport === 'tcp', udp: transport === 'udp' });
  const ports = await receiver.start();
  const config = validateArcConfig(
    { dataDir: dir, mqtt: { url: 'mqtt://127.0.0.1:1' }, arcs: [{ id: 'bench', format: 'SIA-DCS', ...(key ? { key: key.toString('hex') } : {}), paths: [{ name: 'primary', transport, host: '127.0.0.1', port: ports[transport]! }], accounts: { transmitter: '0001' }, timing: { nullIntervalS: 0 } }] },
    'bench',
  ).arcs[0]!;
  const queue = new ArcQueue(join(dir, 'q.db'));
  const clock = new SystemClock();
  const link = new ArcLink({ config, queue, clock, log: createLogger('bench', 'silent') });
  link.start();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const delivered = new Promise<void>((resolve) => link.once('delivered', () => resolve()));
    queue.enqueue({ alarmId: `al-${i}`, kind: 'alarm', token: 'SIA-DCS', account: '1234', data: '#1234|NPA001', xdata: '' }, clock.now());
    link.kick();
    await delivered;
    times.push(performance.now() - t);
  }
  await link.stop();
  queue.close();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
  const sorted = times.sort((a, b) => a - b);
  return Math.round(pct(sorted, 50) * 100) / 100;
}

async function main(): Promise<void> {
  const key = randomBytes(32);
  const results: (Result & { singleEventMedianMs: number })[] = [];
  for (const [name, transport, k] of [
    ['tcp plain', 'tcp', undefined],
    ['tcp aes-256', 'tcp', key],
    ['udp plain', 'udp', undefined],
    ['udp aes-256', 'udp', key],
  ] as const) {
    const r = await runCase(name, transport, k);
    const single = await singleRoundTrips(transport, k);
    results.push({ ...r, singleEventMedianMs: single });
    process.stdout.write(`${name.padEnd(12)} ${String(r.eventsPerS).padStart(6)} events/s (${r.events} queued at once)   one alarm alone: median ${single} ms queue→ACK\n`);
  }
  writeFileSync(join(resultsDir(), 'arc-delivery.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
  process.stdout.write(`${JSON.stringify({ bench: 'arc-delivery', events: EVENTS, results })}\n`);
}

void main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
