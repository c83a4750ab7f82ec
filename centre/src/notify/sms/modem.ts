/**
 * A GSM modem on a serial port (serialport), in SMS PDU mode (3GPP TS 27.005 §3–4, TPDUs from
 * pdu.ts): one command at a time with a timeout each. `sendSms` sends every part of a text with
 * `AT+CMGS=<length>`, the `> ` prompt, the hex PDU and Ctrl-Z, and resolves with the message
 * references the network gave (+CMGS: <mr>). Status reports are requested (TP-SRR) and come back as
 * `+CDS` (AT+CNMI <ds>=1) or `+CDSI` (stored; read with AT+CMGR), reported as `report` events.
 * Incoming messages announced by `+CMTI` are read (AT+CMGR), reassembled when concatenated, reported
 * and deleted (AT+CMGD); those that arrived while the centre was down are read at start (AT+CMGL=4).
 * A keep-alive `AT` every 30 s tells whether the modem answers; a closed port is reopened every 5 s.
 * A modem that fails its initialisation (ERROR to every command: no SIM, no network) is closed and
 * tried again every 5 s, and is not healthy until an initialisation went through.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { type Clock, every, type TimerId } from '../../../../common/clock';
import type { Logger } from '../../../../common/log';
import { AtParser, finalResult, parseCds, parseCmglPdu, parseCmgrPdu, parseStoredIndication } from './at-parser';
import { decodePdu, encodeSubmit, type StatusReportPdu } from './pdu';

export interface ModemOptions {
  path: string;
  baudRate: number;
  pin?: string;
  commandTimeoutMs?: number;
  sendTimeoutMs?: number;
  keepAliveMs?: number;
  reopenMs?: number;
  /** TP-VP of outgoing messages (an alarm SMS delivered hours late misleads); default 60 min. */
  validityMin?: number;
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
  removeAllListeners(event: 'close'): unknown;
}

interface Pending {
  lines: string[];
  resolve: (lines: string[]) => void;
  reject: (e: Error) => void;
  onPrompt?: () => void;
  timer: TimerId;
}

