/**
 * LoRa P2P transport: a serial modem (RN2483 or RAK3172) receiving pendant frames continuously.
 * Lifecycle: open the port, configure the modem, receive; when the port disappears (USB unplugged)
 * or the modem stops answering, close everything and try again with exponential backoff, reporting
 * `reconnecting` meanwhile. Downlinks go out only while the pendant listens: its receive window
 * opens right after each of its uplinks, so a downlink for a pendant heard a moment ago is sent at
 * once, and one for a pendant heard earlier is held until its next uplink (alarms repeat until
 * acknowledged, so it comes).
 */
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { type Clock, every, type TimerId } from '../../../../common/clock';
import { Counters } from '../../../../common/counters';
import type { Logger } from '../../../../common/log';
import { TransportError, type RadioTransport, type TransportEvents, type TransportStatus } from '../types';
import { LineParser } from './line-parser';
import { DEFAULT_RADIO, loraAirtimeMs, type ModemDriver, type ModemModel, type ModemPacket, type RadioSettings } from './modem';
import { Rak3172Driver } from './rak3172';
import { Rn2483Driver } from './rn2483';
import { openNodeSerialLink, type OpenSerialLink, type SerialLink } from './serial-link';

export interface LoraTransportOptions {
  id: string;
  path: string;
  modem: ModemModel;
  baudRate?: number;
  radio?: Partial<RadioSettings>;
  clock: Clock;
  log: Logger;
  /**
   * How long a pendant listens after each uplink (SPEC §4.4: 1 s after a status frame, 3 s after an
   * alarm; the type is encrypted, so the shorter one is the safe default). A downlink is sent at once
   * only if it ends inside this window.
   */
  rxWindowMs?: number;
  /** A downlink starts no sooner than this after the uplink (SPEC §4.4 gateway turnaround). */
  turnaroundMs?: number;
  /** How long a downlink waits for the pendant's next uplink. */
  downlinkHoldMs?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /**
   * How often the link is checked: the device node must still exist (a USB modem's node vanishes
   * when unplugged, even when the port itself reports nothing) and the modem must answer.
   */
  watchdogMs?: number;
  commandTimeoutMs?: number;
  /** The serial port seam (tests use real pseudo-terminals through the default). */
  openLink?: OpenSerialLink;
}

const DEFAULT_BAUD: Record<ModemModel, number> = { rn2483: 57600, rak3172: 115200 };
/** Pendants remembered at most for their receive windows; beyond, the longest unheard are forgotten first. */
const MAX_HEARD = 4096;

interface HeldDownlink {
  payload: Uint8Array;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: TimerId;
}

export class LoraTransport extends EventEmitter<TransportEvents> implements RadioTransport {
  readonly id: string;
  readonly kind = 'lora' as const;
  readonly counters = new Counters();
  readonly radio: RadioSettings;
  private state: TransportStatus = { state: 'stopped' };
  private link: SerialLink | undefined;
  private driver: ModemDriver | undefined;
  private parser: LineParser | undefined;
  private retryTimer: TimerId | undefined;
  private stopWatchdog: (() => void) | undefined;
  private deviceIno: number | undefined;
  private backoffMs: number;
  private wanted = false;
  private everRan = false;
  private readonly lastHeard = new Map<string, number>();
  private readonly held = new Map<string, HeldDownlink>();
  private readonly rxWindowMs: number;
  private readonly turnaroundMs: number;
  private readonly holdMs: number;

  constructor(private readonly opts: LoraTransportOptions) {
    super();
    this.id = opts.id;
    this.radio = { ...DEFAULT_RADIO, ...opts.radio };
    this.backoffMs = opts.reconnectInitialMs ?? 1000;
    this.rxWindowMs = opts.rxWindowMs ?? 1000;
    this.turnaroundMs = opts.turnaroundMs ?? 50;
    this.holdMs = opts.downlinkHoldMs ?? 120_000;
  }

