/**
 * Per-board globals and units (ESPRUINO.md §1–§4). Puck.js v2: LSM6DS3TR-C counts through
 * Puck.accelOn at fixed rates, LEDs, no buzzer. Bangle.js 2: KX023 read by polling
 * (setPollInterval 10–4000 ms) reported in g as raw/8192 whatever the range, buzzer, screen, and a
 * BTN1 hold that reloads the app after 1.5 s. "lora": a Puck.js v2 with a LoRa modem on Serial1.
 */
import type { VirtualBoard } from './board';
import type { CryptoProfile } from './crypto';
import type { NameRule } from './advert';

export type BoardName = 'puckjs' | 'bangle2' | 'lora';

export interface BoardProfile {
  name: BoardName;
  boardId: string;
  title: string;
  jsVars: number;
  storageBytes: number;
  crypto: CryptoProfile;
  advertNameRule: NameRule;
  buttons: string[];
  leds: string[];
  defaultName(address: string): string;
  install(board: VirtualBoard, g: Record<string, unknown>, realm: { ArrayBuffer: ArrayBufferConstructor; Uint8Array: Uint8ArrayConstructor }): void;
  onInput?(board: VirtualBoard, pin: string, value: number): void;
  modules?: Record<string, (board: VirtualBoard) => unknown>;
}

/** Accelerometer state shared by the profiles and the trace replayer. */
export interface AccelState {
  /** Samples per second actually delivered to the firmware (0 = off). */
  rateHz: number;
  /** Full-scale range in g; values beyond it clip. */
  rangeG: number;
  /** Register file of the sensor, as written through accelWr. */
  regs: Uint8Array;
  last: { x: number; y: number; z: number };
}

export function accelState(board: VirtualBoard): AccelState {
  let s = board.hw['accel'] as AccelState | undefined;
  if (!s) {
    s = { rateHz: 0, rangeG: 4, regs: new Uint8Array(128), last: { x: 0, y: 0, z: 0 } };
    board.hw['accel'] = s;
  }
  return s;
}

const PUCK_RATES = [1.6, 12.5, 26, 52, 104, 208, 416, 833, 1660];
const LSM_ODR: Record<number, number> = { 0: 0, 1: 12.5, 2: 26, 3: 52, 4: 104, 5: 208, 6: 416, 7: 833, 8: 1660, 11: 1.6 };
const LSM_FS: Record<number, number> = { 0: 2, 1: 16, 2: 4, 3: 8 };

function clip16(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}

function suffix(address: string): string {
  const hex = address.split(' ')[0]!.replace(/:/g, '');
  return hex.slice(-4);
}

function installPuck(board: VirtualBoard, g: Record<string, unknown>): void {
  const acc = accelState(board);
  g['Puck'] = {
    ...board.eventMethods('Puck'),
    accelOn: (hz?: number) => {
      const rate = hz ?? 12.5;
      if (!PUCK_RATES.includes(rate)) throw new Error('Invalid sample rate');
      const code = Number(Object.keys(LSM_ODR).find((k) => LSM_ODR[Number(k)] === rate));
      acc.regs[0x10] = (code << 4) | 0b1011; // ±4 g, as the firmware writes it
      acc.rateHz = rate;
      acc.rangeG = 4;
    },
    accelOff: () => {
      acc.rateHz = 0;
    },
    accelWr: (reg: number, value: number) => {
      acc.regs[reg & 0x7f] = value & 0xff;
      if ((reg & 0x7f) === 0x10) {
        acc.rangeG = LSM_FS[(value >> 2) & 3]!;
        if (acc.rateHz > 0) acc.rateHz = LSM_ODR[value >> 4] ?? acc.rateHz;
      }
    },
    accelRd: (reg: number, count?: number) => (count === undefined ? acc.regs[reg & 0x7f] : acc.regs.slice(reg & 0x7f, (reg & 0x7f) + count)),
    accel: () => ({ acc: { ...acc.last }, gyro: { x: 0, y: 0, z: 0 } }),
    getBatteryPercentage: () => board.battery(),
    magOn: () => undefined,
    magOff: () => undefined,
    getTemperature: () => 25,
  };
}