type ModemEvents = { sms: [{ from: string; text: string }]; report: [StatusReportPdu]; state: [boolean]; initFailed: [Error] };

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
  /** The last initialisation went through (answers before that say nothing about health). */
  private initialised = false;
  private stopped = false;
  private stopKeepAlive: (() => void) | undefined;
  private reopen: TimerId | undefined;
  private readonly stored: { kind: 'message' | 'report'; index: number }[] = [];
  /** `+CDS: <length>` was the last line: the next one is its PDU. */
  private cdsLength: number | undefined;
  /** Parts of concatenated incoming messages, by sender and reference (bounded). */
  private readonly partial = new Map<string, (string | undefined)[]>();
  private reference = Math.floor(Math.random() * 256);
  /** How status reports arrive, as the modem accepted at start. */
  reports: '+CDS' | '+CDSI' | 'none' = 'none';

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

  /**
   * Sends a text, in as many parts as it needs; resolves with each part's message reference (TP-MR).
   * Only a +CMGS reference means sent (TS 27.005 §3.5.1): a bare OK is the late answer of an earlier
   * command that timed out, or an aborted prompt, and the part did not go (the whole send fails and is
   * retried; a part sent twice is harmless, a part lost is not).
   */
  async sendSms(to: string, text: string): Promise<number[]> {
    if (!/^\+?[0-9]{3,20}$/.test(to)) throw new ModemError('error', `not a phone number: '${to}'`);
    this.reference = (this.reference + 1) & 0xff;
    const parts = encodeSubmit(to, text, { statusReport: true, validityMin: this.opts.validityMin ?? 60, reference: this.reference });
    return this.serial(async () => {
      const refs: number[] = [];
      for (const p of parts) {
        const lines = await this.exchange(`AT+CMGS=${p.tpduLength}\r`, this.opts.sendTimeoutMs ?? 60_000, () => this.write(`${p.hex}\x1a`));
        const mr = lines.map((l) => /^\+CMGS:\s*(\d+)/.exec(l)?.[1]).find((x) => x !== undefined);
        if (mr === undefined) throw new ModemError('error', 'the modem answered OK without a message reference (+CMGS): not sent');
        refs.push(Number(mr));
      }
      return refs;
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
    try {
      await this.init();
    } catch (e) {
      // Closed, so that the next try can open it again (the port is locked while open).
      this.port = undefined;
      port.removeAllListeners('close');
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
      this.emit('initFailed', e as Error);
      throw e;
    }
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
    await this.command('AT+CMGF=0');
    // <mt>=1: new messages stored and announced (+CMTI); status reports routed as +CDS (<ds>=1), else
    // stored and announced as +CDSI (<ds>=2) — modems support one or the other; without either the
    // channel still works, without delivery reports.
    this.reports = 'none';
    for (const ds of [1, 2] as const) {
      if ((await this.command(`AT+CNMI=2,1,0,${ds},0`).then(() => true, () => false))) {
        this.reports = ds === 1 ? '+CDS' : '+CDSI';
        break;
      }
    }
    if (this.reports === 'none') {
      await this.command('AT+CNMI=2,1,0,0,0');
      this.opts.log.warn('the modem routes no status reports (AT+CNMI <ds> 1 and 2 refused): no delivery reports');
    }
    this.initialised = true;
    this.setReady(true);
    // Replies that came while we were away (stat 4 = all: a message read but not deleted before a crash counts too).
    const list = await this.command('AT+CMGL=4', 15_000);
    for (let i = 0; i < list.length; i++) {
      const h = parseCmglPdu(list[i]!);
      if (!h || list[i + 1] === undefined) continue;
      this.incoming(list[i + 1]!, h.length);
      await this.command(`AT+CMGD=${h.index}`).catch(() => undefined);
    }
  }

  private async readStored(s: { kind: 'message' | 'report'; index: number }): Promise<void> {
    const lines = await this.command(`AT+CMGR=${s.index}`);
    const at = lines.findIndex((l) => parseCmgrPdu(l) !== undefined);
    if (at >= 0 && lines[at + 1] !== undefined) this.incoming(lines[at + 1]!, parseCmgrPdu(lines[at]!)!.length);
    await this.command(`AT+CMGD=${s.index}`).catch(() => undefined);
  }

  /** One received PDU: a message part or a status report. Undecodable ones are logged and dropped. */
  private incoming(pdu: string, length: number): void {
    const d = decodePdu(pdu, length);
    if (!d.ok) return this.opts.log.warn('undecodable PDU from the modem dropped', { code: d.code, detail: d.detail });
    if (d.kind === 'status_report') return void this.emit('report', d);
    if (d.kind !== 'deliver') return;
    if (!d.concat || d.concat.total < 2) return void this.emit('sms', { from: d.from, text: d.text });
    const key = `${d.from}/${d.concat.reference}/${d.concat.total}`;
    const parts = this.partial.get(key) ?? new Array<string | undefined>(d.concat.total).fill(undefined);
    parts[d.concat.seq - 1] = d.text;
    this.partial.set(key, parts);
    if (parts.every((p) => p !== undefined)) {
      this.partial.delete(key);
      this.emit('sms', { from: d.from, text: parts.join('') });
    } else if (this.partial.size > 64) this.partial.delete(this.partial.keys().next().value!);
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
      if (this.cdsLength !== undefined) {
        const length = this.cdsLength;
        this.cdsLength = undefined;
        this.incoming(t.text, length);
        continue;
      }
      const cds = parseCds(t.text);
      if (cds !== undefined) {
        this.cdsLength = cds;
        continue;
      }
      const stored = parseStoredIndication(t.text);
      if (stored) {
        this.stored.push(stored);
        void this.drainStored();
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
      // Answered before its prompt came (a late answer, or an error): abort the prompt that may still come,
      // or the modem would take our next commands for the text of a message.
      if (p.onPrompt) this.write('\x1b');
      if (this.initialised) this.setReady(true);
      if (result === 'ok') p.resolve(p.lines);
      else p.reject(new ModemError('error', t.text));
    }
  }

  private async drainStored(): Promise<void> {
    while (this.stored.length) {
      const s = this.stored.shift()!;
      await this.readStored(s).catch((e: unknown) => this.opts.log.warn('stored SMS not read', { index: s.index, error: e as Error }));
    }
  }

  private async ping(): Promise<void> {
    if (!this.port?.isOpen) return;
    await this.command('AT').catch(() => this.setReady(false));
  }

  private onClosed(): void {
    this.port = undefined;
    this.initialised = false;
    this.setReady(false);
    this.fail(new ModemError('closed', 'the modem port closed'));
    if (!this.stopped) this.scheduleReopen();
  }

  private scheduleReopen(): void {
    this.opts.clock.clearTimeout(this.reopen);
    if (this.stopped) return;
    this.reopen = this.opts.clock.setTimeout(
      () =>
        void this.open().catch((e: unknown) => {
          this.opts.log.debug('GSM modem still not available', { path: this.opts.path, error: e as Error });
          this.scheduleReopen();
        }),
      this.opts.reopenMs ?? 5000,
    );
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
