/**
 * Per-board globals, units, limits and costs (ESPRUINO.md §1–§4). Puck.js v2: LSM6DS3TR-C counts
 * through Puck.accelOn/accelWr (puck.ts), LEDs, no buzzer, Serial1. Bangle.js 2: KX023 read by
 * polling, reported in g, buzzer, screen, GPS (bangle.ts). "lora": a Puck.js v2 with an RN2483 or
 * RAK3172 modem on Serial1 (lora-modem.ts).
 */
import type { VirtualBoard } from './board';
import { bangleButton, bangleRateHz, bangleState, feedBangleAccel, installBangle, resetBangle } from './bangle';
import type { CostProfile } from './cost';
import type { CryptoProfile } from './crypto';
import type { NameRule } from './advert';
import { installSerial1, LoraModem } from './lora-modem';
import { feedPuckAccel, installPuck, puckAccel, puckEventRateHz } from './puck';

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
  /** Other pins the firmware may name (Serial1's D28/D29 on a Puck.js). */
  pins: string[];
  cost: CostProfile;
  defaultName(address: string): string;
  install(board: VirtualBoard, g: Record<string, unknown>, realm: { ArrayBuffer: ArrayBufferConstructor; Uint8Array: Uint8ArrayConstructor }): void;
  /** Stops the profile's own timers (GPS, modem) before a reboot. */
  reset?(board: VirtualBoard): void;
  onInput?(board: VirtualBoard, pin: string, value: number): void;
  modules?: Record<string, (board: VirtualBoard) => unknown>;
}

/**
 * Interpreter cost: Espruino runs ~4000 iterations/s of a small loop toggling a pin (ESPRUINO.md §4,
 * nRF52 about the same as the STM32F1 quoted), i.e. ~250 µs for 2–3 statements: 100 µs per statement
 * from RAM on the Puck.js; the Bangle.js 2 reads its code from external SPI flash: 120 µs. Native
 * costs: AES through the JS wrapper, nRF52 flash writes (41 µs per word) and page erases (85 ms).
 */
const PUCK_COST: CostProfile = { statementUs: 100, aesCallMs: 0.3, aesBlockMs: 0.05, flashByteMs: 0.011, flashPageEraseMs: 85 };
const BANGLE_COST: CostProfile = { statementUs: 120, aesCallMs: 0.3, aesBlockMs: 0.05, flashByteMs: 0.02, flashPageEraseMs: 50 };

function suffix(address: string): string {
  return address.split(' ')[0]!.replace(/:/g, '').slice(-4);
}

const PUCK_BASE = {
  boardId: 'PUCKJS', jsVars: 2630, storageBytes: 40 * 1024, crypto: 'puck' as const, advertNameRule: 'truncate' as const,
  buttons: ['BTN1'], leds: ['LED1', 'LED2', 'LED3'], pins: Array.from({ length: 32 }, (_, i) => `D${i}`), cost: PUCK_COST,
  defaultName: (a: string) => `Puck.js ${suffix(a)}`,
};

export const PROFILES: Record<BoardName, BoardProfile> = {
  puckjs: {
    ...PUCK_BASE, name: 'puckjs', title: 'Puck.js v2',
    install: (board, g) => {
      installPuck(board, g);
      installSerial1(board, g, undefined);
    },
  },
  bangle2: {
    name: 'bangle2', boardId: 'BANGLEJS2', title: 'Bangle.js 2', jsVars: 12000, storageBytes: 8 * 1024 * 1024, crypto: 'bangle', advertNameRule: 'reject',
    buttons: ['BTN1'], leds: [], pins: [], cost: BANGLE_COST,
    defaultName: (a) => `Bangle.js ${suffix(a)}`,
    install: (board, g) => installBangle(board, g),
    reset: resetBangle,
    onInput: bangleButton,
  },
  lora: {
    ...PUCK_BASE, name: 'lora', title: 'Puck.js v2 + LoRa modem (RN2483 / RAK3172) on Serial1',
    install: (board, g) => {
      installPuck(board, g);
      const modem = new LoraModem(board, board.loraModem);
      board.hw['modem'] = modem;
      installSerial1(board, g, modem);
    },
    reset: (board) => loraModemOf(board)?.reset(),
  },
};

/** The LoRa modem wired to a `lora` board (undefined on other boards). */
export function loraModemOf(board: VirtualBoard): LoraModem | undefined {
  return board.hw['modem'] as LoraModem | undefined;
}

/** Feeds a sample in g (board axes) to whichever accelerometer the board has. */
export function feedAccel(board: VirtualBoard, gx: number, gy: number, gz: number): boolean {
  return board.profile.name === 'bangle2' ? feedBangleAccel(board, gx, gy, gz) : feedPuckAccel(board, gx, gy, gz);
}

/** Samples per second the firmware's accelerometer events arrive at (0 = off). */
export function accelRateHz(board: VirtualBoard): number {
  return board.profile.name === 'bangle2' ? (board.hasListener('Bangle', 'accel') ? bangleRateHz(board) : 0) : puckEventRateHz(board);
}

/** Rate and full-scale range of the accelerometer as configured now. */
export interface AccelState {
  rateHz: number;
  rangeG: number;
}

export function accelState(board: VirtualBoard): AccelState {
  if (board.profile.name === 'bangle2') {
    const gsel = (bangleState(board).regs[0x18]! >> 3) & 3;
    return { rateHz: accelRateHz(board), rangeG: [2, 4, 8, 8][gsel]! };
  }
  const fs = (puckAccel(board).regs[0x10]! >> 2) & 3;
  return { rateHz: accelRateHz(board), rangeG: [2, 16, 4, 8][fs]! };
}
