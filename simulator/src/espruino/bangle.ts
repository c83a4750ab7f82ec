/**
 * Bangle.js 2 as the firmware sees it (ESPRUINO.md §1): the KX023 read by polling
 * (setPollInterval 10–4000 ms, effective rate = min(ODR, 1000/poll)), reported in g as raw/8192
 * whatever the range; taps from the KX023 tap engine (`tap` {dir, double, x, y, z}) when CNTL1 has
 * the tap engine on; the buzzer; the screen (every drawing is a `draw` event); E.showMenu; GPS
 * (`GPS` events every second once powered, a fix after the time to first fix); and the BTN1 hold
 * that reloads the app after btnLoadTimeout (1.5 s by default).
 */
import type { VirtualBoard } from './board';

const KX_ODR: Record<number, number> = { 0: 12.5, 1: 25, 2: 50, 3: 100, 4: 200, 5: 400, 6: 800, 7: 1600 };
const KX_GSEL: Record<number, number> = { 0: 2, 1: 4, 2: 8, 3: 8 };

export interface BangleState {
  regs: Uint8Array;
  pollMs: number;
  last: { x: number; y: number; z: number };
  options: Record<string, unknown>;
  gpsApps: Set<string>;
  gpsTimer: number | undefined;
  /** Host-set position the GPS will report once it has a fix; undefined = no sky view. */
  gpsFix: { lat: number; lon: number } | undefined;
  gpsTtffMs: number;
  gpsOnSinceMs: number;
  menu: Record<string, unknown> | undefined;
}

export function bangleState(board: VirtualBoard): BangleState {
  let s = board.hw['bangle'] as BangleState | undefined;
  if (!s) {
    s = {
      regs: new Uint8Array(128), pollMs: 80, last: { x: 0, y: 0, z: -1 }, options: {}, gpsApps: new Set(), gpsTimer: undefined,
      gpsFix: undefined, gpsTtffMs: 30_000, gpsOnSinceMs: 0, menu: undefined,
    };
    board.hw['bangle'] = s;
  }
  return s;
}

export function bangleRateHz(board: VirtualBoard): number {
  const s = bangleState(board);
  if (!(s.regs[0x18]! & 0x80)) return 0; // stand-by
  return Math.min(KX_ODR[s.regs[0x1b]! & 0x0f] ?? 12.5, 1000 / s.pollMs);
}

function clip16(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}

function gpsEvent(board: VirtualBoard, s: BangleState): void {
  const fixed = s.gpsFix !== undefined && board.clock.now() - s.gpsOnSinceMs >= s.gpsTtffMs;
  const e = fixed
    ? { lat: s.gpsFix!.lat, lon: s.gpsFix!.lon, alt: 50, speed: 0, course: NaN, time: new Date(board.clock.now()), satellites: 7, fix: 1, hdop: 1.2 }
    : { lat: NaN, lon: NaN, alt: NaN, speed: NaN, course: NaN, time: undefined, satellites: 0, fix: 0, hdop: NaN };
  board.fire('Bangle', 'GPS', e);
  s.gpsTimer = board.clock.setTimeout(() => gpsEvent(board, s), 1000);
}

export function installBangle(board: VirtualBoard, g: Record<string, unknown>): void {
  const s = bangleState(board);
  s.regs[0x18] = 0b10101100; // operating, low power, DRDY, ±4 g, tap engine (firmware init)
  s.regs[0x1b] = 0; // 12.5 Hz
  s.pollMs = 80;
  s.options = { btnLoadTimeout: 1500, powerSave: true, wakeOnTwist: true, wakeOnDoubleTap: false };
  const draw = (op: string, text?: string): void => {
    board.emit('draw', { op, atMs: board.clock.now(), ...(text === undefined ? {} : { text }) });
  };
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
  gfx['stringWidth'] = (t: unknown) => String(t).length * 6;
  g['g'] = gfx;
  const P = board.evaluate('Promise') as PromiseConstructor;
  g['Bangle'] = {
    ...board.eventMethods('Bangle'),
    setPollInterval: (ms: number) => {
      if (!(ms >= 10 && ms <= 4000)) throw new Error('Invalid interval');
      s.pollMs = ms;
      s.options['powerSave'] = false;
    },
    accelWr: (reg: number, value: number) => {
      s.regs[reg & 0x7f] = value & 0xff;
    },
    accelRd: (reg: number, count?: number) => (count === undefined ? s.regs[reg & 0x7f] : s.regs.slice(reg & 0x7f, (reg & 0x7f) + count)),
    getAccel: () => {
      const { x, y, z } = s.last;
      return { x, y, z, diff: 0, mag: Math.sqrt(x * x + y * y + z * z) };
    },
    buzz: (ms?: number, strength?: number) => {
      const dur = Math.min(5000, ms ?? 200);
      board.emit('buzz', { ms: dur, strength: strength ?? 1, atMs: board.clock.now() });
      return new P((resolve) => board.clock.setTimeout(() => resolve(undefined), dur));
    },
    setOptions: (o: Record<string, unknown>) => Object.assign(s.options, o),
    getOptions: () => ({ ...s.options }),
    isCharging: () => board.hw['charging'] === true,
    setLCDPower: (on: unknown) => draw(on ? 'lcdOn' : 'lcdOff'),
    isLCDOn: () => true,
    setLocked: () => undefined,
    isLocked: () => true,
    setBacklight: (on: unknown) => draw(on ? 'backlightOn' : 'backlightOff'),
    setGPSPower: (on: unknown, appId?: unknown) => {
      const was = s.gpsApps.size > 0;
      const app = typeof appId === 'string' ? appId : '?';
      if (on) s.gpsApps.add(app);
      else s.gpsApps.delete(app);
      const now = s.gpsApps.size > 0;
      if (now && !was) {
        s.gpsOnSinceMs = board.clock.now();
        s.gpsTimer = board.clock.setTimeout(() => gpsEvent(board, s), 1000);
      } else if (!now && was) {
        board.clock.clearTimeout(s.gpsTimer);
        s.gpsTimer = undefined;
      }
      return now;
    },
    isGPSOn: () => s.gpsApps.size > 0,
    getHealthStatus: () => ({ movement: 0, steps: 0 }),
  };
  const E = g['E'] as Record<string, unknown>;
  E['showMessage'] = (text: unknown, title?: unknown) => {
    s.menu = undefined;
    draw('showMessage', typeof title === 'string' ? `${title}: ${String(text)}` : String(text));
  };
  E['showPrompt'] = (text: unknown) => {
    draw('showPrompt', String(text));
    return new P(() => undefined);
  };
  E['showMenu'] = (menu?: Record<string, unknown>) => {
    s.menu = menu;
    draw(menu ? 'showMenu' : 'clear');
  };
}

