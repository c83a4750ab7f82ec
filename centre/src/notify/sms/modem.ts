/**
 * A GSM modem on a serial port (serialport), in SMS text mode (3GPP TS 27.005): one command at a time
 * with a timeout each; `sendSms` (AT+CMGS, wait for the prompt, text, Ctrl-Z, wait for +CMGS);
 * incoming messages announced by `+CMTI` are read (AT+CMGR), reported, and deleted (AT+CMGD), and
 * messages that arrived while the centre was down are read at start (AT+CMGL). A keep-alive `AT`
 * every 30 s tells whether the modem answers; a closed port is reopened every 5 s.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { type Clock, every, type TimerId } from '../../../../common/clock';
import type { Logger } from '../../../../common/log';
import { AtParser, finalResult, parseCmglHeader, parseCmgrHeader, parseCmti, smsText } from './at-parser';

export interface ModemOptions {
  path: string;
  baudRate: number;
  pin?: string;
  commandTimeoutMs?: number;
  sendTimeoutMs?: number;
  keepAliveMs?: number;
  reopenMs?: number;
  log: Logger;
  clock: Clock;
  /** The serial port seam (default: the real port at `path`; fuzzing uses one in memory). */
  openPort?: () => ModemPort;
}

/** What the modem uses of a serial port (serialport's SerialPort has it). */
export interface ModemPort {
  readonly isOpen: boolean;
  open(cb: (e: Error | null) => void): void;
  write(data: Buffer): unknown;
  close(cb: () => void): void;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'close', fn: () => void): unknown;
  on(event: 'error', fn: (e: Error) => void): unknown;
}

interface Pending {
  lines: string[];
  resolve: (lines: string[]) => void;
  reject: (e: Error) => void;
  onPrompt?: () => void;
  timer: TimerId;
}

type ModemEvents = { sms: [{ from: string; text: string }]; state: [boolean] };

export class ModemError extends Error {
  constructor(readonly code: 'timeout' | 'error' | 'closed', message: string) {
    super(message);
  }
}

export class GsmModem extends EventEmitter<ModemEvents> {
  private port: ModemPort | undefined;
  private readonly parser = new AtParser();
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private ready = false;
  private stopped = false;
  private stopKeepAlive: (() => void) | undefined;
  private reopen: TimerId | undefined;
  /** Lines of an incoming +CMGR that belong to no command (some modems interleave). */
  private readonly inbox: number[] = [];

  constructor(private readonly opts: ModemOptions) {
    super();
  }

  get healthy(): boolean {
    return this.ready;
  }

  /** Opens and initialises; on failure keeps retrying in the background and resolves anyway (health says it). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.open().catch((e: unknown) => {
      this.opts.log.warn('GSM modem not available yet; retrying', { path: this.opts.path, error: e as Error });
      this.scheduleReopen();
    });
    this.stopKeepAlive = every(this.opts.clock, this.opts.keepAliveMs ?? 30_000, () => void this.ping());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopKeepAlive?.();
    this.opts.clock.clearTimeout(this.reopen);
    this.fail(new ModemError('closed', 'modem stopped'));
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Sends one text message; resolves with the message reference the network gave it. */
  async sendSms(to: string, text: string): Promise<string> {
    if (!/^\+?[0-9]{3,20}$/.test(to)) throw new ModemError('error', `not a phone number: '${to}'`);
    const body = smsText(text);
    return this.serial(async () => {
      const lines = await this.exchange(`AT+CMGS="${to}"\r`, this.opts.sendTimeoutMs ?? 60_000, () => this.write(`${body}\x1a`));
      const ref = lines.map((l) => /^\+CMGS:\s*(\d+)/.exec(l)?.[1]).find((x) => x !== undefined);
      return ref ?? '';
    });
  }

