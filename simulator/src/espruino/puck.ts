/**
 * Puck.js v2's LSM6DS3TR-C as the firmware sees it through Puck.accelOn/accelWr/accelRd
 * (ESPRUINO.md §1, ST lsm6ds3tr-c_reg.h): a register file; `accel` events fire while INT1 is high,
 * and INT1 is the OR of the data-ready bits routed in INT1_CTRL (0x0D) and the embedded functions
 * routed in MD1_CFG (0x5E). Samples are int16 counts at the full scale of CTRL1_XL (±4 g after
 * accelOn: ÷8192 for g). Taps: the tap engine (TAP_CFG 0x58, TAP_THS_6D 0x59, INT_DUR2 0x5A,
 * WAKE_UP_THS 0x5B) recognises a tap at ≥ 416 Hz accelerometer rate (ST's recommendation); a latched
 * tap keeps INT1 high — and `accel` firing on every idle loop — until TAP_SRC (0x1C) is read.
 */
import type { VirtualBoard } from './board';

const PUCK_RATES = [1.6, 12.5, 26, 52, 104, 208, 416, 833, 1660];
const LSM_ODR: Record<number, number> = { 0: 0, 1: 12.5, 2: 26, 3: 52, 4: 104, 5: 208, 6: 416, 7: 833, 8: 1660, 11: 1.6 };
const LSM_FS: Record<number, number> = { 0: 2, 1: 16, 2: 4, 3: 8 };
const REG = { INT1_CTRL: 0x0d, WAKE_UP_SRC: 0x1b, TAP_SRC: 0x1c, CTRL1_XL: 0x10, CTRL2_G: 0x11, TAP_CFG: 0x58, TAP_THS_6D: 0x59, INT_DUR2: 0x5a, WAKE_UP_THS: 0x5b, MD1_CFG: 0x5e };
/** Events fired while a latched INT1 is never cleared, before the model gives up (a firmware bug). */
const INT1_STORM_LIMIT = 50;

export interface PuckAccel {
  on: boolean;
  regs: Uint8Array;
  last: { x: number; y: number; z: number };
  lastTapMs: number;
  /** Events fired because a latched interrupt was not cleared. */
  int1Storm: number;
}

export function puckAccel(board: VirtualBoard): PuckAccel {
  let s = board.hw['puckAccel'] as PuckAccel | undefined;
  if (!s) {
    s = { on: false, regs: new Uint8Array(128), last: { x: 0, y: 0, z: 8192 }, lastTapMs: -1e9, int1Storm: 0 };
    board.hw['puckAccel'] = s;
  }
  return s;
}

export function puckXlRateHz(a: PuckAccel): number {
  return a.on ? (LSM_ODR[a.regs[REG.CTRL1_XL]! >> 4] ?? 0) : 0;
}

/** Rate of `accel` events from data-ready interrupts routed to INT1. */
export function puckEventRateHz(board: VirtualBoard): number {
  const a = puckAccel(board);
  if (!a.on) return 0;
  const int1 = a.regs[REG.INT1_CTRL]!;
  const xl = puckXlRateHz(a);
  const gyro = LSM_ODR[a.regs[REG.CTRL2_G]! >> 4] ?? 0;
  return Math.max(int1 & 1 ? xl : 0, int1 & 2 ? gyro : 0);
}

function rangeG(a: PuckAccel): number {
  return LSM_FS[(a.regs[REG.CTRL1_XL]! >> 2) & 3]!;
}

function clip16(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}

function sample(a: PuckAccel): { acc: { x: number; y: number; z: number }; gyro: { x: number; y: number; z: number } } {
  return { acc: { ...a.last }, gyro: { x: 0, y: 0, z: 0 } };
}

