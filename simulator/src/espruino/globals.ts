/**
 * The globals every Espruino board has (ESPRUINO.md §2, §4): timers on the injected clock, getTime,
 * setWatch with debounce, pins and digitalPulse queueing, require("Storage") and require("crypto")
 * with their native costs charged to the CPU model, E, NRF (advertising builder with rotation,
 * sleep/wake, scan filters, GATT services) and process.
 */
import vm from 'node:vm';
import type { VirtualBoard, GattCharacteristic, TimerEntry, WatchEntry } from './board';
import { type AdvertOptions, buildAdvert, type BuiltAdvert, normUuid } from './advert';
import { createCryptoModule } from './crypto';
import { realmMakers } from './realm';
import { createStorageModule, toBytes } from './storage';
import { formatNumber, parse, stringify } from './text';

type Realm = { ArrayBuffer: ArrayBufferConstructor };
type Fn = (...a: unknown[]) => unknown;

function pinNameOf(pin: unknown): string {
  if (pin && typeof pin === 'object' && '__pin' in pin) return String((pin as { __pin: string }).__pin);
  return String(pin);
}

/** Rough JsVar count of a value, for E.getSizeOf. */
function estimateSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return 1 + Math.ceil(v.length / 12);
  if (ArrayBuffer.isView(v)) return 2 + Math.ceil(v.byteLength / 12);
  if (typeof v === 'function') return 2 + Math.ceil(String(v).length / 12);
  if (typeof v === 'object') return 1 + Object.values(v).reduce((n: number, x) => n + 1 + estimateSize(x), 0);
  return 1;
}

const UTIL_TIMER_TASKS = 16;

/**
 * Espruino's timers (recorded: firmware/check/fixtures/probes/timers.puck.txt): one list in creation
 * order; a new timer's id is the last listed id + 1, or 1 when the list is empty, so the id of a timer
 * that finished or was cleared is given out again; a timeout stays listed while its callback runs and
 * leaves the list after it; clearTimeout(undefined) throws, clearTimeout() clears every timer,
 * clearTimeout of an id not listed does nothing; clearTimeout and clearInterval share the list.
 */
function installTimers(board: VirtualBoard, g: Record<string, unknown>): void {
  const clock = board.clock;
  const list = board.timers;
  const arm = (t: TimerEntry): void => {
    t.clockId = clock.setTimeout(() => {
      t.clockId = undefined;
      board.safeCall(() => t.fn(...t.args));
      if (list.get(t.id) !== t) return; // cleared by its own callback
      if (t.repeat) arm(t);
      else list.delete(t.id);
    }, t.periodMs);
  };
  const setTimer = (fn: unknown, ms: unknown, repeat: boolean, args: unknown[]): number => {
    if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
    let id = 1;
    for (const k of list.keys()) id = k + 1; // the last listed
    const t: TimerEntry = { id, periodMs: Math.max(0, Number(ms) || 0), repeat, fn: fn as Fn, args, clockId: undefined };
    list.set(id, t);
    arm(t);
    return id;
  };
  const clearTimer = (kind: 'Timeout' | 'Interval') => (...a: unknown[]): void => {
    if (a.length === 0) {
      for (const t of list.values()) clock.clearTimeout(t.clockId);
      list.clear();
      return;
    }
    if (a[0] === undefined) throw new Error(`clear${kind}(undefined) not allowed. Use clear${kind}() instead`);
    const t = list.get(Number(a[0]));
    if (!t || (typeof a[0] !== 'number' && typeof a[0] !== 'string')) return;
    clock.clearTimeout(t.clockId);
    list.delete(t.id);
  };
  g['setTimeout'] = (fn: unknown, ms: unknown, ...args: unknown[]) => setTimer(fn, ms, false, args);
  g['setInterval'] = (fn: unknown, ms: unknown, ...args: unknown[]) => setTimer(fn, ms, true, args);
  g['clearTimeout'] = clearTimer('Timeout');
  g['clearInterval'] = clearTimer('Interval');
  g['changeInterval'] = (id: unknown, ms: unknown) => {
    const t = list.get(Number(id));
    if (!t) throw new Error('Unknown Interval');
    clock.clearTimeout(t.clockId);
    t.periodMs = Math.max(0, Number(ms) || 0);
    arm(t);
  };
  g['getTime'] = () => clock.now() / 1000;
  const BaseDate = vm.runInContext('Date', board.context!) as DateConstructor;
  const VDate = function (this: unknown, ...args: unknown[]) {
    return args.length === 0 ? new BaseDate(clock.now()) : new (BaseDate as unknown as new (...x: unknown[]) => Date)(...args);
  } as unknown as DateConstructor;
  Object.setPrototypeOf(VDate, BaseDate);
  (VDate as unknown as { prototype: unknown }).prototype = BaseDate.prototype;
  (VDate as unknown as { now: () => number }).now = () => clock.now();
  g['Date'] = VDate;
}