  /** One AT command, queued behind the others. */
  command(cmd: string, timeoutMs = this.opts.commandTimeoutMs ?? 5000): Promise<string[]> {
    return this.serial(() => this.exchange(`${cmd}\r`, timeoutMs));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async open(): Promise<void> {
    const port: ModemPort = this.opts.openPort?.() ?? new SerialPort({ path: this.opts.path, baudRate: this.opts.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    this.port = port;
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('close', () => this.onClosed());
    port.on('error', (e) => this.opts.log.warn('GSM modem port error', { error: e }));
    await this.init();
  }

  private async init(): Promise<void> {
    await this.command('AT');
    await this.command('ATE0');
    await this.command('AT+CMEE=1');
    const pin = (await this.command('AT+CPIN?').catch(() => [] as string[])).join(' ');
    if (pin.includes('SIM PIN')) {
      if (!this.opts.pin) throw new ModemError('error', 'the SIM asks for a PIN and none is configured');
      await this.command(`AT+CPIN="${this.opts.pin}"`, 15_000);
    }
    await this.command('AT+CMGF=1');
    await this.command('AT+CNMI=2,1,0,0,0');
    this.setReady(true);
    // Replies that came while we were away.
    const list = await this.command('AT+CMGL="REC UNREAD"', 15_000);
    for (let i = 0; i < list.length; i++) {
      const h = parseCmglHeader(list[i]!);
      if (!h) continue;
      const text = list[i + 1] !== undefined && !parseCmglHeader(list[i + 1]!) ? list[i + 1]! : '';
      this.emit('sms', { from: h.from, text });
      await this.command(`AT+CMGD=${h.index}`).catch(() => undefined);
    }
  }

  private async readMessage(index: number): Promise<void> {
    const lines = await this.command(`AT+CMGR=${index}`);
    const at = lines.findIndex((l) => parseCmgrHeader(l) !== undefined);
    if (at >= 0) this.emit('sms', { from: parseCmgrHeader(lines[at]!)!.from, text: lines.slice(at + 1).join('\n') });
    await this.command(`AT+CMGD=${index}`).catch(() => undefined);
  }

  private exchange(raw: string, timeoutMs: number, onPrompt?: () => void): Promise<string[]> {
    if (!this.port?.isOpen) return Promise.reject(new ModemError('closed', 'the modem port is not open'));
    return new Promise((resolve, reject) => {
      const timer = this.opts.clock.setTimeout(() => {
        this.pending = undefined;
        this.setReady(false);
        // An unanswered CMGS prompt would swallow the next command: ESC aborts it.
        if (onPrompt) this.write('\x1b');
        reject(new ModemError('timeout', `no answer to ${raw.trim()} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = { lines: [], resolve, reject, timer, ...(onPrompt ? { onPrompt } : {}) };
      this.write(raw);
    });
  }

  private onData(chunk: Buffer): void {
    for (const t of this.parser.feed(chunk)) {
      const p = this.pending;
      if (t.kind === 'prompt') {
        if (p?.onPrompt) {
          const send = p.onPrompt;
          delete p.onPrompt;
          send();
        } else {
          // A prompt nobody is waiting for (AT+CMGS already ended in an error, or line noise): the
          // modem now takes whatever comes next as message text, so the next command would vanish
          // into it. ESC leaves text mode.
          this.write('\x1b');
        }
        continue;
      }
      const index = parseCmti(t.text);
      if (index !== undefined) {
        this.inbox.push(index);
        void this.drainInbox();
        continue;
      }
      if (!p) continue; // unsolicited lines we do not use (RING, +CREG…)
      const result = finalResult(t.text);
      if (result === undefined) {
        p.lines.push(t.text);
        continue;
      }
      this.opts.clock.clearTimeout(p.timer);
      this.pending = undefined;
      this.setReady(true);
      if (result === 'ok') p.resolve(p.lines);
      else p.reject(new ModemError('error', t.text));
    }
  }

  private async drainInbox(): Promise<void> {
    while (this.inbox.length) {
      const i = this.inbox.shift()!;
      await this.readMessage(i).catch((e: unknown) => this.opts.log.warn('incoming SMS not read', { index: i, error: e as Error }));
    }
  }

  private async ping(): Promise<void> {
    if (!this.port?.isOpen) return;
    await this.command('AT').catch(() => this.setReady(false));
  }

  private onClosed(): void {
    this.port = undefined;
    this.setReady(false);
    this.fail(new ModemError('closed', 'the modem port closed'));
    if (!this.stopped) this.scheduleReopen();
  }

  private scheduleReopen(): void {
    this.opts.clock.clearTimeout(this.reopen);
    if (this.stopped) return;
    this.reopen = this.opts.clock.setTimeout(() => void this.open().catch(() => this.scheduleReopen()), this.opts.reopenMs ?? 5000);
  }

  private fail(e: Error): void {
    const p = this.pending;
    if (!p) return;
    this.opts.clock.clearTimeout(p.timer);
    this.pending = undefined;
    p.reject(e);
  }

  private write(s: string): void {
    this.port?.write(Buffer.from(s, 'latin1'));
  }

  private setReady(v: boolean): void {
    if (this.ready === v) return;
    this.ready = v;
    this.emit('state', v);
  }
}
