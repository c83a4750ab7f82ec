/**
 * What every LoRa modem driver shares: radio settings, one command at a time over the serial line,
 * replies matched by the waitress with labelled timeouts, and packets handed up as values. A driver
 * knows its modem's command set (rn2483.ts, rak3172.ts); it never opens ports or retries — the
 * transport (transport.ts) owns the lifecycle.
 */
import type { Clock } from '../../../../common/clock';
import { TransportError } from '../types';
import { type Matcher, MORE, Waitress } from './waitress';
import { loraAirtimeMs as protocolAirtimeMs } from '../../../../protocol/src';

export type CodingRate = '4/5' | '4/6' | '4/7' | '4/8';

/** LoRa P2P radio settings; gateway and pendants must agree on every one of them. */
export interface RadioSettings {
  frequencyHz: number;
  spreadingFactor: number;
  bandwidthKhz: 125 | 250 | 500;
  codingRate: CodingRate;
  txPowerDbm: number;
  preambleLength: number;
}

/**
 * SPEC §4.4 (LoRa P2P): uplinks with normal IQ, downlinks with inverted IQ, so pendants never hear
 * each other and gateways never hear each other; private sync word 0x12.
 * EU868 869.525 MHz: the g3 sub-band (869.4–869.65 MHz) allows 10 % duty cycle at up to 27 dBm ERP
 * (ETSI EN 300 220, ERC/REC 70-03 annex 1 band h1.6), so repeated alarms and their downlinks fit.
 * SF9/BW125: a 24-byte frame takes ≈ 267 ms on air (../shared/ESPRUINO.md §3).
 */
export const DEFAULT_RADIO: RadioSettings = {
  frequencyHz: 869_525_000,
  spreadingFactor: 9,
  bandwidthKhz: 125,
  codingRate: '4/5',
  txPowerDbm: 14,
  preambleLength: 8,
};

/** Time on air of `payloadBytes` with these settings (the protocol's formula, SPEC §4.4). */
export function loraAirtimeMs(payloadBytes: number, r: RadioSettings): number {
  return protocolAirtimeMs(payloadBytes, {
    spreadingFactor: r.spreadingFactor,
    bandwidthHz: r.bandwidthKhz * 1000,
    codingRate: Number(r.codingRate.split('/')[1]),
    preambleSymbols: r.preambleLength,
  });
}

export interface ModemPacket {
  payload: Uint8Array;
  rssiDbm: number | null;
  snrDb: number | null;
}

export type ModemModel = 'rn2483' | 'rak3172';

export interface ModemDriverOptions {
  clock: Clock;
  radio: RadioSettings;
  /** Writes one command; the driver adds no line ending, the link does (CR LF). */
  writeLine: (line: string) => Promise<void>;
  onPacket: (packet: ModemPacket) => void;
  /** Something worth a counter or a log line: receive errors, lines nobody expected. */
  onNotice?: (code: 'rx_error' | 'stray_line' | 'bad_packet', detail: string) => void;
  commandTimeoutMs?: number;
  /** Longest a transmission may take from command to "done" (airtime at SF12 is about 2 s). */
  txTimeoutMs?: number;
}

export abstract class ModemDriver {
  abstract readonly model: ModemModel;
  protected readonly waitress: Waitress<string>;
  protected readonly commandTimeoutMs: number;
  protected readonly txTimeoutMs: number;
  private chain: Promise<unknown> = Promise.resolve();
  protected closed = false;

  constructor(protected readonly opts: ModemDriverOptions) {
    this.waitress = new Waitress<string>(opts.clock);
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 2000;
    this.txTimeoutMs = opts.txTimeoutMs ?? 10_000;
  }

  /** Configures P2P and starts continuous receive; resolves with the modem's firmware version. */
  abstract start(): Promise<string>;

  /** Sends one packet and returns to receiving. */
  abstract transmit(payload: Uint8Array): Promise<void>;

  /** Asks the modem something harmless; rejects when it does not answer (wedged or gone). */
  abstract ping(): Promise<void>;

  /** One line from the modem. Unsolicited events first, then replies to what we asked. */
  handleLine(line: string): void {
    if (this.unsolicited(line)) return;
    if (this.waitress.offer(line)) return;
    this.opts.onNotice?.('stray_line', line);
  }

  /** Fails whatever is pending; the driver is finished. */
  close(reason: string): void {
    this.closed = true;
    this.waitress.rejectAll(new TransportError('io', `${this.model}: ${reason}`));
  }

  protected abstract unsolicited(line: string): boolean;

  /** Runs jobs one at a time: a modem handles one command at a time. */
  protected exclusive<R>(job: () => Promise<R>): Promise<R> {
    const run = this.chain.then(() => {
      if (this.closed) throw new TransportError('not_running', `${this.model} is closed`);
      return job();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes a command and waits for its reply line. Lines in `ok` resolve, lines in `fail` reject
   * with the modem's word for it; anything else is not a reply to this command and passes by.
   */
  protected async command(cmd: string, ok: (line: string) => boolean, fail: (line: string) => boolean, timeoutMs = this.commandTimeoutMs): Promise<string> {
    const label = `${this.model} '${cmd.split(' ').slice(0, 3).join(' ').slice(0, 32)}'`;
    const reply = this.waitress.waitFor<{ ok: boolean; line: string }>(label, timeoutMs, (line) => {
      if (ok(line)) return { ok: true, line };
      if (fail(line)) return { ok: false, line };
      return undefined;
    });
    await this.write(cmd, reply);
    const r = await reply;
    if (!r.ok) throw new TransportError(r.line.includes('busy') || r.line.includes('BUSY') ? 'busy' : 'io', `${label} failed: ${r.line}`);
    return r.line;
  }

  /** Writes a command whose reply is already awaited; a failed write settles that wait too. */
  protected async write(cmd: string, reply: Promise<unknown>): Promise<void> {
    // The reply may be rejected (port closed) while the write is still under way; it is awaited after.
    reply.catch(() => undefined);
    try {
      await this.opts.writeLine(cmd);
    } catch (e) {
      throw new TransportError('io', `${this.model}: cannot write '${cmd.slice(0, 16)}': ${(e as Error).message}`);
    }
  }

  /** Waits (without writing) for a line the matcher accepts. */
  protected expect<R>(label: string, timeoutMs: number, match: Matcher<string, R>, signal?: AbortSignal): Promise<R> {
    return this.waitress.waitFor(`${this.model} ${label}`, timeoutMs, match, signal);
  }

  /**
   * Sends a command answered twice — `ok` now, the outcome after the radio finished — and returns
   * the outcome. The outcome wait starts first (both lines can arrive in one read) and is withdrawn
   * when the command itself is refused.
   */
  protected async twoStep<R>(cmd: string, ok: (l: string) => boolean, fail: (l: string) => boolean, label: string, timeoutMs: number, outcome: Matcher<string, R>): Promise<R> {
    const withdraw = new AbortController();
    const result = this.expect(label, timeoutMs, outcome, withdraw.signal);
    result.catch(() => undefined);
    try {
      await this.command(cmd, ok, fail);
    } catch (e) {
      withdraw.abort(e);
      throw e;
    }
    return result;
  }

  protected notice(code: 'rx_error' | 'stray_line' | 'bad_packet', detail: string): void {
    this.opts.onNotice?.(code, detail);
  }
}

export { MORE };

/** Hex payload of a receive event → bytes; undefined for odd length or non-hex. */
export function hexPayload(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return undefined;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toUpperHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}