export function installPuck(board: VirtualBoard, g: Record<string, unknown>): void {
  const a = puckAccel(board);
  g['Puck'] = {
    ...board.eventMethods('Puck'),
    accelOn: (hz?: number) => {
      const rate = hz ?? 12.5;
      if (!PUCK_RATES.includes(rate)) throw new Error('Invalid sample rate');
      const code = Number(Object.keys(LSM_ODR).find((k) => LSM_ODR[Number(k)] === rate));
      // what the firmware writes (jswrap_puck.c accel_on)
      a.regs[0x15] = 0x10;
      a.regs[0x16] = 0x80;
      a.regs[0x18] = 0x38;
      a.regs[REG.CTRL1_XL] = (code << 4) | 0b1011;
      a.regs[REG.CTRL2_G] = rate === 1.6 ? 0 : code << 4;
      a.regs[0x12] = 0x44;
      a.regs[REG.INT1_CTRL] = 3;
      a.on = true;
    },
    accelOff: () => {
      a.on = false;
      a.regs[REG.CTRL1_XL] = 0;
      a.regs[REG.CTRL2_G] = 0;
    },
    accelWr: (reg: number, value: number) => {
      a.regs[reg & 0x7f] = value & 0xff;
    },
    accelRd: (reg: number, count?: number) => {
      const r = reg & 0x7f;
      const out = count === undefined ? a.regs[r]! : a.regs.slice(r, r + count);
      if (r === REG.TAP_SRC && a.regs[REG.TAP_CFG]! & 1) a.regs[REG.TAP_SRC] = 0; // reading clears a latched tap
      return out;
    },
    accel: () => sample(a),
    getBatteryPercentage: () => board.battery(),
    magOn: () => undefined,
    magOff: () => undefined,
    getTemperature: () => 25,
  };
}

/** Feeds one sample in g (board axes). Returns false when no data-ready interrupt reaches INT1. */
export function feedPuckAccel(board: VirtualBoard, gx: number, gy: number, gz: number): boolean {
  const a = puckAccel(board);
  const perG = 32768 / rangeG(a);
  a.last = { x: clip16(gx * perG), y: clip16(gy * perG), z: clip16(gz * perG) };
  if (puckEventRateHz(board) === 0) return false;
  board.deliverSample(() => board.fire('Puck', 'accel', sample(a)));
  return true;
}

export interface TapOptions {
  axis?: 'x' | 'y' | 'z';
  /** Peak acceleration of the tap, g. */
  peakG?: number;
  negative?: boolean;
}

/**
 * One physical tap on the Puck. The tap engine recognises it when the accelerometer runs at
 * ≥ 416 Hz, interrupts are enabled for that axis and the peak passes TAP_THS; a second tap within
 * the INT_DUR2 window is a double tap when WAKE_UP_THS.single_double_tap is set. Returns whether
 * INT1 went high.
 */
export function tapPuck(board: VirtualBoard, opts: TapOptions = {}): boolean {
  const a = puckAccel(board);
  const axis = opts.axis ?? 'z';
  const xl = puckXlRateHz(a);
  const cfg = a.regs[REG.TAP_CFG]!;
  const axisBit = { x: 8, y: 4, z: 2 }[axis];
  const fs = rangeG(a);
  const thresholdG = (Math.max(1, a.regs[REG.TAP_THS_6D]! & 31) * fs) / 32;
  if (xl < 416 || !(cfg & 0x80) || !(cfg & axisBit) || (opts.peakG ?? 3) < thresholdG) return false;
  const now = board.clock.now();
  const dur = a.regs[REG.INT_DUR2]! >> 4;
  const windowMs = ((dur === 0 ? 16 : dur * 32) / xl) * 1000;
  const double = (a.regs[REG.WAKE_UP_THS]! & 0x80) !== 0 && now - a.lastTapMs <= windowMs;
  a.lastTapMs = double ? -1e9 : now;
  const src = 0x40 | 0x20 | (double ? 0x10 : 0) | (opts.negative ? 0x08 : 0) | { x: 4, y: 2, z: 1 }[axis];
  a.regs[REG.TAP_SRC] = src;
  const md1 = a.regs[REG.MD1_CFG]!;
  if (!((md1 & 0x40) || (double && md1 & 0x08))) return false;
  const latched = (cfg & 1) !== 0;
  const raise = (): void => {
    if (board.busy()) {
      board.clock.setTimeout(raise, 1); // the idle loop sees INT1 once the handler has finished
      return;
    }
    board.deliverSample(() => board.fire('Puck', 'accel', sample(a)));
    if (!latched) {
      a.regs[REG.TAP_SRC] = 0;
      return;
    }
    // INT1 stays high until TAP_SRC is read: Espruino's idle loop keeps reading and firing `accel`.
    if (a.regs[REG.TAP_SRC] !== 0 && a.int1Storm < INT1_STORM_LIMIT) {
      a.int1Storm++;
      board.clock.setTimeout(raise, 1);
    }
  };
  raise();
  return true;
}