/** Feeds one sample in g (board axes) to a Puck.js-type accelerometer. Returns false when it is off. */
export function feedPuckAccel(board: VirtualBoard, gx: number, gy: number, gz: number): boolean {
  const acc = accelState(board);
  if (acc.rateHz === 0) return false;
  const perG = 32768 / acc.rangeG;
  acc.last = { x: clip16(gx * perG), y: clip16(gy * perG), z: clip16(gz * perG) };
  const sample = { acc: { ...acc.last }, gyro: { x: 0, y: 0, z: 0 } };
  board.fire('Puck', 'accel', sample);
  return true;
}

const KX_ODR: Record<number, number> = { 0: 12.5, 1: 25, 2: 50, 3: 100, 4: 200, 5: 400, 6: 800, 7: 1600 };
const KX_GSEL: Record<number, number> = { 0: 2, 1: 4, 2: 8, 3: 8 };

function bangleRate(board: VirtualBoard): number {
  const acc = accelState(board);
  const odr = KX_ODR[acc.regs[0x1b]! & 0x0f] ?? 12.5;
  const pollMs = (board.hw['pollMs'] as number | undefined) ?? 80;
  return Math.min(odr, 1000 / pollMs);
}

function installBangle(board: VirtualBoard, g: Record<string, unknown>): void {
  const acc = accelState(board);
  acc.regs[0x18] = 0b10101100; // operating, ±4 g, DRDY, tap engine
  acc.regs[0x1b] = 0; // 12.5 Hz
  acc.rangeG = 4;
  board.hw['pollMs'] = 80;
  acc.rateHz = bangleRate(board);
  const options: Record<string, unknown> = { btnLoadTimeout: 1500, powerSave: true, wakeOnTwist: true };
  board.hw['options'] = options;
  const draw = (op: string, text?: string) => board.emit('draw', { op, atMs: board.clock.now(), ...(text === undefined ? {} : { text }) });
  const gfx: Record<string, unknown> = {};
  for (const op of ['clear', 'clearRect', 'fillRect', 'drawRect', 'setColor', 'setBgColor', 'setFont', 'setFontAlign', 'drawImage', 'drawLine', 'flip', 'reset', 'fillCircle', 'drawCircle']) {
    gfx[op] = () => {
      if (!['setColor', 'setBgColor', 'setFont', 'setFontAlign', 'reset'].includes(op)) draw(op);
      return gfx;
    };
  }
  gfx['drawString'] = (text: unknown) => {
    draw('drawString', String(text));
    return gfx;
  };
  gfx['getWidth'] = () => 176;
  gfx['getHeight'] = () => 176;
  gfx['stringWidth'] = (s: unknown) => String(s).length * 6;
  g['g'] = gfx;
  g['Bangle'] = {
    ...board.eventMethods('Bangle'),
    setPollInterval: (ms: number) => {
      if (!(ms >= 10 && ms <= 4000)) throw new Error('Invalid interval');
      board.hw['pollMs'] = ms;
      options['powerSave'] = false;
      acc.rateHz = bangleRate(board);
    },
    accelWr: (reg: number, value: number) => {
      acc.regs[reg & 0x7f] = value & 0xff;
      if ((reg & 0x7f) === 0x18) acc.rangeG = KX_GSEL[(value >> 3) & 3]!;
      acc.rateHz = bangleRate(board);
    },
    accelRd: (reg: number, count?: number) => (count === undefined ? acc.regs[reg & 0x7f] : acc.regs.slice(reg & 0x7f, (reg & 0x7f) + count)),
    getAccel: () => {
      const { x, y, z } = acc.last;
      return { x, y, z, diff: 0, mag: Math.sqrt(x * x + y * y + z * z) };
    },
    buzz: (ms?: number, strength?: number) => {
      const dur = Math.min(5000, ms ?? 200);
      board.emit('buzz', { ms: dur, strength: strength ?? 1, atMs: board.clock.now() });
      const P = board.evaluate('Promise') as PromiseConstructor;
      return new P((resolve) => board.clock.setTimeout(() => resolve(undefined), dur));
    },
    setOptions: (o: Record<string, unknown>) => Object.assign(options, o),
    getOptions: () => ({ ...options }),
    isCharging: () => false,
    setLCDPower: (on: unknown) => draw(on ? 'lcdOn' : 'lcdOff'),
    isLCDOn: () => true,
    setLocked: () => undefined,
    isLocked: () => true,
    setBacklight: (on: unknown) => draw(on ? 'backlightOn' : 'backlightOff'),
    setGPSPower: (on: unknown) => {
      board.hw['gps'] = !!on;
      return !!on;
    },
    isGPSOn: () => board.hw['gps'] === true,
    getHealthStatus: () => ({ movement: 0, steps: 0 }),
  };
  const E = g['E'] as Record<string, unknown>;
  E['showMessage'] = (text: unknown) => draw('showMessage', String(text));
  E['showPrompt'] = (text: unknown) => {
    draw('showPrompt', String(text));
    const P = board.evaluate('Promise') as PromiseConstructor;
    return new P(() => undefined);
  };
  E['showMenu'] = () => draw('showMenu');
}

