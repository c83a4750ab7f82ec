/**
 * A virtual Espruino board: a `vm` context with the globals the firmware uses, on an injected clock.
 * It runs the *built* firmware file (firmware/dist/<board>.js) unchanged. Host-side methods let the
 * simulator press buttons, feed accelerometer samples, write GATT characteristics and observe LEDs,
 * buzzes, adverts and errors. Board differences live in profiles.ts.
 */
import { EventEmitter } from 'node:events';
import vm from 'node:vm';
import type { Clock, TimerId } from '../../../common/clock';
import { type AdvertOptions, buildAdvert, type BuiltAdvert } from './advert';
import { createCryptoModule } from './crypto';
import { type BoardName, type BoardProfile, PROFILES } from './profiles';
import { createStorageModule, Flash, toBytes } from './storage';

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
}

export interface PinState {
  name: string;
  value: number;
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

export class VirtualBoard extends EventEmitter<BoardEvents> {
  readonly profile: BoardProfile;
  readonly flash: Flash;
  readonly clock: Clock;
  readonly address: string;
  readonly errors: Error[] = [];
  readonly consoleLines: string[] = [];
  advert: BuiltAdvert | undefined;
  /** The advert that was on air when a connection paused it. */
  private pausedAdvert: BuiltAdvert | undefined;
  scanCallback: ((dev: unknown) => void) | undefined;
  services: Map<string, Map<string, GattCharacteristic>> = new Map();
  pins = new Map<string, number>();
  watches: WatchEntry[] = [];
  bootCount = 0;
  connected = false;
  /** Board-specific state bag for profiles (accelerometer registers, poll interval...). */
  hw: Record<string, unknown> = {};

  private context: vm.Context | undefined;
  private code = '';
  private filename = 'firmware.js';
  private timers = new Map<number, TimerId>();
  private nextTimerId = 1;
  private nextWatchId = 1;
  private fwListeners = new Map<string, ((...args: unknown[]) => void)[]>();
  private readonly batteryPct: number | ((nowMs: number) => number);
  private readonly random: () => number;

  constructor(opts: BoardOptions) {
    super();
    this.profile = PROFILES[opts.board];
    this.clock = opts.clock;
    this.flash = opts.flash ?? new Flash(this.profile.storageBytes);
    this.address = opts.address ?? 'c0:ff:ee:00:00:01 random';
    this.batteryPct = opts.batteryPct ?? 100;
    this.random = opts.random ?? Math.random;
  }

  /** Runs the firmware from power-on. */
  boot(code: string, filename = `${this.profile.name}.js`): void {
    this.code = code;
    this.filename = filename;
    this.bootCount++;
    this.resetRuntime();
    const context = vm.createContext({});
    this.context = context;
    const realm = vm.runInContext('({ArrayBuffer: ArrayBuffer, Uint8Array: Uint8Array})', context) as { ArrayBuffer: ArrayBufferConstructor; Uint8Array: Uint8ArrayConstructor };
    const g = context as Record<string, unknown>;
    this.installCommon(g, realm);
    this.profile.install(this, g, realm);
    try {
      vm.runInContext(code, context, { filename });
    } catch (e) {
      this.recordError(e);
    }
    this.fire('E', 'init');
  }

  /** Power cycle: JS state is lost, flash is kept. */
  reboot(): void {
    this.emit('reboot');
    this.boot(this.code, this.filename);
  }

  /** Stops everything the firmware started (used by reboot and by the simulator on teardown). */
  resetRuntime(): void {
    for (const id of this.timers.values()) this.clock.clearTimeout(id);
    this.timers.clear();
    this.watches = [];
    this.fwListeners.clear();
    this.services.clear();
    this.scanCallback = undefined;
    this.connected = false;
    this.pausedAdvert = undefined;
    if (this.advert) {
      this.advert = undefined;
      this.emit('advertising', undefined);
    }
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

  /** Evaluates an expression inside the firmware's context (tests only). */
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
    if (this.advert === undefined && this.pausedAdvert) this.setAdvertOnAir(this.pausedAdvert);
    this.pausedAdvert = undefined;
    return true;
  }

  /** Delivers one advert seen by the board's own scanner (NRF.setScan). */
  deliverScan(dev: { id: string; rssi: number; data: Uint8Array; manufacturer?: number; manufacturerData?: Uint8Array; serviceData?: Record<string, Uint8Array>; name?: string }): void {
    if (!this.scanCallback || !this.context) return;
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

  // ---- firmware-facing plumbing, used by profiles --------------------------------------------

  /** Calls firmware code the way Espruino's idle loop does: an exception is reported, not fatal. */
  safeCall(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.recordError(e);
    }
  }

  recordError(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    this.errors.push(err);
    this.consoleLines.push(`Uncaught ${err.message}`);
    this.emit('error', err);
  }

