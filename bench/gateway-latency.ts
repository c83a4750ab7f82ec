/**
 * Radio-in → MQTT-out latency at 1,000 frames/s: from the moment a transport hands a frame to the
 * bridge until the centre's subscriber has the uplink message — decode, verify, dedupe, durable
 * outbox commit, MQTT QoS 1 publish, broker, delivery. Two set-ups: the centre's broker remote
 * (Mosquitto in its own process) and the gateway's embedded broker with the centre's persistent
 * session (SQLite persistence). 10 s of traffic after a 1 s warm-up, 10,000 known pendants.
 * Prints one JSON line. Target (issue 6): p99 < 5 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile, startRig } from '../test/helpers/gateway-rig';
import { Mosquitto } from '../test/helpers/mosquitto';

const DEVICES = 10_000;
const RATE = 1000;
const WARMUP_S = 1;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);

interface Latency {
  frames: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How late timers ran in this process meanwhile: stalls that are the machine's, not the pipeline's. */
  eventLoopDelayP99Ms: number;
}

async function run(opts: { remoteUrl?: string }): Promise<Latency> {
  const rig = await startRig(DEVICES, opts);
  const total = RATE * (WARMUP_S + SECONDS);
  const frames = Array.from({ length: total }, (_, i) => rig.frame(0x10000 + (i % DEVICES), 1 + Math.floor(i / DEVICES)));
  const sentAt = new Float64Array(total);
  const latencies: number[] = [];
  let received = 0;
  const done = new Promise<void>((resolve) => {
    rig.uplinks.on('uplink', (p: Buffer) => {
      const now = performance.now();
      const { decoded } = JSON.parse(p.toString()) as { decoded: { deviceId: string; counter: number } };
      const i = (decoded.counter - 1) * DEVICES + (parseInt(decoded.deviceId, 16) - 0x10000);
      if (i >= RATE * WARMUP_S) latencies.push(now - sentAt[i]!);
      if (++received === total) resolve();
    });
  });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // Frames due by the clock are handed over on each timer tick (about every millisecond).
  const t0 = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * RATE));
      for (; next < due; next++) {
        sentAt[next] = performance.now();
        rig.radio.hear(frames[next]!, 'x', -100, Date.now());
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await done;
  loop.disable();

  await rig.stop();
  latencies.sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { frames: latencies.length, p50Ms: r(percentile(latencies, 50)), p95Ms: r(percentile(latencies, 95)), p99Ms: r(percentile(latencies, 99)), maxMs: r(latencies.at(-1)!), eventLoopDelayP99Ms: r(loop.percentile(99) / 1e6) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-lat-'));
  const broker = await Mosquitto.start({ dir, extra: ['max_queued_messages 0', 'max_inflight_messages 0'] });
  const remote = await run({ remoteUrl: broker.url });
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  const embedded = await run({});
  process.stdout.write(JSON.stringify({
    bench: 'gateway-latency', ratePerSecond: RATE, seconds: SECONDS, devices: DEVICES,
    remoteBroker: remote, embeddedBroker: embedded,
    target: { p99Ms: 5 },
    pass: remote.p99Ms < 5 && embedded.p99Ms < 5,
  }) + '\n');
}

void main();
