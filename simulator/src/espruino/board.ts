/**
 * A virtual Espruino board: a `vm` context with the globals the firmware uses, on an injected clock.
 * It runs the *built* firmware file (firmware/dist/<board>.js) unchanged, instrumented for the CPU
 * cost model (cost.ts). Host-side methods let the simulator press buttons, feed accelerometer
 * samples, write GATT characteristics and observe LEDs, buzzes, screen, adverts and errors. Common
 * globals live in globals.ts, board differences in profiles.ts (puck.ts, bangle.ts, lora-modem.ts).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import vm from 'node:vm';
import type { Clock, TimerId } from '../../../common/clock';
import { buildAdvert, type BuiltAdvert, normUuid } from './advert';
import { instrument, STATEMENT_COUNTER } from './cost';
import { installGlobals } from './globals';
import { installRealm } from './realm';
import { type BoardName, type BoardProfile, PROFILES } from './profiles';
import { Flash } from './storage';

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

export class VirtualBoard extends EventEmitter<BoardEvents> {
  readonly profile: BoardProfile;
  readonly flash: Flash;
  readonly clock: Clock;
  readonly address: string;
  readonly loraModem: 'rn2483' | 'rak3172';
  readonly errors: Error[] = [];
  readonly consoleLines: string[] = [];
  advert: BuiltAdvert | undefined;
  /** The advert that was on air when a connection paused it. */
  pausedAdvert: BuiltAdvert | undefined;
  scanCallback: ((dev: unknown) => void) | undefined;
  scanFilters: Record<string, unknown>[] | undefined;
  services: Map<string, Map<string, GattCharacteristic>> = new Map();
  pins = new Map<string, number>();
  watches: WatchEntry[] = [];
  bootCount = 0;
  connected = false;
  /** NRF.sleep() stopped advertising; NRF.wake() restarts it. */
  bleAsleep = false;
  /** Board-specific state bag for profiles (accelerometer registers, poll interval, menu, modem...). */
  hw: Record<string, unknown> = {};
  cpu: CpuStats = { statements: 0, busyMs: 0, samplesDelivered: 0, samplesDropped: 0, pulseWaits: 0 };
  /** Globals the stand-in installs; anything else on the global object was defined by the firmware. */
  builtinGlobals = new Set<string>();

  context: vm.Context | undefined;
  /** The vm context's name, as V8's inspector knows it (memory.ts). */
  contextName = '';
  /** Espruino's timer list, in order (a Map keeps insertion order). */
  timers = new Map<number, TimerEntry>();
  private fwListeners = new Map<string, ((...args: unknown[]) => void)[]>();
  /** The program as given to boot(), and as it runs (instrumented for the CPU cost model). */
  code = '';
  instrumentedCode = '';
  /** NRF.setServices' argument as the firmware gave it (Espruino keeps it: memory.ts counts it). */
  servicesObject: unknown;
  /** Built-in modules the program has required (each costs a module cache entry). */
  modulesRequired = new Set<string>();
  /** A typed-array method (slice, set, subarray) has run: Espruino has made ArrayBufferView real. */
  typedMethodsUsed = false;
  private filename = 'firmware.js';
  private depth = 0;
  private nativeMs = 0;
  private busyUntilMs = 0;
  private heldSample: (() => void) | undefined;
  private heldTimer: TimerId | undefined;
  private readonly batteryPct: number | ((nowMs: number) => number);
  readonly random: () => number;

  constructor(opts: BoardOptions) {
    super();
    this.profile = PROFILES[opts.board];
    this.clock = opts.clock;
    this.flash = opts.flash ?? new Flash(this.profile.storageBytes);
    this.address = opts.address ?? 'c0:ff:ee:00:00:01 random';
    this.batteryPct = opts.batteryPct ?? 100;
    this.random = opts.random ?? Math.random;
    this.loraModem = opts.loraModem ?? 'rn2483';
  }

  /** Runs the firmware from power-on. */
  boot(code: string, filename = `${this.profile.name}.js`): void {
    this.code = code;
    this.filename = filename;
    this.bootCount++;
    this.resetRuntime();
    this.contextName = `vigil-board-${randomUUID()}`; // unique even across Jest's module registries
    const context = vm.createContext({}, { name: this.contextName });
    this.context = context;
    const realm = vm.runInContext('({ArrayBuffer: ArrayBuffer, Uint8Array: Uint8Array})', context) as { ArrayBuffer: ArrayBufferConstructor; Uint8Array: Uint8ArrayConstructor };
    const g = context as Record<string, unknown>;
    g[STATEMENT_COUNTER] = 0;
    installRealm(context, g, () => (this.typedMethodsUsed = true));
    installGlobals(this, g, realm);
    this.profile.install(this, g, realm);
    this.builtinGlobals = new Set(Object.getOwnPropertyNames(g));
    // Espruino advertises its name, connectable, from power-on until the code says otherwise.
    this.setAdvertOnAir(buildAdvert({}, {}, this.profile.defaultName(this.address), 'truncate'));
    const instrumented = instrument(code);
    this.instrumentedCode = instrumented;
    this.safeCall(() => vm.runInContext(instrumented, context, { filename }));
    this.fire('E', 'init');
  }

  /** Power cycle: JS state is lost, flash is kept. */
  reboot(): void {
    this.emit('reboot');
    this.boot(this.code, this.filename);
  }

  /** Stops everything the firmware started (used by reboot and by the simulator on teardown). */
  resetRuntime(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t.clockId);
    this.timers.clear();
    this.profile.reset?.(this);
    this.watches = [];
    this.fwListeners.clear();
    this.services.clear();
    this.servicesObject = undefined;
    this.modulesRequired.clear();
    this.typedMethodsUsed = false;
    this.scanCallback = undefined;
    this.scanFilters = undefined;
    this.connected = false;
    this.bleAsleep = false;
    this.pausedAdvert = undefined;
    this.clock.clearTimeout(this.heldTimer);
    this.heldSample = undefined;
    this.heldTimer = undefined;
    this.busyUntilMs = 0;
    if (this.advert) this.setAdvertOnAir(undefined);
    for (const name of [...this.pins.keys()]) this.setPin(name, 0);
    this.hw = {};
  }

  shutdown(): void {
    this.resetRuntime();
    this.context = undefined;
  }

  battery(): number {
    const v = typeof this.batteryPct === 'function' ? this.batteryPct(this.clock.now()) : this.batteryPct;
    return Math.max(0, Math.min(100, Math.round(v)));
  }

  /** Evaluates an expression inside the firmware's context (tests only; not charged to the CPU). */
  evaluate(expr: string): unknown {
    if (!this.context) throw new Error('board not booted');
    return vm.runInContext(expr, this.context);
  }

  // ---- host-side inputs -------------------------------------------------------------------

  /** Holds a pin (button) high for `holdMs`, then releases it. */
  press(pin = 'BTN', holdMs = 150): void {
    this.setInput(pin, 1);
    this.clock.setTimeout(() => this.setInput(pin, 0), holdMs);
  }

  private pinAlias(pin: string): string {
    return pin === 'BTN' ? (this.profile.buttons[0] ?? pin) : pin;
  }

  /** Sets an input pin level and runs matching watches (with debounce), as the IRQ + idle loop do. */
  setInput(pinArg: string, value: number): void {
    const pin = this.pinAlias(pinArg);
    const previous = this.pins.get(pin) ?? 0;
    if (previous === value) return;
    this.pins.set(pin, value);
    const nowS = this.clock.now() / 1000;
    for (const w of [...this.watches]) {
      if (w.pin !== pin) continue;
      const edgeOk = w.edge === 'both' || (w.edge === 'rising' ? value === 1 : value === 0);
      if (!edgeOk) continue;
      const run = (): void => {
        if ((this.pins.get(pin) ?? 0) !== value) return; // bounced back within the debounce time
        if (!this.watches.includes(w)) return;
        if (!w.repeat) this.watches = this.watches.filter((x) => x !== w);
        const lastTime = w.lastTime;
        w.lastTime = nowS;
        this.safeCall(() => w.fn({ state: value === 1, time: nowS, lastTime }));
      };
      if (w.debounceMs > 0) this.clock.setTimeout(run, w.debounceMs);
      else run();
    }
    this.profile.onInput?.(this, pin, value);
  }

  /** A central (gateway) connects, writes one characteristic, and disconnects. */
  gattWrite(service: string, characteristic: string, data: Uint8Array, fromAddress = 'gateway'): boolean {
    if (!this.context || !this.advert || !this.advert.connectable) return false;
    const ch = this.services.get(normUuid(service))?.get(normUuid(characteristic));
    if (!ch || !ch.writable) return false;
    this.connected = true;
    this.pausedAdvert = this.advert;
    this.setAdvertOnAir(undefined);
    this.fire('NRF', 'connect', fromAddress);
    ch.value = data.slice();
    const ab = new (this.evaluate('ArrayBuffer') as ArrayBufferConstructor)(data.length);
    new Uint8Array(ab).set(data);
    if (ch.onWrite) this.safeCall(() => ch.onWrite!({ data: ab }));
    this.connected = false;
    this.fire('NRF', 'disconnect', 0x13);
    if (this.advert === undefined && this.pausedAdvert && !this.bleAsleep) this.setAdvertOnAir(this.pausedAdvert);
    this.pausedAdvert = undefined;
    return true;
  }

  /** Delivers one advert seen by the board's own scanner (NRF.setScan), if it passes the scan filters. */
  deliverScan(dev: { id: string; rssi: number; data: Uint8Array; manufacturer?: number; manufacturerData?: Uint8Array; serviceData?: Record<string, Uint8Array>; name?: string }): void {
    if (!this.scanCallback || !this.context) return;
    if (this.scanFilters && !this.scanFilters.some((f) => matchesFilter(f, dev))) return;
    const AB = this.evaluate('ArrayBuffer') as ArrayBufferConstructor;
    const toAb = (u: Uint8Array): ArrayBuffer => {
      const ab = new AB(u.length);
      new Uint8Array(ab).set(u);
      return ab;
    };
    const obj: Record<string, unknown> = { id: dev.id, rssi: dev.rssi, data: toAb(dev.data) };
    if (dev.manufacturer !== undefined) obj['manufacturer'] = dev.manufacturer;
    if (dev.manufacturerData) obj['manufacturerData'] = toAb(dev.manufacturerData);
    if (dev.serviceData) obj['serviceData'] = Object.fromEntries(Object.entries(dev.serviceData).map(([k, v]) => [k, toAb(v)]));
    if (dev.name) obj['name'] = dev.name;
    const cb = this.scanCallback;
    this.safeCall(() => cb(obj));
  }

  // ---- the CPU cost model (cost.ts) ---------------------------------------------------------

  /** Charges a native call's time (crypto, flash, a wait) to the handler that is running. */
  charge(ms: number): void {
    this.nativeMs += ms;
  }

  /** Native time charged so far to the handler that is running. */
  chargedMs(): number {
    return this.nativeMs;
  }

  /** Whether a handler is still running at this instant in the cost model. */
  busy(): boolean {
    return this.clock.now() < this.busyUntilMs;
  }

  /**
   * Delivers an accelerometer sample the way the drivers do: at once when the interpreter is idle;
   * while a handler runs, only the newest sample is kept for when it ends (the others are lost).
   */
  deliverSample(fire: () => void): void {
    if (!this.busy() && !this.heldSample) {
      this.cpu.samplesDelivered++;
      this.safeCall(fire);
      return;
    }
    if (this.heldSample) this.cpu.samplesDropped++;
    this.heldSample = fire;
    if (this.heldTimer === undefined) this.heldTimer = this.clock.setTimeout(() => this.releaseSample(), this.busyUntilMs - this.clock.now());
  }

  private releaseSample(): void {
    this.heldTimer = undefined;
    if (this.busy()) {
      this.heldTimer = this.clock.setTimeout(() => this.releaseSample(), this.busyUntilMs - this.clock.now());
      return;
    }
    const fire = this.heldSample;
    this.heldSample = undefined;
    if (!fire) return;
    this.cpu.samplesDelivered++;
    this.safeCall(fire);
  }

  // ---- firmware-facing plumbing, used by globals and profiles --------------------------------

  /** Calls firmware code the way Espruino's idle loop does: an exception is reported, not fatal. */
  safeCall(fn: () => void): void {
    if (this.depth > 0 || !this.context) {
      try {
        fn();
      } catch (e) {
        this.recordError(e);
      }
      return;
    }
    const g = this.context as Record<string, number>;
    const before = g[STATEMENT_COUNTER] ?? 0;
    this.nativeMs = 0;
    this.depth++;
    try {
      fn();
    } catch (e) {
      this.recordError(e);
    } finally {
      this.depth--;
    }
    const statements = (g[STATEMENT_COUNTER] ?? 0) - before;
    const ms = (statements * this.profile.cost.statementUs) / 1000 + this.nativeMs;
    this.cpu.statements += statements;
    this.cpu.busyMs += ms;
    this.busyUntilMs = Math.max(this.busyUntilMs, this.clock.now()) + ms;
  }

  recordError(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    this.errors.push(err);
    this.consoleLines.push(`Uncaught ${err.name}: ${err.message}`); // as Espruino prints it
    if (this.listenerCount('error') > 0) this.emit('error', err); // an EventEmitter throws 'error' nobody listens to
  }

  /** Runs listeners registered with `<obj>.on(event, fn)` inside the firmware. */
  fire(obj: string, event: string, ...args: unknown[]): void {
    for (const fn of [...(this.fwListeners.get(`${obj}.${event}`) ?? [])]) this.safeCall(() => fn(...args));
  }

  /** Listeners per event (`#on<event>` in Espruino), for memory.ts. */
  listenerCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, fns] of this.fwListeners) if (fns.length) out.set(key.slice(key.indexOf('.') + 1), fns.length);
    return out;
  }

  hasListener(obj: string, event: string): boolean {
    return (this.fwListeners.get(`${obj}.${event}`)?.length ?? 0) > 0;
  }

  /** Every callback the firmware registered (listeners, watches, timers, GATT, scan): memory roots. */
  callbacks(): unknown[] {
    const out: unknown[] = [];
    for (const l of this.fwListeners.values()) out.push(...l);
    for (const w of this.watches) out.push(w.fn);
    for (const t of this.timers.values()) out.push(t.fn);
    for (const chars of this.services.values()) for (const c of chars.values()) if (c.onWrite) out.push(c.onWrite);
    if (this.scanCallback) out.push(this.scanCallback);
    return out;
  }

  /** `on`/`removeListener`/`removeAllListeners`/`emit` for a firmware-visible object. */
  eventMethods(obj: string): Record<string, unknown> {
    return {
      on: (event: string, fn: (...args: unknown[]) => void) => {
        const key = `${obj}.${event}`;
        this.fwListeners.set(key, [...(this.fwListeners.get(key) ?? []), fn]);
      },
      removeListener: (event: string, fn: (...args: unknown[]) => void) => {
        const key = `${obj}.${event}`;
        this.fwListeners.set(key, (this.fwListeners.get(key) ?? []).filter((f) => f !== fn));
      },
      removeAllListeners: (event?: string) => {
        for (const key of [...this.fwListeners.keys()]) if (event === undefined ? key.startsWith(obj + '.') : key === `${obj}.${event}`) this.fwListeners.delete(key);
      },
      emit: (event: string, ...args: unknown[]) => this.fire(obj, event, ...args),
    };
  }

  setPin(name: string, value: number): void {
    const before = this.pins.get(name) ?? 0;
    this.pins.set(name, value);
    if (name.startsWith('LED') && (before !== 0) !== (value !== 0)) this.emit('led', { name, on: value !== 0, atMs: this.clock.now() });
  }

  setAdvertOnAir(advert: BuiltAdvert | undefined): void {
    this.advert = advert;
    this.emit('advertising', advert);
  }
}

/** NRF.setScan filters (ESPRUINO.md §2): manufacturerData by company, serviceData by UUID, name, id. */
function matchesFilter(f: Record<string, unknown>, dev: { id: string; manufacturer?: number; serviceData?: Record<string, Uint8Array>; name?: string }): boolean {
  const mfr = f['manufacturerData'] as Record<string, unknown> | undefined;
  if (mfr && (dev.manufacturer === undefined || !(String(dev.manufacturer) in mfr))) return false;
  const sd = f['serviceData'] as Record<string, unknown> | undefined;
  if (sd && !Object.keys(sd).some((k) => dev.serviceData?.[k.toLowerCase()] !== undefined)) return false;
  if (typeof f['name'] === 'string' && f['name'] !== dev.name) return false;
  if (typeof f['namePrefix'] === 'string' && !(dev.name ?? '').startsWith(f['namePrefix'])) return false;
  if (typeof f['id'] === 'string' && f['id'] !== dev.id) return false;
  return true;
}