  async start(): Promise<void> {
    if (this.wanted) return;
    this.wanted = true;
    this.setState({ state: 'starting', detail: `${this.opts.modem} on ${this.opts.path}` });
    await this.connect();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    this.opts.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const [address, h] of this.held) this.dropHeld(address, h, new TransportError('not_running', `${this.id} stopped`));
    await this.teardown('stopped');
    this.setState({ state: 'stopped' });
  }

  status(): TransportStatus {
    return this.state;
  }

  async send(address: string, payload: Uint8Array): Promise<void> {
    if (this.state.state !== 'running' || !this.driver) throw new TransportError('not_running', `${this.id} is ${this.state.state}`);
    const heardAt = this.lastHeard.get(address);
    if (heardAt !== undefined && this.fitsWindow(heardAt, payload.length)) return this.transmitAfter(heardAt + this.turnaroundMs, payload);
    return new Promise<void>((resolve, reject) => {
      const previous = this.held.get(address);
      if (previous) this.dropHeld(address, previous, new TransportError('busy', `superseded by a newer downlink for ${address}`));
      const timer = this.opts.clock.setTimeout(() => {
        this.held.delete(address);
        this.counters.inc('downlinks_expired');
        reject(new TransportError('timeout', `${address} sent no uplink within ${this.holdMs} ms to receive its downlink`));
      }, this.holdMs);
      this.held.set(address, { payload: payload.slice(), resolve, reject, timer });
      this.counters.inc('downlinks_held');
    });
  }

  /** Would a downlink started now (or after the turnaround) end inside the pendant's window? */
  private fitsWindow(heardAt: number, bytes: number): boolean {
    const start = Math.max(this.opts.clock.now(), heardAt + this.turnaroundMs);
    return start + loraAirtimeMs(bytes, this.radio) <= heardAt + this.rxWindowMs;
  }

  private transmitAfter(atMs: number, payload: Uint8Array): Promise<void> {
    const delayMs = atMs - this.opts.clock.now();
    if (delayMs <= 0) return this.transmit(payload);
    return new Promise((resolve, reject) => this.opts.clock.setTimeout(() => this.transmit(payload).then(resolve, reject), delayMs));
  }

  private async transmit(payload: Uint8Array): Promise<void> {
    const driver = this.driver;
    if (!driver) throw new TransportError('not_running', `${this.id} is ${this.state.state}`);
    try {
      await driver.transmit(payload);
      this.counters.inc('downlinks_sent');
    } catch (e) {
      this.counters.inc('downlinks_failed');
      throw e instanceof TransportError ? e : new TransportError('io', (e as Error).message);
    }
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    const { path, modem } = this.opts;
    const link = (this.opts.openLink ?? openNodeSerialLink)(path, this.opts.baudRate ?? DEFAULT_BAUD[modem]);
    const parser = new LineParser((line) => this.driver?.handleLine(line));
    const common = {
      clock: this.opts.clock,
      radio: this.radio,
      writeLine: (line: string) => link.writeLine(line),
      onPacket: (p: ModemPacket) => this.onPacket(p),
      onNotice: (code: string, detail: string) => {
        this.counters.inc(`modem_${code}`);
        this.opts.log.debug('modem notice', { transport: this.id, code, detail });
      },
      ...(this.opts.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: this.opts.commandTimeoutMs }),
    };
    const driver = modem === 'rn2483' ? new Rn2483Driver(common) : new Rak3172Driver(common);
    this.link = link;
    this.parser = parser;
    this.driver = driver;
    link.on('data', (chunk) => parser.push(chunk));
    link.on('close', (reason) => void this.lost(link, reason));
    try {
      await link.open();
      this.deviceIno = deviceIno(path);
      const version = await driver.start();
      if (!this.wanted || this.link !== link) return;
      this.backoffMs = this.opts.reconnectInitialMs ?? 1000;
      this.everRan = true;
      this.counters.inc('connects');
      this.setState({ state: 'running', detail: `${version} on ${path}, ${this.radio.frequencyHz / 1e6} MHz SF${this.radio.spreadingFactor} BW${this.radio.bandwidthKhz}` });
      this.stopWatchdog = every(this.opts.clock, this.opts.watchdogMs ?? 15_000, () => void this.check(link, driver));
      this.opts.log.info('lora modem ready', { transport: this.id, version, path });
    } catch (e) {
      if (this.link !== link) return;
      await this.lost(link, (e as Error).message);
    }
  }

  /** The link failed or closed: release it and try again later. */
  private async lost(link: SerialLink, reason: string): Promise<void> {
    if (this.link !== link) return;
    await this.teardown(reason);
    if (!this.wanted) return;
    this.counters.inc('link_failures');
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.reconnectMaxMs ?? 60_000);
    this.setState({ state: this.everRan ? 'reconnecting' : 'unavailable', detail: `${reason}; retrying in ${Math.round(delayMs / 100) / 10} s` });
    this.opts.log.warn('lora modem unavailable', { transport: this.id, reason, retryInMs: delayMs });
    this.retryTimer = this.opts.clock.setTimeout(() => void this.connect(), delayMs);
  }

  private checking = false;

  private async check(link: SerialLink, driver: ModemDriver): Promise<void> {
    if (this.checking || this.link !== link) return;
    this.checking = true;
    try {
      const ino = deviceIno(this.opts.path);
      if (ino === undefined) return await this.lost(link, `${this.opts.path} disappeared (unplugged?)`);
      if (ino !== this.deviceIno) return await this.lost(link, `${this.opts.path} was replaced by another device`);
      await driver.ping().catch(async (e: Error) => {
        if (this.link === link) await this.lost(link, `modem stopped answering: ${e.message}`);
      });
    } finally {
      this.checking = false;
    }
  }

  private async teardown(reason: string): Promise<void> {
    this.stopWatchdog?.();
    this.stopWatchdog = undefined;
    const link = this.link;
    this.link = undefined;
    this.driver?.close(reason);
    this.driver = undefined;
    if (this.parser) {
      this.counters.inc('serial_noise_bytes', this.parser.stats.noiseBytes);
      this.counters.inc('serial_overlong_lines', this.parser.stats.overlongLines);
    }
    this.parser = undefined;
    if (link) {
      link.removeAllListeners();
      await link.close().catch(() => undefined);
    }
  }

  private onPacket(p: ModemPacket): void {
    const receivedAt = this.opts.clock.now();
    // The device id is in the clear header (SPEC §2.2, bytes 1–4): it is where downlinks go.
    const address = p.payload.length >= 5 ? Buffer.from(p.payload.subarray(1, 5)).toString('hex') : 'lora';
    this.remember(address, receivedAt);
    this.counters.inc('frames');
    const held = this.held.get(address);
    if (held) {
      this.held.delete(address);
      this.opts.clock.clearTimeout(held.timer);
      this.transmitAfter(receivedAt + this.turnaroundMs, held.payload).then(held.resolve, held.reject);
    }
    this.emit('frame', { payload: p.payload, kind: 'lora', transportId: this.id, address, rssiDbm: p.rssiDbm, snrDb: p.snrDb, receivedAt });
  }

  /**
   * When each pendant was last heard, for its receive window. The address is the frame's clear
   * header, so anybody on the air can claim any of 2^32 of them (the frame is verified later, by the
   * bridge): entries older than a window are forgotten, or forged packets would fill the memory.
   */
  private remember(address: string, receivedAt: number): void {
    this.lastHeard.delete(address);
    this.lastHeard.set(address, receivedAt);
    if (this.lastHeard.size <= MAX_HEARD) return;
    for (const [a, t] of this.lastHeard) {
      if (this.lastHeard.size <= MAX_HEARD && receivedAt - t <= this.rxWindowMs) break;
      this.lastHeard.delete(a);
    }
  }

  private dropHeld(address: string, h: HeldDownlink, err: Error): void {
    this.opts.clock.clearTimeout(h.timer);
    this.held.delete(address);
    h.reject(err);
  }

  private setState(s: TransportStatus): void {
    this.state = s;
    this.emit('status', s);
  }
}

function deviceIno(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}