/** Feeds one sample in g (watch axes) as the Bangle.js 2 poller would report it. */
export function feedBangleAccel(board: VirtualBoard, gx: number, gy: number, gz: number): boolean {
  const acc = accelState(board);
  if (!board.hasListener('Bangle', 'accel')) return false; // events only fire when a listener exists
  const countsPerG = 32768 / acc.rangeG;
  const raw = [gx, gy, gz].map((v) => clip16(v * countsPerG));
  const rep = raw.map((c) => c / 8192); // firmware always divides by 8192
  const prev = acc.last;
  acc.last = { x: rep[0]!, y: rep[1]!, z: rep[2]! };
  const diff = Math.sqrt((rep[0]! - prev.x) ** 2 + (rep[1]! - prev.y) ** 2 + (rep[2]! - prev.z) ** 2);
  const mag = Math.sqrt(rep[0]! ** 2 + rep[1]! ** 2 + rep[2]! ** 2);
  board.fire('Bangle', 'accel', { x: rep[0], y: rep[1], z: rep[2], diff, mag });
  return true;
}

function bangleButton(board: VirtualBoard, pin: string, value: number): void {
  if (pin !== 'BTN1') return;
  const options = board.hw['options'] as Record<string, unknown> | undefined;
  const timeout = Number(options?.['btnLoadTimeout'] ?? 1500);
  if (value === 1 && timeout > 0) {
    const boot = board.bootCount;
    board.hw['btnHold'] = board.clock.setTimeout(() => {
      // Holding BTN1 reloads the default app: JS state is wiped (ESPRUINO.md §1).
      if (board.bootCount === boot && (board.pins.get('BTN1') ?? 0) === 1) board.reboot();
    }, timeout);
  } else if (value === 0) {
    board.clock.clearTimeout(board.hw['btnHold'] as number | undefined);
  }
}

export const PROFILES: Record<BoardName, BoardProfile> = {
  puckjs: {
    name: 'puckjs', boardId: 'PUCKJS', title: 'Puck.js v2', jsVars: 2630, storageBytes: 40 * 1024, crypto: 'puck', advertNameRule: 'truncate',
    buttons: ['BTN1'], leds: ['LED1', 'LED2', 'LED3'],
    defaultName: (a) => `Puck.js ${suffix(a)}`,
    install: (board, g) => installPuck(board, g),
  },
  bangle2: {
    name: 'bangle2', boardId: 'BANGLEJS2', title: 'Bangle.js 2', jsVars: 12000, storageBytes: 8 * 1024 * 1024, crypto: 'bangle', advertNameRule: 'reject',
    buttons: ['BTN1'], leds: [],
    defaultName: (a) => `Bangle.js ${suffix(a)}`,
    install: (board, g) => installBangle(board, g),
    onInput: bangleButton,
  },
  lora: {
    name: 'lora', boardId: 'PUCKJS', title: 'Puck.js v2 + LoRa modem (RN2483 / RAK3172) on Serial1', jsVars: 2630, storageBytes: 40 * 1024, crypto: 'puck', advertNameRule: 'truncate',
    buttons: ['BTN1'], leds: ['LED1', 'LED2', 'LED3'],
    defaultName: (a) => `Puck.js ${suffix(a)}`,
    install: (board, g) => installPuck(board, g),
  },
};

/** Feeds a sample to whichever accelerometer the board has. */
export function feedAccel(board: VirtualBoard, gx: number, gy: number, gz: number): boolean {
  return board.profile.name === 'bangle2' ? feedBangleAccel(board, gx, gy, gz) : feedPuckAccel(board, gx, gy, gz);
}

export function accelRateHz(board: VirtualBoard): number {
  return accelState(board).rateHz;
}
