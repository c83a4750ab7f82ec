/**
 * Fleet load (docs/simulator.md): N light pendants — no firmware, no detection, frames sealed in
 * TypeScript with encodeUplink — heard by a gateway through its radio transport seam. Each sends a
 * heartbeat every heartbeatS (random phase) and, at the fleet's alarm rate (Poisson), an SOS that it
 * repeats on the firmware's backoff until the centre's authenticated "received" comes back.
 * Measured: frames offered per second, and per alarm the time from the pendant's first alarm frame
 * to (a) the alarm being visible at the centre and (b) "received" back at the pendant.
 */
import type { Clock, TimerId } from '../../../common/clock';
import { decodeDownlink, encodeUplink, formatDeviceId } from '../../../protocol/src';
import { MemoryTransport } from '../memory-transport';
import { mulberry32 } from '../random';

const REPEAT_S = [2, 4, 8, 15, 30];

export interface FleetOptions {
  pendants: number;
  heartbeatS: number;
  /** Alarms per second over the whole fleet. */
  alarmRatePerS: number;
  seed?: number;
}

export interface FleetDevice {
  id: string;
  key: string;
}

interface Pendant {
  num: number;
  id: string;
  key: Uint8Array;
  address: string;
  counter: number;
  hbTimer: TimerId | undefined;
  alarm: { first: number; sentAt: number; repeats: number; timer: TimerId | undefined; acked: boolean } | undefined;
}

export interface AlarmRecord {
  deviceId: string;
  ref: number;
  sentAt: number;
  visibleAt: number | null;
  ackedAt: number | null;
  repeats: number;
}

/** The gateway's side of the fleet: the in-memory transport that hears every light pendant. */
export class FleetTransport extends MemoryTransport {
  constructor(id = 'fleet0') {
    super(id, 'ble');
  }
}

export class Fleet {
  readonly alarms: AlarmRecord[] = [];
  framesSent = 0;
  downlinks = 0;
  private readonly pendants: Pendant[];
  private readonly byAddress = new Map<string, Pendant>();
  private readonly open = new Map<string, AlarmRecord>();
  private readonly rnd: () => number;
  private alarmTimer: TimerId | undefined;
  private running = false;

  constructor(
    readonly opts: FleetOptions,
    devices: FleetDevice[],
    private readonly transport: FleetTransport,
    private readonly clock: Clock,
  ) {
    this.rnd = mulberry32(opts.seed ?? 1);
    this.pendants = devices.map((d, num) => ({
      num, id: d.id, key: Buffer.from(d.key, 'hex'), address: `f1:ee:7${(num >> 16) & 0xf}:${hex2(num >> 8)}:${hex2(num)}:01 random`, counter: 0, hbTimer: undefined, alarm: undefined,
    }));
    for (const p of this.pendants) this.byAddress.set(p.address, p);
    transport.onDownlink = (address, payload) => this.downlink(address, payload);
  }

  /** Random device ids and keys for a fleet (provisioned by the caller). */
  static devices(n: number, seed = 1): FleetDevice[] {
    const rnd = mulberry32(seed);
    const ids = new Set<string>();
    const out: FleetDevice[] = [];
    while (out.length < n) {
      const id = formatDeviceId(Math.floor(rnd() * 0xfffffffe) + 1);
      if (ids.has(id)) continue;
      ids.add(id);
      let key = '';
      for (let i = 0; i < 4; i++) key += Math.floor(rnd() * 0x100000000).toString(16).padStart(8, '0');
      out.push({ id, key });
    }
    return out;
  }

  start(): void {
    this.running = true;
    for (const p of this.pendants) p.hbTimer = this.clock.setTimeout(() => this.heartbeat(p), this.rnd() * this.opts.heartbeatS * 1000);
    this.scheduleAlarm();
  }

  /** Stops new alarms and heartbeats; alarms already raised keep repeating until acknowledged. */
  stopNew(): void {
    this.running = false;
    this.clock.clearTimeout(this.alarmTimer);
    for (const p of this.pendants) this.clock.clearTimeout(p.hbTimer);
  }

  stop(): void {
    this.stopNew();
    for (const p of this.pendants) this.clock.clearTimeout(p.alarm?.timer);
  }

  /** The centre shows the alarm (from its live feed). */
  alarmVisible(deviceId: string, ref: number | null, atMs: number): void {
    const a = this.open.get(deviceId);
    if (a && a.visibleAt === null && (ref === null || ref === a.ref)) a.visibleAt = atMs;
  }

  unacknowledged(): number {
    return this.alarms.filter((a) => a.ackedAt === null).length;
  }

  private send(p: Pendant, type: 'heartbeat' | 'sos', detail: number, ref?: number): number {
    const counter = p.counter++;
    const frame = encodeUplink({ deviceId: parseInt(p.id, 16), counter, type, batteryPct: 80, flags: { protection: true }, detail, ...(ref === undefined ? {} : { ref }) }, p.key);
    this.framesSent++;
    this.transport.hear(frame, p.address, -60 - Math.round(this.rnd() * 30), this.clock.now());
    return counter;
  }

  private heartbeat(p: Pendant): void {
    if (!this.running) return;
    if (!p.alarm) this.send(p, 'heartbeat', 0);
    p.hbTimer = this.clock.setTimeout(() => this.heartbeat(p), this.opts.heartbeatS * 1000);
  }

  private scheduleAlarm(): void {
    if (!this.running || this.opts.alarmRatePerS <= 0) return;
    const waitMs = (-Math.log(Math.max(1e-12, 1 - this.rnd())) / this.opts.alarmRatePerS) * 1000;
    this.alarmTimer = this.clock.setTimeout(() => {
      const idle = this.pendants.length - this.open.size;
      if (idle > 0) {
        let p = this.pendants[Math.floor(this.rnd() * this.pendants.length)]!;
        while (p.alarm || this.open.has(p.id)) p = this.pendants[(p.num + 1) % this.pendants.length]!;
        this.raise(p);
      }
      this.scheduleAlarm();
    }, waitMs);
  }

  private raise(p: Pendant): void {
    const sentAt = this.clock.now();
    const first = this.send(p, 'sos', 0);
    p.alarm = { first, sentAt, repeats: 0, timer: undefined, acked: false };
    const rec: AlarmRecord = { deviceId: p.id, ref: first, sentAt, visibleAt: null, ackedAt: null, repeats: 0 };
    this.alarms.push(rec);
    this.open.set(p.id, rec);
    this.repeat(p);
  }

  private repeat(p: Pendant): void {
    const a = p.alarm!;
    a.timer = this.clock.setTimeout(() => {
      if (a.acked) return;
      a.repeats++;
      this.open.get(p.id)!.repeats = a.repeats;
      this.send(p, 'sos', Math.min(a.repeats, 255), a.first);
      this.repeat(p);
    }, REPEAT_S[Math.min(a.repeats, REPEAT_S.length - 1)]! * 1000);
  }

  private downlink(address: string, payload: Uint8Array): void {
    const p = this.byAddress.get(address);
    if (!p) return;
    const r = decodeDownlink(payload, () => ({ key: p.key }));
    if (!r.ok) return;
    this.downlinks++;
    const a = p.alarm;
    if (!a || r.frame.counter < a.first || (r.frame.command !== 'received' && r.frame.command !== 'help_coming')) return;
    a.acked = true;
    this.clock.clearTimeout(a.timer);
    const rec = this.open.get(p.id);
    if (rec && rec.ackedAt === null) rec.ackedAt = this.clock.now();
    p.alarm = undefined;
  }
}

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}