export function resetBangle(board: VirtualBoard): void {
  const s = board.hw['bangle'] as BangleState | undefined;
  if (s) board.clock.clearTimeout(s.gpsTimer);
}

/** Feeds one sample in g (watch axes) as the Bangle.js 2 poller would report it. */
export function feedBangleAccel(board: VirtualBoard, gx: number, gy: number, gz: number): boolean {
  const s = bangleState(board);
  if (!board.hasListener('Bangle', 'accel') || bangleRateHz(board) === 0) return false; // events only fire with a listener
  const countsPerG = 32768 / KX_GSEL[(s.regs[0x18]! >> 3) & 3]!;
  const rep = [gx, gy, gz].map((v) => clip16(v * countsPerG) / 8192); // the firmware always divides by 8192
  const prev = s.last;
  s.last = { x: rep[0]!, y: rep[1]!, z: rep[2]! };
  const diff = Math.sqrt((rep[0]! - prev.x) ** 2 + (rep[1]! - prev.y) ** 2 + (rep[2]! - prev.z) ** 2);
  const mag = Math.sqrt(rep[0]! ** 2 + rep[1]! ** 2 + rep[2]! ** 2);
  board.deliverSample(() => board.fire('Bangle', 'accel', { x: rep[0], y: rep[1], z: rep[2], diff, mag }));
  return true;
}

const TAP_AXES: Record<string, [string, number]> = { front: ['z', 1], back: ['z', -1], right: ['x', -1], left: ['x', 1], top: ['y', -1], bottom: ['y', 1] };

/** A tap (or double tap) on the watch, as the KX023 tap engine reports it. Returns whether it fired. */
export function tapBangle(board: VirtualBoard, opts: { dir?: string; double?: boolean } = {}): boolean {
  const s = bangleState(board);
  const cntl = s.regs[0x18]!;
  if (!(cntl & 0x80) || !(cntl & 0x04)) return false; // operating, tap engine on
  const dir = opts.dir ?? 'front';
  const [axis, sign] = TAP_AXES[dir] ?? ['z', 1];
  const n = (opts.double ? 2 : 1) * sign;
  if (opts.double && s.options['wakeOnDoubleTap']) board.emit('draw', { op: 'lcdOn', atMs: board.clock.now() });
  board.fire('Bangle', 'tap', { dir, double: opts.double === true, x: axis === 'x' ? n : 0, y: axis === 'y' ? n : 0, z: axis === 'z' ? n : 0 });
  return true;
}

/** Where the GPS will say the watch is (undefined: no fix), and its time to first fix. */
export function setGpsFix(board: VirtualBoard, fix: { lat: number; lon: number } | undefined, ttffMs = 30_000): void {
  const s = bangleState(board);
  s.gpsFix = fix;
  s.gpsTtffMs = ttffMs;
}

/** Picks a menu item shown with E.showMenu: calls it, or toggles a boolean item and calls onchange. */
export function menuSelect(board: VirtualBoard, label: string): boolean {
  const item = bangleState(board).menu?.[label];
  if (typeof item === 'function') {
    board.safeCall(() => (item as () => void)());
    return true;
  }
  if (item && typeof item === 'object' && 'onchange' in item) {
    const it = item as { value: unknown; onchange: (v: unknown) => void };
    it.value = !it.value;
    board.safeCall(() => it.onchange(it.value));
    return true;
  }
  return false;
}

export function bangleButton(board: VirtualBoard, pin: string, value: number): void {
  if (pin !== 'BTN1') return;
  const s = bangleState(board);
  const timeout = Number(s.options['btnLoadTimeout'] ?? 1500);
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
