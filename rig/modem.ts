/**
 * A scripted LoRa modem on the far end of a pseudo-terminal, speaking the RN2483 or RAK3172 (RUI3)
 * command set closely enough to exercise the gateway's drivers: it answers commands, is `busy`
 * while receiving like the real RN2483, reports received packets only while listening, and records
 * what it transmitted. It uses the real `serialport` package, as the gateway does.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { LineParser } from '../gateway/src/transport/lora/line-parser';

export type ModemModelName = 'rn2483' | 'rak3172';

export interface ScriptedModemOptions {
  model: ModemModelName;
  path: string;
  baudRate?: number;
  /** Never answers (a dead or wrong-baud modem). */
  silent?: boolean;
  /** Writes every reply one byte at a time. */
  bytewise?: boolean;
  /** RAK3172 network mode at power-up (1 = LoRaWAN, the factory default). */
  nwm?: 0 | 1;
  /** RN2483 firmware without `radio get rssi`. */
  noRssi?: boolean;
}

type ModemEvents = { command: [string]; receiving: [boolean]; transmit: [Uint8Array]; close: [] };

export class ScriptedModem extends EventEmitter<ModemEvents> {
  readonly commands: string[] = [];
  readonly transmitted: Uint8Array[] = [];
  /** For each transmission: was IQ inverted (as downlinks must be, SPEC §4.4)? */
  readonly transmittedInverted: boolean[] = [];
  private iqInverted = false;
  readonly settings: Record<string, string> = {};
  receiving = false;
  /** Packets that arrived while the modem was not listening. */
  missed = 0;
  private nwm: 0 | 1;
  private last = { rssiDbm: -100, snrDb: 0 };
  private readonly parser = new LineParser((l) => this.onCommand(l));

  private constructor(
    private readonly port: SerialPort,
    private readonly opts: ScriptedModemOptions & { silent?: boolean },
  ) {
    super();
    this.nwm = opts.nwm ?? 1;
    port.on('data', (d: Buffer) => this.parser.push(d));
    port.on('close', () => this.emit('close'));
    port.on('error', () => undefined);
  }

  static async open(opts: ScriptedModemOptions): Promise<ScriptedModem> {
    const port = new SerialPort({ path: opts.path, baudRate: opts.baudRate ?? (opts.model === 'rn2483' ? 57600 : 115200), autoOpen: false, hupcl: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return new ScriptedModem(port, opts);
  }

  /** A pendant transmits: the modem reports it if it is listening. Returns whether it was. */
  receive(payload: Uint8Array, rssiDbm = -97, snrDb = 6): boolean {
    if (!this.receiving) {
      this.missed++;
      return false;
    }
    this.last = { rssiDbm, snrDb };
    const hex = Buffer.from(payload).toString('hex').toUpperCase();
    if (this.opts.model === 'rn2483') {
      this.receiving = false; // radio rx ends with the packet
      this.emit('receiving', false);
      this.reply(`radio_rx  ${hex}`);
    } else {
      this.reply(`+EVT:RXP2P:${rssiDbm}:${snrDb}:${hex}`);
    }
    return true;
  }

  /** From now on the modem answers nothing (firmware wedged). */
  silence(): void {
    this.opts.silent = true;
  }

  /** Line noise, as after a brown-out: garbage bytes and a partial line. */
  noise(): void {
    this.port.write(Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x11, 0x72, 0x61, 0x64, 0x0d, 0x0a, 0x80, 0x81, 0x0d, 0x0a]));
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }

  private reply(...lines: string[]): void {
    if (this.opts.silent || !this.port.isOpen) return;
    const text = lines.map((l) => `${l}\r\n`).join('');
    if (!this.opts.bytewise) {
      this.port.write(text);
      return;
    }
    for (const ch of text) this.port.write(ch);
  }

  private onCommand(line: string): void {
    this.commands.push(line);
    this.emit('command', line);
    if (this.opts.model === 'rn2483') this.rn2483(line);
    else this.rak3172(line);
  }

