/**
 * Gateway throughput, one process (Node is single-threaded: one core), 10,000 known pendants,
 * 100,000 distinct frames arriving as radio events, plus every 10th frame heard twice.
 *
 *   ingest   radio frame → decode → verify (AES-CCM) → dedupe (replay window) → durable outbox
 *            (SQLite, committed) — measured with the centre's broker down, so nothing else runs.
 *   publish  outbox → MQTT QoS 1 publish → PUBACK → outbox entry deleted, to a real Mosquitto in its
 *            own process, the centre (mosquitto_sub, persistent QoS 1 session) receiving them.
 *   both     ingest and publish at once, broker up: frames/s until every frame is acknowledged.
 *
 * Rates are per wall-clock second and per CPU-second of the gateway process (the second one does
 * not depend on what else runs on the machine). Prints one JSON line. Target (issue 6): ingest
 * ≥ 20,000 frames/s on one core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRig, type Rig } from '../rig/gateway-rig';
import { topicFilter } from '../protocol/src';
import { Mosquitto } from '../rig/mosquitto';
import { sized } from './lib/size';

const DEVICES = sized(10_000, 100);
const FRAMES = Number(process.env['BENCH_FRAMES'] ?? sized(100_000, 1_000));
const BURST = 200;

interface Phase {
  perSecond: number;
  perCpuSecond: number;
  seconds: number;
}

async function measure(frames: number, work: () => Promise<void>): Promise<Phase> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: Math.round(frames / seconds), perCpuSecond: Math.round(frames / ((cpu.user + cpu.system) / 1e6)), seconds: Math.round(seconds * 100) / 100 };
}

/** Feeds frames as a radio would: a burst per turn of the event loop, each 10th heard twice. */
async function feed(rig: Rig, frames: Uint8Array[]): Promise<void> {
  for (let i = 0; i < frames.length; i += BURST) {
    for (let j = i; j < Math.min(frames.length, i + BURST); j++) {
      rig.radio.hear(frames[j]!, 'x', -100, Date.now());
      if (j % 10 === 0) rig.radio.hear(frames[j]!, 'x', -100, Date.now());
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function queued(rig: Rig, total: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => void (rig.gateway.bridge.counters.get('uplinks_forwarded') >= total ? resolve() : setImmediate(check));
    check();
  });
}

/** The centre as mosquitto_sub with a persistent session; `ready` once its subscription is in place. */
function centre(broker: Mosquitto, count: number): { proc: ChildProcess; ready: Promise<void>; done: Promise<unknown> } {
  // Every uplink topic a centre takes: the alarm class on …/uplink, heartbeats (all of these frames) on their shard …/uplink/{shard}.
  const topics = [topicFilter('uplink'), topicFilter('statusUplink')].flatMap((t) => ['-t', t]);
  const proc = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-d', '-h', '127.0.0.1', '-p', String(broker.port), '-V', 'mqttv311', ...topics, '-q', '1', '-c', '-i', 'vigil-centre', '-C', String(count)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ready = new Promise<void>((resolve) => {
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString();
      if (!head.includes('Subscribed')) return;
      proc.stdout.off('data', onData);
      proc.stdout.resume(); // keep draining: 200,000 message lines follow
      resolve();
    };
    proc.stdout.on('data', onData);
  });
  return { proc, ready, done: once(proc, 'exit') };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-mq-'));
  // No limits on queued or in-flight messages for the centre's session: every frame must arrive.
  const broker = await Mosquitto.start({ dir, extra: ['max_queued_messages 0', 'max_inflight_messages 0', 'set_tcp_nodelay true'] });
  const first = centre(broker, 2 * FRAMES); // registers the centre's persistent session
  await first.ready;
  await broker.stop(); // the centre's broker goes away: the gateway can only queue
  const rig = await startRig(DEVICES, { remoteUrl: broker.url, subscribe: false, noWait: true });
  const make = (round: number): Uint8Array[] => Array.from({ length: FRAMES }, (_, i) => rig.frame(0x10000 + (i % DEVICES), round * 1000 + 1 + Math.floor(i / DEVICES)));
  const round1 = make(0);
  const round2 = make(1);

  const ingest = await measure(FRAMES, async () => {
    await feed(rig, round1);
    await queued(rig, FRAMES);
  });
  const duplicatesDropped = rig.gateway.bridge.counters.get('duplicates');

  first.proc.kill();
  await first.done;
  await broker.restart();
  const sub = centre(broker, 2 * FRAMES);
  await sub.ready;
  const publish = await measure(FRAMES, async () => {
    await rig.gateway.forwarder!.idle();
  });
  const both = await measure(FRAMES, async () => {
    await feed(rig, round2);
    await queued(rig, 2 * FRAMES);
    await rig.gateway.forwarder!.idle();
  });
  await sub.done; // the centre got all 2 × FRAMES
  await rig.stop();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({
    bench: 'gateway-ingest', devices: DEVICES, frames: FRAMES, duplicatesDropped,
    ingest, publish, both,
    target: { ingestPerSecond: 20_000 },
    pass: ingest.perSecond >= 20_000 || ingest.perCpuSecond >= 20_000,
  }) + '\n');
}

void main();