  /** Runs listeners registered with `<obj>.on(event, fn)` inside the firmware. */
  fire(obj: string, event: string, ...args: unknown[]): void {
    for (const fn of [...(this.fwListeners.get(`${obj}.${event}`) ?? [])]) this.safeCall(() => fn(...args));
  }

  hasListener(obj: string, event: string): boolean {
    return (this.fwListeners.get(`${obj}.${event}`)?.length ?? 0) > 0;
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

  private setAdvertOnAir(advert: BuiltAdvert | undefined): void {
    this.advert = advert;
    this.emit('advertising', advert);
  }

  private installCommon(g: Record<string, unknown>, realm: { ArrayBuffer: ArrayBufferConstructor }): void {
    const clock = this.clock;
    const setTimer = (fn: unknown, ms: unknown, repeat: boolean, args: unknown[]): number => {
      if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
      const id = this.nextTimerId++;
      const period = Math.max(0, Number(ms) || 0);
      const arm = (): void => {
        this.timers.set(id, clock.setTimeout(() => {
          if (repeat) arm();
          else this.timers.delete(id);
          this.safeCall(() => (fn as (...a: unknown[]) => void)(...args));
        }, period));
      };
      arm();
      this.hw['timer:' + id] = { period, repeat, fn, args };
      return id;
    };
    const clearTimer = (...a: unknown[]): void => {
      if (a.length === 0) {
        for (const t of this.timers.values()) clock.clearTimeout(t);
        this.timers.clear();
        return;
      }
      const id = a[0];
      if (typeof id !== 'number') return;
      clock.clearTimeout(this.timers.get(id));
      this.timers.delete(id);
    };
    g['setTimeout'] = (fn: unknown, ms: unknown, ...args: unknown[]) => setTimer(fn, ms, false, args);
    g['setInterval'] = (fn: unknown, ms: unknown, ...args: unknown[]) => setTimer(fn, ms, true, args);
    g['clearTimeout'] = clearTimer;
    g['clearInterval'] = clearTimer;
    g['changeInterval'] = (id: number, ms: number) => {
      const t = this.hw['timer:' + id] as { period: number; repeat: boolean; fn: unknown; args: unknown[] } | undefined;
      if (!t || !this.timers.has(id)) throw new Error("Can't find Interval");
      clock.clearTimeout(this.timers.get(id));
      t.period = ms;
      const arm = (): void => {
        this.timers.set(id, clock.setTimeout(() => {
          if (t.repeat) arm();
          else this.timers.delete(id);
          this.safeCall(() => (t.fn as (...a: unknown[]) => void)(...t.args));
        }, ms));
      };
      arm();
    };
    g['getTime'] = () => clock.now() / 1000;
    const BaseDate = vm.runInContext('Date', this.context!) as DateConstructor;
    const VDate = function (this: unknown, ...args: unknown[]) {
      return args.length === 0 ? new BaseDate(clock.now()) : new (BaseDate as unknown as new (...x: unknown[]) => Date)(...args);
    } as unknown as DateConstructor;
    Object.setPrototypeOf(VDate, BaseDate);
    (VDate as unknown as { prototype: unknown }).prototype = BaseDate.prototype;
    (VDate as unknown as { now: () => number }).now = () => clock.now();
    g['Date'] = VDate;

    const log = (...a: unknown[]): void => {
      const line = a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
      this.consoleLines.push(line);
      this.emit('console', line);
    };
    g['console'] = { log };
    g['print'] = log;

    g['setWatch'] = (fn: unknown, pin: unknown, opts?: { repeat?: boolean; edge?: string | number; debounce?: number }) => {
      if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
      const pinName = pinNameOf(pin);
      const edgeRaw = opts?.edge ?? (this.profile.buttons.includes(pinName) ? 'rising' : 'both');
      const edge = edgeRaw === 1 || edgeRaw === 'rising' ? 'rising' : edgeRaw === -1 || edgeRaw === 'falling' ? 'falling' : 'both';
      const debounceMs = opts?.debounce ?? (this.profile.buttons.includes(pinName) ? 25 : 0);
      const id = this.nextWatchId++;
      this.watches.push({ id, fn: fn as WatchEntry['fn'], pin: pinName, repeat: opts?.repeat ?? false, edge, debounceMs, lastTime: undefined });
      return id;
    };
    g['clearWatch'] = (...a: unknown[]) => {
      if (a.length === 0) this.watches = [];
      else this.watches = this.watches.filter((w) => w.id !== a[0]);
    };
    const pinObj = (name: string) => ({
      __pin: name,
      set: () => this.setPin(name, 1),
      reset: () => this.setPin(name, 0),
      write: (v: unknown) => this.setPin(name, v ? 1 : 0),
      read: () => this.pins.get(name) ?? 0,
      toString: () => name,
    });
    for (const p of [...this.profile.buttons, ...this.profile.leds]) g[p] = pinObj(p);
    if (this.profile.buttons.length > 0) g['BTN'] = g[this.profile.buttons[0]!];
    g['digitalWrite'] = (pin: unknown, v: unknown) => {
      if (Array.isArray(pin)) pin.forEach((p, i) => this.setPin(pinNameOf(p), (Number(v) >> (pin.length - 1 - i)) & 1));
      else this.setPin(pinNameOf(pin), v ? 1 : 0);
    };
    g['digitalRead'] = (pin: unknown) => this.pins.get(pinNameOf(pin)) ?? 0;
    // Espruino queues a pulse behind one still running on the same pin.
    const pulseBusyUntil = new Map<string, number>();
    g['digitalPulse'] = (pin: unknown, value: unknown, time: unknown) => {
      const name = pinNameOf(pin);
      const times = Array.isArray(time) ? time.map(Number) : [Number(time)];
      const now = this.clock.now();
      const start = Math.max(now, pulseBusyUntil.get(name) ?? now);
      let level = value ? 1 : 0;
      let at = start - now;
      const first = level;
      if (at === 0) this.setPin(name, first);
      else this.clock.setTimeout(() => this.setPin(name, first), at);
      for (const t of times) {
        at += t;
        level = level ? 0 : 1;
        const lv = level;
        this.clock.setTimeout(() => this.setPin(name, lv), at);
      }
      pulseBusyUntil.set(name, now + at);
    };
    g['analogWrite'] = (pin: unknown, v: unknown) => this.setPin(pinNameOf(pin), Number(v) > 0 ? 1 : 0);
    g['pinMode'] = () => undefined;

    const { module: cryptoModule, globalAES } = createCryptoModule(this.profile.crypto, realm);
    if (globalAES) g['AES'] = globalAES;
    const storage = createStorageModule(this.flash, realm.ArrayBuffer);
    g['require'] = (name: string) => {
      if (name === 'Storage') return storage;
      if (name === 'crypto') return cryptoModule;
      const extra = this.profile.modules?.[name];
      if (extra) return extra(this);
      throw new Error(`Module ${name} not found`);
    };

    g['E'] = {
      ...this.eventMethods('E'),
      getBattery: () => this.battery(),
      hwRand: () => Math.floor(this.random() * 0x100000000) | 0,
      getTemperature: () => 25,
      enableWatchdog: () => undefined,
      kickWatchdog: () => undefined,
      setFlags: () => undefined,
      reboot: () => this.clock.setTimeout(() => this.reboot(), 0),
      getSizeOf: (v: unknown) => estimateSize(v),
    };

    g['NRF'] = {
      ...this.eventMethods('NRF'),
      setAdvertising: (data: unknown, options?: AdvertOptions) => {
        const built = buildAdvert(data, options, this.profile.defaultName(this.address), this.profile.advertNameRule);
        if (this.connected && !options?.whenConnected) this.pausedAdvert = built;
        else this.setAdvertOnAir(built);
      },
      sleep: () => this.setAdvertOnAir(undefined),
      wake: () => undefined,
      setScan: (cb?: (dev: unknown) => void) => {
        this.scanCallback = typeof cb === 'function' ? cb : undefined;
        this.emit('scan', this.scanCallback !== undefined);
      },
      setServices: (services: Record<string, Record<string, { value?: unknown; writable?: boolean; onWrite?: (evt: { data: ArrayBuffer }) => void }>>) => {
        this.services.clear();
        for (const [svc, chars] of Object.entries(services ?? {})) {
          const m = new Map<string, GattCharacteristic>();
          for (const [ch, def] of Object.entries(chars)) {
            const entry: GattCharacteristic = { value: def.value === undefined ? new Uint8Array() : toBytes(def.value), writable: def.writable === true };
            if (def.onWrite) entry.onWrite = def.onWrite;
            m.set(normUuid(ch), entry);
          }
          this.services.set(normUuid(svc), m);
        }
      },
      getAddress: () => this.address,
      setTxPower: () => undefined,
      disconnect: () => undefined,
      getBattery: () => 2.2 + (0.6 * this.battery()) / 100,
    };

    g['process'] = {
      env: { VERSION: '2v29', BOARD: this.profile.boardId },
      memory: () => ({ total: this.profile.jsVars, free: this.profile.jsVars, usage: 0 }),
    };
  }
}

export function normUuid(u: string): string {
  return u.toLowerCase().replace(/-/g, '');
}

function pinNameOf(pin: unknown): string {
  if (pin && typeof pin === 'object' && '__pin' in pin) return String((pin as { __pin: string }).__pin);
  return String(pin);
}

/** Rough JsVar count of a value, for E.getSizeOf. */
function estimateSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return 1 + Math.ceil(v.length / 12);
  if (ArrayBuffer.isView(v)) return 2 + Math.ceil((v).byteLength / 12);
  if (typeof v === 'function') return 2 + Math.ceil(String(v).length / 12);
  if (typeof v === 'object') return 1 + Object.values(v).reduce((n: number, x) => n + 1 + estimateSize(x), 0);
  return 1;
}
