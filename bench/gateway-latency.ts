/**
 * Radio-in → MQTT-out latency at 1,000 frames/s: from the moment a transport hands a frame to the
 * bridge — decode, verify, dedupe, durable outbox commit, MQTT QoS 1 publish — until the broker has
 * acknowledged it, and until the centre's subscriber has it. Two set-ups: the centre's broker remote
 * (Mosquitto in its own process) and the gateway's embedded broker with the centre's persistent
 * session (SQLite persistence). Timed to the broker's PUBACK (MQTT-out) and to the centre's
 * subscriber. 10 s of traffic after a 1 s warm-up, 10,000 known pendants. Prints one JSON line.
 * Target (issue 6): radio-in → MQTT-out p99 < 5 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile, startRig } from '../rig/gateway-rig';
import { Mosquitto } from '../rig/mosquitto';
import { sized } from './lib/size';

const DEVICES = sized(10_000, 100);
const RATE = sized(1000, 200);
const WARMUP_S = sized(1, 0.5);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? sized(10, 1));

interface Percentiles {
  frames: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface Latency {
  /** Radio-in → the broker acknowledged the QoS 1 publish (PUBACK back at the gateway). */
  mqttOut: Percentiles;
  /** Radio-in → the centre's subscriber has the message (one more hop). */
  atCentre: Percentiles;
  /** How late timers ran in this process meanwhile: stalls of the machine, not of the pipeline. */
  eventLoopDelayP99Ms: number;
}

async function run(opts: { remoteUrl?: string }): Promise<Latency> {
  const rig = await startRig(DEVICES, opts);
  const total = RATE * (WARMUP_S + SECONDS);
  const frames = Array.from({ length: total }, (_, i) => rig.frame(0x10000 + (i % DEVICES), 1 + Math.floor(i / DEVICES)));
  const sentAt = new Float64Array(total);
  const latencies: number[] = [];
  const acked: number[] = [];
  let received = 0;
  const index = (payload: string | Uint8Array): number => {
    const { decoded } = JSON.parse(Buffer.from(payload).toString()) as { decoded: { deviceId: string; counter: number } };
    return (decoded.counter - 1) * DEVICES + (parseInt(decoded.deviceId, 16) - 0x10000);
  };
  // "MQTT-out": the broker has the message (PUBACK to the gateway) — timed around the real publish.
  const mqtt = rig.gateway.mqtt!;
  const publish = mqtt.publish.bind(mqtt);
  mqtt.publish = (topic, payload, o) =>
    publish(topic, payload, o).then(() => {
      const i = index(payload);
      if (i >= RATE * WARMUP_S) acked.push(performance.now() - sentAt[i]!);
    });
  const done = new Promise<void>((resolve) => {
    rig.uplinks.on('uplink', (p: Buffer) => {
      const now = performance.now();
      const i = index(p);
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
  const r = (x: number): number => Math.round(x * 100) / 100;
  const stats = (xs: number[]): Percentiles => {
    xs.sort((a, b) => a - b);
    return { frames: xs.length, p50Ms: r(percentile(xs, 50)), p95Ms: r(percentile(xs, 95)), p99Ms: r(percentile(xs, 99)), maxMs: r(xs.at(-1)!) };
  };
  return { mqttOut: stats(acked), atCentre: stats(latencies), eventLoopDelayP99Ms: r(loop.percentile(99) / 1e6) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-lat-'));
  const broker = await Mosquitto.start({ dir, extra: ['max_queued_messages 0', 'max_inflight_messages 0', 'set_tcp_nodelay true'] });
  const remote = await run({ remoteUrl: broker.url });
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  const embedded = await run({});
  process.stdout.write(JSON.stringify({
    bench: 'gateway-latency', ratePerSecond: RATE, seconds: SECONDS, devices: DEVICES,
    remoteBroker: remote, embeddedBroker: embedded,
    target: { p99Ms: 5 },
    pass: remote.mqttOut.p99Ms < 5 && embedded.mqttOut.p99Ms < 5,
  }) + '\n');
}

void main();
