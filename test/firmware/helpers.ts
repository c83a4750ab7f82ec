/**
 * Test helpers for the built firmware in the stand-in: boot a provisioned board, decode every frame
 * it puts on air (all packets of a rotating advert, or LoRa uplinks), send authenticated downlinks,
 * record what the worker would see, and feed synthetic postures.
 */
import { VirtualClock } from '../../common/clock';
import { type FirmwareBoard, loadDist } from '../../firmware/tools/build';
import { decodeUplink, encodeDownlink, fromHex, GATT_DOWNLINK_UUID, GATT_SERVICE_UUID, type DownlinkCommand, type UplinkMessage } from '../../protocol/src';
import { parseAdvert } from '../../simulator/src/espruino/advert';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { accelRateHz, feedAccel } from '../../simulator/src/espruino/profiles';
import { Flash, toBytes } from '../../simulator/src/espruino/storage';

export const KEY_HEX = '2b7e151628aed2a6abf7158809cf4f3c';
export const KEY = fromHex(KEY_HEX)!;
export const DEV_HEX = '1234abcd';
export const DEV = 0x1234abcd;

export interface Seen {
  atMs: number;
  frame: UplinkMessage;
}

/** What a worker would notice: LEDs, vibration, screen. */
export interface Signals {
  led: { name: string; on: boolean; atMs: number }[];
  buzz: { ms: number; atMs: number }[];
  draw: { op: string; text?: string; atMs: number }[];
}

export interface Rig {
  clock: VirtualClock;
  board: VirtualBoard;
  frames: Seen[];
  signals: Signals;
  /** Frames of one type, in order. */
  of(type: string): UplinkMessage[];
  last(): UplinkMessage;
  /** Writes an authenticated downlink answering `counter` over GATT. */
  down(command: DownlinkCommand, counter: number, param?: number, key?: Uint8Array): boolean;
  reboot(): void;
}

export interface RigOptions {
  board?: FirmwareBoard;
  settings?: Record<string, unknown>;
  batteryPct?: number | ((nowMs: number) => number);
  flash?: Flash;
  clock?: VirtualClock;
}

export function decodeFrame(bytes: Uint8Array): UplinkMessage | undefined {
  const r = decodeUplink(bytes, (id) => (id === DEV ? { key: KEY } : undefined));
  return r.ok ? r.frame : undefined;
}

export function boot(opts: RigOptions = {}): Rig {
  const clock = opts.clock ?? new VirtualClock();
  const boardName = opts.board ?? 'puckjs';
  const board = new VirtualBoard({ board: boardName, clock, batteryPct: opts.batteryPct ?? 80, ...(opts.flash ? { flash: opts.flash } : {}) });
  if (!opts.flash) board.flash.files.set('vigil.json', toBytes(JSON.stringify({ scan: 0, ...(opts.settings ?? {}), id: DEV_HEX, key: KEY_HEX })));
  const frames: Seen[] = [];
  const counters = new Set<number>();
  const record = (bytes: Uint8Array): void => {
    const mfr = parseAdvert(bytes).manufacturerData;
    const f = mfr ? decodeFrame(mfr) : undefined;
    if (f && !counters.has(f.counter)) {
      counters.add(f.counter);
      frames.push({ atMs: clock.now(), frame: f });
    }
  };
  board.on('advertising', (a) => a?.packets.forEach(record));
  const signals: Signals = { led: [], buzz: [], draw: [] };
  board.on('led', (e) => signals.led.push(e));
  board.on('buzz', (e) => signals.buzz.push(e));
  board.on('draw', (e) => signals.draw.push(e));
  const code = loadDist(boardName);
  board.boot(code);
  return {
    clock, board, frames, signals,
    of: (type) => frames.filter((f) => f.frame.type === type).map((f) => f.frame),
    last: () => frames[frames.length - 1]!.frame,
    down: (command, counter, param = 0, key = KEY) => board.gattWrite(GATT_SERVICE_UUID, GATT_DOWNLINK_UUID, encodeDownlink({ deviceId: DEV, counter, command, param }, key)),
    reboot: () => board.reboot(),
  };
}

/** Feeds `seconds` of a constant posture (gravity in g on the board's axes) at the board's rate. */
export function hold(rig: Rig, seconds: number, g: [number, number, number]): void {
  const rate = accelRateHz(rig.board);
  if (rate === 0) {
    rig.clock.advance(seconds * 1000);
    return;
  }
  const n = Math.round(seconds * rate);
  for (let i = 0; i < n; i++) {
    rig.clock.advance(1000 / rate);
    feedAccel(rig.board, g[0], g[1], g[2]);
  }
}

export const UPRIGHT: [number, number, number] = [0, -1, 0.02];
export const LYING: [number, number, number] = [0.02, 0, 1];
