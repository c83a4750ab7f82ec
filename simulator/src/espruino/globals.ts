/**
 * The globals every Espruino board has (ESPRUINO.md §2, §4): timers on the injected clock, getTime,
 * setWatch with debounce, pins and digitalPulse queueing, require("Storage") and require("crypto")
 * with their native costs charged to the CPU model, E, NRF (advertising builder with rotation,
 * sleep/wake, scan filters, GATT services) and process.
 */
import vm from 'node:vm';
import type { VirtualBoard, GattCharacteristic, WatchEntry } from './board';
import { normUuid } from './board';
import { type AdvertOptions, buildAdvert, type BuiltAdvert } from './advert';
import { createCryptoModule } from './crypto';
import { createStorageModule, toBytes } from './storage';

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

function installTimers(board: VirtualBoard, g: Record<string, unknown>): void {
  const clock = board.clock;
  let nextTimerId = 1;
  const arm = (id: number, t: { period: number; repeat: boolean; fn: Fn; args: unknown[] }): void => {
    board.timers.set(id, clock.setTimeout(() => {
      if (t.repeat) arm(id, t);
      else board.timers.delete(id);
      board.safeCall(() => t.fn(...t.args));
    }, t.period));
  };
  const setTimer = (fn: unknown, ms: unknown, repeat: boolean, args: unknown[]): number => {
    if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
    const id = nextTimerId++;
    const t = { period: Math.max(0, Number(ms) || 0), repeat, fn: fn as Fn, args };
    board.hw['timer:' + id] = t;
    arm(id, t);
    return id;
  };
  const clearTimer = (...a: unknown[]): void => {
    if (a.length === 0) {
      for (const t of board.timers.values()) clock.clearTimeout(t);
      board.timers.clear();
      return;
    }
    if (typeof a[0] !== 'number') return;
    clock.clearTimeout(board.timers.get(a[0]));
    board.timers.delete(a[0]);
  };
  g['setTimeout'] = (fn: unknown, ms: unknown, ...args: unknown[]) => setTimer(fn, ms, false, args);
  g['setInterval'] = (fn: unknown, ms: unknown, ...args: unknown[]) => setTimer(fn, ms, true, args);
  g['clearTimeout'] = clearTimer;
  g['clearInterval'] = clearTimer;
  g['changeInterval'] = (id: number, ms: number) => {
    const t = board.hw['timer:' + id] as { period: number; repeat: boolean; fn: Fn; args: unknown[] } | undefined;
    if (!t || !board.timers.has(id)) throw new Error("Can't find Interval");
    clock.clearTimeout(board.timers.get(id));
    t.period = ms;
    arm(id, t);
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

function installPins(board: VirtualBoard, g: Record<string, unknown>): void {
  let nextWatchId = 1;
  const profile = board.profile;
  g['setWatch'] = (fn: unknown, pin: unknown, opts?: { repeat?: boolean; edge?: string | number; debounce?: number }) => {
    if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
    const pinName = pinNameOf(pin);
    const edgeRaw = opts?.edge ?? (profile.buttons.includes(pinName) ? 'rising' : 'both');
    const edge = edgeRaw === 1 || edgeRaw === 'rising' ? 'rising' : edgeRaw === -1 || edgeRaw === 'falling' ? 'falling' : 'both';
    const debounceMs = opts?.debounce ?? (profile.buttons.includes(pinName) ? 25 : 0);
    const id = nextWatchId++;
    board.watches.push({ id, fn: fn as WatchEntry['fn'], pin: pinName, repeat: opts?.repeat ?? false, edge, debounceMs, lastTime: undefined });
    return id;
  };
  g['clearWatch'] = (...a: unknown[]) => {
    if (a.length === 0) board.watches = [];
    else board.watches = board.watches.filter((w) => w.id !== a[0]);
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
  g['digitalPulse'] = (pin: unknown, value: unknown, time: unknown) => {
    const name = pinNameOf(pin);
    const times = Array.isArray(time) || ArrayBuffer.isView(time) ? Array.from(time as ArrayLike<number>, Number) : [Number(time)];
    const now = board.clock.now();
    const start = Math.max(now, pulseBusyUntil.get(name) ?? now);
    let level = value ? 1 : 0;
    let at = start - now;
    const first = level;
    if (at === 0) board.setPin(name, first);
    else board.clock.setTimeout(() => board.setPin(name, first), at);
    for (const t of times) {
      at += t;
      level = level ? 0 : 1;
      const lv = level;
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
  const chargeAes = (api: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(api).map(([k, fn]) => [k, (...a: unknown[]) => {
      board.charge(cost.aesCallMs + cost.aesBlockMs * Math.ceil(toBytes(a[0]).length / 16));
      return (fn as Fn)(...a);
    }]));
  if (cryptoModule['AES']) cryptoModule['AES'] = chargeAes(cryptoModule['AES'] as Record<string, unknown>);
  if (globalAES) g['AES'] = chargeAes(globalAES);
  const storage = createStorageModule(board.flash, realm.ArrayBuffer);
  const write = storage['write'] as Fn;
  storage['write'] = (name: unknown, data: unknown, offset?: unknown, size?: unknown) => {
    board.charge(cost.flashByteMs * toBytes(data).length);
    return write(name, data, offset, size);
  };
  storage['writeJSON'] = (name: unknown, value: unknown) => (storage['write'] as Fn)(name, JSON.stringify(value));
  // parsed in the firmware's realm, as the objects the firmware gets are its own
  const fwJSON = vm.runInContext('JSON', board.context!) as JSON;
  storage['readJSON'] = (name: unknown, noExceptions?: boolean): unknown => {
    const text = (storage['read'] as Fn)(name) as string | undefined;
    if (text === undefined) return undefined;
    try {
      return fwJSON.parse(text);
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
    const line = a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
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
