/**
 * A virtual Espruino board: a `vm` context with the globals the firmware uses, on an injected clock.
 * It runs the *built* firmware file (firmware/dist/<board>.js) unchanged, instrumented for the CPU
 * cost model (cost.ts). Host-side methods let the simulator press buttons, feed accelerometer
 * samples, write GATT characteristics and observe LEDs, buzzes, screen, adverts and errors. Common
 * globals live in globals.ts, board differences in profiles.ts (puck.ts, bangle.ts, lora-modem.ts);
 * when code runs and for how long (cost model, samples, watches) in board-time.ts, the radio as the
 * outside world uses it (GATT writes, scanned adverts) in board-io.ts, the data types in board-types.ts.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import vm from 'node:vm';
import type { Clock } from '../../../common/clock';
import { buildAdvert, type BuiltAdvert } from './advert';
import { deliverScan, gattWrite, type ScannedDevice } from './board-io';
import { CpuModel, fireWatches } from './board-time';
import type { BoardEvents, BoardOptions, CpuStats, GattCharacteristic, TimerEntry, WatchEntry } from './board-types';
import { instrument, STATEMENT_COUNTER } from './cost';
import { installGlobals } from './globals';
import { installRealm } from './realm';
import { type BoardProfile, PROFILES } from './profiles';
import { Flash } from './storage';

export type { BoardEvents, BoardOptions, CpuStats, GattCharacteristic, TimerEntry, WatchEntry } from './board-types';

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
  private readonly cpuModel: CpuModel = new CpuModel(this);
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
    this.cpuModel.reset();
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
    fireWatches(this, pin, value);
    this.profile.onInput?.(this, pin, value);
  }

  /** A central (gateway) connects, writes one characteristic, and disconnects (board-io.ts). */
  gattWrite(service: string, characteristic: string, data: Uint8Array, fromAddress = 'gateway'): boolean {
    return gattWrite(this, service, characteristic, data, fromAddress);
  }

  /** Delivers one advert seen by the board's own scanner, if it passes the scan filters (board-io.ts). */
  deliverScan(dev: ScannedDevice): void {
    deliverScan(this, dev);
  }

  // ---- the CPU cost model (cost.ts, board-time.ts) ------------------------------------------

  /** CPU use in the cost model, since power-on. */
  get cpu(): CpuStats {
    return this.cpuModel.stats;
  }

  /** Charges a native call's time (crypto, flash, a wait) to the handler that is running. */
  charge(ms: number): void {
    this.cpuModel.charge(ms);
  }

  /** Native time charged so far to the handler that is running. */
  chargedMs(): number {
    return this.cpuModel.chargedMs();
  }

  /** Whether a handler is still running at this instant in the cost model. */
  busy(): boolean {
    return this.cpuModel.busy();
  }

  /** An accelerometer sample: delivered when idle, else the newest held for when the handler ends. */
  deliverSample(fire: () => void): void {
    this.cpuModel.deliverSample(fire);
  }

  // ---- firmware-facing plumbing, used by globals and profiles --------------------------------

  /** Calls firmware code the way Espruino's idle loop does: an exception is reported, not fatal. */
  safeCall(fn: () => void): void {
    this.cpuModel.safeCall(fn);
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
