/** The virtual Espruino board's data: its options, the firmware's timers and watches, GATT, events, CPU use. */
import type { Clock, TimerId } from '../../../common/clock';
import type { BuiltAdvert } from './advert';
import type { BoardName } from './profiles';
import type { Flash } from './storage';

export interface BoardOptions {
  board: BoardName;
  clock: Clock;
  /** Flash survives reboots; pass one to model a device that was already used. */
  flash?: Flash;
  /** BLE address, e.g. `c0:ff:ee:00:00:01 random`. */
  address?: string;
  /** Battery level in percent, or a function of time. */
  batteryPct?: number | ((nowMs: number) => number);
  /** Random source for E.hwRand (tests pass a seeded one). */
  random?: () => number;
  /** The LoRa modem wired to Serial1 on a `lora` board (default RN2483). */
  loraModem?: 'rn2483' | 'rak3172';
}

export interface WatchEntry {
  id: number;
  fn: (e: { state: boolean; time: number; lastTime: number | undefined }) => void;
  pin: string;
  repeat: boolean;
  edge: 'rising' | 'falling' | 'both';
  debounceMs: number;
  lastTime: number | undefined;
}

/** A timer as Espruino lists it (globals.ts installTimers). */
export interface TimerEntry {
  id: number;
  periodMs: number;
  repeat: boolean;
  fn: (...a: unknown[]) => unknown;
  args: unknown[];
  /** The pending clock timer, while armed. */
  clockId: TimerId | undefined;
}

export interface GattCharacteristic {
  value: Uint8Array;
  writable: boolean;
  onWrite?: (evt: { data: ArrayBuffer }) => void;
}

export type BoardEvents = {
  advertising: [BuiltAdvert | undefined];
  led: [{ name: string; on: boolean; atMs: number }];
  buzz: [{ ms: number; strength: number; atMs: number }];
  draw: [{ op: string; atMs: number; text?: string }];
  console: [string];
  error: [Error];
  scan: [boolean];
  serial: [string];
  reboot: [];
};

/** CPU use in the cost model, since boot. */
export interface CpuStats {
  statements: number;
  busyMs: number;
  samplesDelivered: number;
  samplesDropped: number;
  /** digitalPulse calls that found the utility timer's queue full and waited. */
  pulseWaits: number;
}