  private rn2483(cmd: string): void {
    if (cmd === 'radio rxstop') {
      this.setReceiving(false);
      return this.reply('ok');
    }
    if (this.receiving) return this.reply('busy');
    let m: RegExpExecArray | null;
    if (cmd === 'sys get ver') return this.reply('RN2483 1.0.5 Oct 31 2018 15:06:52');
    if (cmd === 'mac pause') return this.reply('4294967245');
    if ((m = /^radio set (\w+) (\S+)$/.exec(cmd))) {
      const [, key, value] = m as unknown as [string, string, string];
      const valid: Record<string, RegExp> = { mod: /^(lora|fsk)$/, freq: /^8[67]\d{7}$/, sf: /^sf(7|8|9|10|11|12)$/, bw: /^(125|250|500)$/, cr: /^4\/[5-8]$/, prlen: /^\d+$/, pwr: /^-?\d+$/, crc: /^(on|off)$/, sync: /^[0-9a-fA-F]{1,2}$/, wdt: /^\d+$/, iqi: /^(on|off)$/ };
      if (!valid[key]?.test(value)) return this.reply('invalid_param');
      this.settings[key] = value;
      if (key === 'iqi') this.iqInverted = value === 'on';
      return this.reply('ok');
    }
    if (cmd === 'radio rx 0') {
      this.reply('ok');
      return this.setReceiving(true);
    }
    if (cmd === 'radio get snr') return this.reply(String(this.last.snrDb));
    if (cmd === 'radio get rssi') return this.reply(this.opts.noRssi ? 'invalid_param' : String(this.last.rssiDbm));
    if ((m = /^radio tx ([0-9A-F]+)$/.exec(cmd))) {
      const bytes = Uint8Array.from(Buffer.from(m[1]!, 'hex'));
      this.reply('ok');
      const inverted = this.iqInverted;
      setImmediate(() => {
        this.transmitted.push(bytes);
        this.transmittedInverted.push(inverted);
        this.emit('transmit', bytes);
        this.reply('radio_tx_ok');
      });
      return;
    }
    this.reply('invalid_param');
  }

  private rak3172(cmd: string): void {
    let m: RegExpExecArray | null;
    if (cmd === 'AT') return this.reply('OK');
    if (cmd === 'AT+VER=?') return this.reply('AT+VER=RUI_4.0.6_RAK3172-E', 'OK');
    if (cmd === 'AT+NWM=?') return this.reply(`AT+NWM=${this.nwm}`, 'OK');
    if (cmd === 'AT+NWM=0') {
      this.nwm = 0;
      this.setReceiving(false);
      // RUI3 reboots into the new mode and prints its banner
      return this.reply('OK', 'RAKwireless RAK3172-E Example', '------------------------------------------------------', 'Current Work Mode: LoRa P2P.');
    }
    if ((m = /^AT\+P2P=(\d+):(\d+):(\d+):(\d+):(\d+):(\d+)$/.exec(cmd))) {
      if (this.nwm !== 0) return this.reply('AT_MODE_NO_SUPPORT');
      Object.assign(this.settings, { freq: m[1], sf: m[2], bw: m[3], cr: m[4], prlen: m[5], pwr: m[6] });
      return this.reply('OK');
    }
    if ((m = /^AT\+IQINVER=([01])$/.exec(cmd))) {
      this.iqInverted = m[1] === '1';
      this.settings['iqinver'] = m[1]!;
      return this.reply('OK');
    }
    if ((m = /^AT\+PRECV=(\d+)$/.exec(cmd))) {
      if (this.nwm !== 0) return this.reply('AT_MODE_NO_SUPPORT');
      this.reply('OK');
      return this.setReceiving(m[1] !== '0');
    }
    if ((m = /^AT\+PSEND=([0-9A-F]+)$/.exec(cmd))) {
      const bytes = Uint8Array.from(Buffer.from(m[1]!, 'hex'));
      this.reply('OK');
      const inverted = this.iqInverted;
      setImmediate(() => {
        this.transmitted.push(bytes);
        this.transmittedInverted.push(inverted);
        this.emit('transmit', bytes);
        this.reply('+EVT:TXP2P DONE');
      });
      return;
    }
    this.reply('AT_COMMAND_NOT_FOUND');
  }

  private setReceiving(on: boolean): void {
    if (this.receiving === on) return;
    this.receiving = on;
    this.emit('receiving', on);
  }
}
