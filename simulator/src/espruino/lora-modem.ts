/**
 * The LoRa modems of the `lora` board, wired to Serial1 (D28/D29), answering the firmware like the
 * real ones in P2P mode:
 * - Microchip RN2483 (57600 baud; DS40001784 "radio" commands): `mac pause` before any radio
 *   command (else `busy`), `radio set|get …` → ok | invalid_param, `radio tx <hex>` → ok … radio_tx_ok,
 *   `radio rx 0` → ok … `radio_rx  <hex>` or radio_err when the `radio set wdt` watchdog expires,
 *   `radio rxstop`, `sys get ver`, `sys reset`.
 * - RAK3172 with RUI3 (115200 baud; RUI3 AT command manual): powers up in LoRaWAN mode (NWM=1);
 *   `AT+NWM=0` switches to P2P and restarts the module; `AT+P2P=freq:sf:bw:cr:preamble:power`,
 *   `AT+PSEND=<hex>` → OK … +EVT:TXP2P DONE, `AT+PRECV=<ms>` → OK … +EVT:RXP2P:<rssi>:<snr>:<hex>
 *   or +EVT:RXP2P RECEIVE TIMEOUT (65534 = continuous, 65535 = until one packet, 0 = stop).
 * Transmissions take their real time on air (Semtech's formula) and reach the virtual air's LoRa
 * radios with the same frequency, spreading factor and bandwidth.
 */
import type { VirtualBoard } from './board';
import { loraAirtimeMs as protocolAirtimeMs } from '../../../protocol/src';

export interface LoraParams {
  freqHz: number;
  sf: number;
  bwKHz: number;
  /** Coding rate denominator: 5 = 4/5 … 8 = 4/8. */
  cr: number;
  preamble: number;
  powerDbm: number;
}

/** Time on air of a LoRa packet (Semtech AN1200.13): explicit header, CRC on, LDRO at SF11/12 on 125 kHz. */
export function loraAirtimeMs(p: Pick<LoraParams, 'sf' | 'bwKHz' | 'cr' | 'preamble'>, payloadBytes: number): number {
  return protocolAirtimeMs(payloadBytes, { spreadingFactor: p.sf, bandwidthHz: p.bwKHz * 1000, codingRate: p.cr, preambleSymbols: p.preamble });
}

/** What the air gives a modem: a way to transmit. Set by VirtualAir.attachBoard. */
export interface LoraLink {
  transmit(bytes: Uint8Array, params: LoraParams): void;
}

const RN_VERSION = 'RN2483 1.0.5 Oct 31 2018 15:06:52';
const HEX = /^([0-9a-fA-F]{2})+$/;

function fromHex(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
}

export class LoraModem {
  readonly baud: number;
  link: LoraLink | undefined;
  params: LoraParams = { freqHz: 868_100_000, sf: 12, bwKHz: 125, cr: 5, preamble: 8, powerDbm: 1 };
  /** Commands received, for tests. */
  readonly log: string[] = [];
  state: 'idle' | 'tx' | 'rx' | 'restarting' = 'idle';
  macPaused = false;
  p2p = false;
  hostBaud = 0;
  wdtMs = 15_000;
  private rxUntilOne = false;
  private timer: number | undefined;
  private inbox = '';

  constructor(
    private readonly board: VirtualBoard,
    readonly kind: 'rn2483' | 'rak3172',
  ) {
    this.baud = kind === 'rn2483' ? 57_600 : 115_200;
    if (kind === 'rak3172') this.params = { freqHz: 868_000_000, sf: 7, bwKHz: 125, cr: 5, preamble: 8, powerDbm: 14 };
  }