/**
 * Watches are listed like timers (recorded: fixtures/probes/watch.puck.txt): id = the last listed + 1;
 * clearWatch(undefined) throws, clearWatch() clears all, clearWatch of an id not listed throws.
 */
function installPins(board: VirtualBoard, g: Record<string, unknown>): void {
  const profile = board.profile;
  g['setWatch'] = (fn: unknown, pin: unknown, opts?: { repeat?: boolean; edge?: string | number; debounce?: number }) => {
    if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
    const pinName = pinNameOf(pin);
    const edgeRaw = opts?.edge ?? (profile.buttons.includes(pinName) ? 'rising' : 'both');
    const edge = edgeRaw === 1 || edgeRaw === 'rising' ? 'rising' : edgeRaw === -1 || edgeRaw === 'falling' ? 'falling' : 'both';
    const debounceMs = opts?.debounce ?? (profile.buttons.includes(pinName) ? 25 : 0);
    const id = board.watches.length ? board.watches[board.watches.length - 1]!.id + 1 : 1;
    board.watches.push({ id, fn: fn as WatchEntry['fn'], pin: pinName, repeat: opts?.repeat ?? false, edge, debounceMs, lastTime: undefined });
    return id;
  };
  g['clearWatch'] = (...a: unknown[]) => {
    if (a.length === 0) return void (board.watches = []);
    if (a[0] === undefined) throw new Error('clearWatch(undefined) not allowed. Use clearWatch() instead');
    const id = Number(a[0]);
    if (!board.watches.some((w) => w.id === id)) throw new Error(`Unknown Watch ${typeof a[0] === "number" ? a[0] : JSON.stringify(a[0])}`);
    board.watches = board.watches.filter((w) => w.id !== id);
  };
  const pinObj = (name: string) => ({
    __pin: name,
    set: () => board.setPin(name, 1),
    reset: () => board.setPin(name, 0),
    write: (v: unknown) => board.setPin(name, v ? 1 : 0),
    read: () => board.pins.get(name) ?? 0,
    toString: () => name,
  });
  for (const p of [...profile.buttons, ...profile.leds, ...profile.pins]) g[p] = pinObj(p);
  if (profile.buttons.length > 0) g['BTN'] = g[profile.buttons[0]!];
  g['digitalWrite'] = (pin: unknown, v: unknown) => {
    if (Array.isArray(pin)) pin.forEach((p, i) => board.setPin(pinNameOf(p), (Number(v) >> (pin.length - 1 - i)) & 1));
    else board.setPin(pinNameOf(pin), v ? 1 : 0);
  };
  g['digitalRead'] = (pin: unknown) => board.pins.get(pinNameOf(pin)) ?? 0;
  // Espruino queues a pulse behind one still running on the same pin.
  const pulseBusyUntil = new Map<string, number>();
  let pending: number[] = []; // times of the edges queued in the utility timer
  g['digitalPulse'] = (pin: unknown, value: unknown, time: unknown) => {
    if (pin === undefined || pin === null) throw new Error('Invalid pin');
    const name = pinNameOf(pin);
    const times = Array.isArray(time) || ArrayBuffer.isView(time) ? Array.from(time as ArrayLike<number>, Number) : [Number(time)];
    if (times.some((t) => !(t >= 0))) throw new Error('Pulse Time is less than 0 or not a number');
    const now = board.clock.now();
    const start = Math.max(now, pulseBusyUntil.get(name) ?? now);
    let level = value ? 1 : 0;
    let at = start - now;
    const first = level;
    if (at === 0) board.setPin(name, first);
    else board.clock.setTimeout(() => board.setPin(name, first), at);
    // The utility timer holds UTIL_TIMER_TASKS edges; with the queue full, digitalPulse waits (busy)
    // until one has played (Espruino src/jstimer.c; 16 on a Puck.js and a Bangle.js 2).
    pending = pending.filter((t) => t > now);
    for (const t of times) {
      at += t;
      level = level ? 0 : 1;
      const lv = level;
      if (pending.length >= UTIL_TIMER_TASKS) {
        const freed = pending.shift()!;
        board.charge(Math.max(0, freed - now - board.chargedMs()));
        board.cpu.pulseWaits++;
      }
      pending.push(now + at);
      pending.sort((x, y) => x - y);
      board.clock.setTimeout(() => board.setPin(name, lv), at);
    }
    pulseBusyUntil.set(name, now + at);
  };
  g['analogWrite'] = (pin: unknown, v: unknown) => board.setPin(pinNameOf(pin), Number(v) > 0 ? 1 : 0);
  g['pinMode'] = () => undefined;
}