  reset(): void {
    this.board.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Bytes the firmware wrote to Serial1. */
  fromHost(data: string): void {
    if (this.hostBaud !== this.baud) return; // a wrong baud rate is noise to the modem
    this.inbox += data;
    for (let i = this.inbox.indexOf('\r\n'); i >= 0; i = this.inbox.indexOf('\r\n')) {
      const line = this.inbox.slice(0, i);
      this.inbox = this.inbox.slice(i + 2);
      if (this.state === 'restarting') continue;
      this.log.push(line);
      if (this.kind === 'rn2483') this.rn(line.trim());
      else this.rak(line.trim());
    }
  }

  /** A packet on air reaching this modem's antenna. */
  receive(bytes: Uint8Array, rssiDbm: number, snrDb: number): void {
    if (this.state !== 'rx') return;
    if (this.kind === 'rn2483') {
      this.endRx();
      this.say(`radio_rx  ${toHex(bytes)}`);
    } else {
      if (this.rxUntilOne) this.endRx();
      this.say(`+EVT:RXP2P:${Math.round(rssiDbm)}:${Math.round(snrDb)}:${toHex(bytes)}`);
    }
  }

  private say(line: string, delayMs = 3): void {
    this.board.clock.setTimeout(() => {
      this.board.emit('serial', line);
      this.board.fire('Serial1', 'data', line + '\r\n');
    }, delayMs);
  }

  private endRx(): void {
    this.board.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'idle';
  }

  private transmit(hex: string, done: string): void {
    const bytes = fromHex(hex);
    const ms = loraAirtimeMs(this.params, bytes.length);
    this.state = 'tx';
    this.link?.transmit(bytes, { ...this.params });
    this.timer = this.board.clock.setTimeout(() => {
      this.state = 'idle';
      this.say(done, 0);
    }, ms);
  }

  private listen(ms: number, timeoutLine: string): void {
    this.state = 'rx';
    if (ms > 0) this.timer = this.board.clock.setTimeout(() => {
      this.state = 'idle';
      this.say(timeoutLine, 0);
    }, ms);
  }

  private rn(line: string): void {
    const w = line.split(' ');
    const set = (ok: boolean, apply: () => void): void => {
      if (ok) apply();
      this.say(ok ? 'ok' : 'invalid_param');
    };
    if (line === 'sys get ver') return this.say(RN_VERSION);
    if (line === 'sys reset') {
      this.reset();
      this.state = 'idle';
      this.macPaused = false;
      return this.say(RN_VERSION, 100);
    }
    if (line === 'mac pause') {
      this.macPaused = true;
      return this.say('4294967245');
    }
    if (line === 'mac resume') {
      this.macPaused = false;
      return this.say('ok');
    }
    if (w[0] !== 'radio') return this.say('invalid_param');
    if (w[1] === 'rxstop') {
      this.endRx();
      return this.say('ok');
    }
    if ((w[1] === 'tx' || w[1] === 'rx') && (!this.macPaused || this.state !== 'idle')) return this.say('busy');
    if (w[1] === 'tx') {
      if (w.length !== 3 || !HEX.test(w[2]!) || w[2]!.length > 510) return this.say('invalid_param');
      this.say('ok');
      return this.transmit(w[2]!, 'radio_tx_ok');
    }
    if (w[1] === 'rx') {
      const n = Number(w[2]);
      if (w.length !== 3 || !Number.isInteger(n) || n < 0 || n > 65535) return this.say('invalid_param');
      this.say('ok');
      const symMs = 2 ** this.params.sf / this.params.bwKHz;
      return this.listen(n === 0 ? this.wdtMs : n * symMs, 'radio_err');
    }
    if (w[1] === 'get') {
      const v: Record<string, string> = { freq: String(this.params.freqHz), sf: `sf${this.params.sf}`, bw: String(this.params.bwKHz), cr: `4/${this.params.cr}`, pwr: String(this.params.powerDbm), wdt: String(this.wdtMs), prlen: String(this.params.preamble), mod: 'lora' };
      return this.say(v[w[2] ?? ''] ?? 'invalid_param');
    }
    if (w[1] !== 'set' || w.length !== 4) return this.say('invalid_param');
    const v = w[3]!;
    const n = Number(v);
    switch (w[2] ?? '') {
      case 'mod': return set(v === 'lora' || v === 'fsk', () => undefined);
      case 'freq': return set((n >= 433_050_000 && n <= 434_790_000) || (n >= 863_000_000 && n <= 870_000_000), () => (this.params.freqHz = n));
      case 'sf': return set(/^sf(7|8|9|10|11|12)$/.test(v), () => (this.params.sf = Number(v.slice(2))));
      case 'bw': return set([125, 250, 500].includes(n), () => (this.params.bwKHz = n));
      case 'cr': return set(/^4\/[5-8]$/.test(v), () => (this.params.cr = Number(v[2])));
      case 'pwr': return set(Number.isInteger(n) && n >= -3 && n <= 15, () => (this.params.powerDbm = n));
      case 'wdt': return set(Number.isInteger(n) && n >= 0, () => (this.wdtMs = n));
      case 'prlen': return set(Number.isInteger(n) && n >= 0 && n <= 65535, () => (this.params.preamble = n));
      case 'crc': case 'iqi': return set(v === 'on' || v === 'off', () => undefined);
      case 'sync': return set(/^[0-9a-fA-F]{1,2}$/.test(v), () => undefined);
      default: return this.say('invalid_param');
    }
  }

  private rak(line: string): void {
    const [cmd, arg] = line.split('=') as [string, string | undefined];
    const ok = (): void => this.say('OK');
    const param = (): void => this.say('AT_PARAM_ERROR');
    if (cmd === 'AT') return ok();
    if (cmd === 'ATZ') return this.restart(() => undefined);
    if (cmd === 'AT+NWM') {
      if (arg === '?') {
        this.say(`AT+NWM=${this.p2p ? 0 : 1}`);
        return ok();
      }
      if (arg !== '0' && arg !== '1') return param();
      const p2p = arg === '0';
      ok();
      if (p2p !== this.p2p) this.restart(() => (this.p2p = p2p));
      return;
    }
    if (cmd === 'AT+LPM') return arg === '0' || arg === '1' ? ok() : param();
    if (!cmd.startsWith('AT+P')) return this.say('AT_ERROR');
    if (!this.p2p) return this.say('AT_MODE_NO_SUPPORT');
    const n = Number(arg);
    const p = this.params;
    const check = (valid: boolean, apply: () => void): void => {
      if (!valid) return param();
      apply();
      ok();
    };
    switch (cmd) {
      case 'AT+P2P': {
        const v = (arg ?? '').split(':').map(Number);
        const [f, sf, bw, cr, pl, pw] = v as [number, number, number, number, number, number];
        return check(v.length === 6 && f >= 150e6 && f <= 960e6 && sf >= 5 && sf <= 12 && [125, 250, 500].includes(bw) && cr >= 0 && cr <= 3 && pl >= 5 && pl <= 65535 && pw >= 5 && pw <= 22,
          () => (this.params = { freqHz: f, sf, bwKHz: bw, cr: cr + 5, preamble: pl, powerDbm: pw }));
      }
      case 'AT+PFREQ': return check(n >= 150e6 && n <= 960e6, () => (p.freqHz = n));
      case 'AT+PSF': return check(n >= 5 && n <= 12, () => (p.sf = n));
      case 'AT+PBW': return check([125, 250, 500].includes(n), () => (p.bwKHz = n));
      case 'AT+PCR': return check(n >= 0 && n <= 3, () => (p.cr = n + 5));
      case 'AT+PPL': return check(n >= 5 && n <= 65535, () => (p.preamble = n));
      case 'AT+PTP': return check(n >= 5 && n <= 22, () => (p.powerDbm = n));
      case 'AT+PSEND':
        if (this.state === 'tx') return this.say('AT_BUSY_ERROR');
        if (!arg || !HEX.test(arg) || arg.length > 510) return param();
        this.endRx();
        ok();
        return this.transmit(arg, '+EVT:TXP2P DONE');
      case 'AT+PRECV':
        if (!Number.isInteger(n) || n < 0 || n > 65535) return param();
        if (this.state === 'tx') return this.say('AT_BUSY_ERROR');
        this.endRx();
        ok();
        if (n === 0) return;
        this.rxUntilOne = n === 65535;
        return this.listen(n >= 65534 ? 0 : n, '+EVT:RXP2P RECEIVE TIMEOUT');
      default:
        return this.say('AT_ERROR');
    }
  }

  private restart(then: () => void): void {
    this.reset();
    this.state = 'restarting';
    this.timer = this.board.clock.setTimeout(() => {
      this.state = 'idle';
      then();
      this.say(`Current Work Mode: ${this.p2p ? 'LoRa P2P' : 'LoRaWAN'}.`, 0);
    }, 800);
  }
}

/** Serial1 on a Puck.js (D28 RX, D29 TX), with the LoRa modem on the other end when the board has one. */
export function installSerial1(board: VirtualBoard, g: Record<string, unknown>, modem: LoraModem | undefined): void {
  g['Serial1'] = {
    ...board.eventMethods('Serial1'),
    setup: (baud?: number, opts?: { rx?: unknown; tx?: unknown }) => {
      if (baud !== undefined && !(Number(baud) > 0)) throw new Error(`Invalid baud rate ${String(baud)}`);
      const pin = (p: unknown): string => String((p as { __pin?: string } | undefined)?.__pin ?? p);
      board.hw['serial1'] = { baud: baud ?? 9600, rx: pin(opts?.rx), tx: pin(opts?.tx) };
      if (modem) modem.hostBaud = opts && pin(opts.rx) === 'D28' && pin(opts.tx) === 'D29' ? (baud ?? 9600) : 0;
    },
    // a number is one character code, an array its elements (Espruino's Serial.write)
    write: (data: unknown) => modem?.fromHost(typeof data === 'number' ? String.fromCharCode(data & 255) : Array.isArray(data) ? data.map((c) => (typeof c === 'number' ? String.fromCharCode(c & 255) : String(c))).join('') : String(data)),
    print: (data: unknown) => modem?.fromHost(String(data)),
    println: (data: unknown) => modem?.fromHost(String(data) + '\r\n'),
  };
}