/** require("Storage") and require("crypto"), charging flash writes and AES calls to the CPU model. */
function installModules(board: VirtualBoard, g: Record<string, unknown>, realm: Realm): void {
  const cost = board.profile.cost;
  const { module: cryptoModule, globalAES } = createCryptoModule(board.profile.crypto, realm);
  // AES is a class in Espruino (typeof AES == "function") with static methods
  const chargeAes = (api: Record<string, unknown>): Record<string, unknown> =>
    Object.assign(function AES(): void {}, Object.fromEntries(Object.entries(api).map(([k, fn]) => [k, (...a: unknown[]) => {
      board.charge(cost.aesCallMs + cost.aesBlockMs * Math.ceil((a[0] === undefined ? 0 : toBytes(a[0]).length) / 16));
      return (fn as Fn)(...a);
    }])));
  if (globalAES) g['AES'] = chargeAes(globalAES);
  if (cryptoModule['AES']) cryptoModule['AES'] = g['AES'];
  const storage = createStorageModule(board.flash, realm.ArrayBuffer);
  const write = storage['write'] as Fn;
  storage['write'] = (name: unknown, data: unknown, offset?: unknown, size?: unknown) => {
    board.charge(cost.flashByteMs * toBytes(data).length);
    return write(name, data, offset, size);
  };
  storage['writeJSON'] = (name: unknown, value: unknown) => (storage['write'] as Fn)(name, stringify(value, true));
  // parsed in the firmware's realm, as the objects the firmware gets are its own
  const makers = realmMakers(vm.runInContext('({ Object: Object, Array: Array })', board.context!) as { Object: ObjectConstructor; Array: ArrayConstructor });
  storage['readJSON'] = (name: unknown, noExceptions?: boolean): unknown => {
    const text = (storage['read'] as Fn)(name) as string | undefined;
    if (text === undefined) return undefined;
    try {
      return parse(text, makers, true);
    } catch (e) {
      if (noExceptions) return undefined;
      throw e;
    }
  };
  const compact = storage['compact'] as Fn;
  storage['compact'] = () => {
    board.charge(cost.flashPageEraseMs * Math.ceil(board.flash.garbageBytes / 4096));
    return compact();
  };
  g['require'] = (name: string) => {
    board.modulesRequired.add(name);
    if (name === 'Storage') return storage;
    if (name === 'crypto') return cryptoModule;
    const extra = board.profile.modules?.[name];
    if (extra) return extra(board);
    throw new Error(`Module ${name} not found`);
  };
}

function installNrf(board: VirtualBoard, g: Record<string, unknown>): void {
  const profile = board.profile;
  let last: BuiltAdvert | undefined;
  const onAir = (a: BuiltAdvert): void => {
    last = a;
    if (board.bleAsleep) return; // kept for NRF.wake()
    if (board.connected) board.pausedAdvert = a;
    else board.setAdvertOnAir(a);
  };
  g['NRF'] = {
    ...board.eventMethods('NRF'),
    setAdvertising: (data: unknown, options?: AdvertOptions) => {
      const built = buildAdvert(data, options, profile.defaultName(board.address), profile.advertNameRule);
      if (board.connected && options?.whenConnected) board.setAdvertOnAir(built);
      else onAir(built);
    },
    // Advertising stops and connections drop; scanning still works (ESPRUINO.md §2).
    sleep: () => {
      last = board.advert ?? board.pausedAdvert ?? last;
      board.bleAsleep = true;
      board.setAdvertOnAir(undefined);
    },
    wake: () => {
      if (!board.bleAsleep) return;
      board.bleAsleep = false;
      board.setAdvertOnAir(last ?? buildAdvert({}, {}, profile.defaultName(board.address), 'truncate'));
    },
    setScan: (cb?: (dev: unknown) => void, opts?: { filters?: Record<string, unknown>[] }) => {
      board.scanCallback = typeof cb === 'function' ? cb : undefined;
      board.scanFilters = opts?.filters;
      board.emit('scan', board.scanCallback !== undefined);
    },
    setServices: (services: Record<string, Record<string, { value?: unknown; writable?: boolean; onWrite?: (evt: { data: ArrayBuffer }) => void }>>) => {
      board.services.clear();
      board.servicesObject = services;
      for (const [svc, chars] of Object.entries(services ?? {})) {
        const m = new Map<string, GattCharacteristic>();
        for (const [ch, def] of Object.entries(chars)) {
          const entry: GattCharacteristic = { value: def.value === undefined ? new Uint8Array() : toBytes(def.value), writable: def.writable === true };
          if (def.onWrite) entry.onWrite = def.onWrite;
          m.set(normUuid(ch), entry);
        }
        board.services.set(normUuid(svc), m);
      }
    },
    getAddress: () => board.address,
    setTxPower: (dbm: number) => {
      if (![-40, -20, -16, -12, -8, -4, 0, 4].includes(dbm)) throw new Error('Invalid TX power');
      board.hw['txPowerDbm'] = dbm;
    },
    disconnect: () => undefined,
    getBattery: () => 2.2 + (0.6 * board.battery()) / 100,
  };
}

export function installGlobals(board: VirtualBoard, g: Record<string, unknown>, realm: Realm): void {
  installTimers(board, g);
  installPins(board, g);
  installModules(board, g, realm);
  installNrf(board, g);
  const log = (...a: unknown[]): void => {
    const line = a.map((x) => (typeof x === 'string' ? x : typeof x === 'number' ? formatNumber(x) : x === undefined ? 'undefined' : stringify(x) ?? Function.prototype.toString.call(x))).join(' ');
    board.consoleLines.push(line);
    board.emit('console', line);
  };
  g['console'] = { log };
  g['print'] = log;
  g['E'] = {
    ...board.eventMethods('E'),
    getBattery: () => board.battery(),
    hwRand: () => Math.floor(board.random() * 0x100000000) | 0,
    getTemperature: () => 25,
    clip: (x: number, min: number, max: number) => Math.min(max, Math.max(min, Number(x))),
    sum: (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0),
    enableWatchdog: () => undefined,
    kickWatchdog: () => undefined,
    setFlags: () => undefined,
    reboot: () => board.clock.setTimeout(() => board.reboot(), 0),
    getSizeOf: (v: unknown) => estimateSize(v),
  };
  g['process'] = {
    env: { VERSION: '2v29', BOARD: board.profile.boardId },
    memory: () => ({ total: board.profile.jsVars, free: board.profile.jsVars, usage: 0 }),
  };
}
