/**
 * A LoRa modem held in memory behind the transport's serial seam (SerialLink), for fuzzing at a
 * million inputs: it answers the RN2483 and RAK3172 commands the drivers send as rig/modem.ts
 * does over a real pseudo-terminal (that one is checked against the drivers' tables; this one only
 * needs to be quick), and lets the fuzzer write any bytes on the line.
 */
import { EventEmitter } from 'node:events';
import type { SerialLink, SerialLinkEvents } from '../../gateway/src/transport/lora/serial-link';

export type Model = 'rn2483' | 'rak3172';

export class MemoryModemLink extends EventEmitter<SerialLinkEvents> implements SerialLink {
  /** Answers nothing (wedged firmware). */
  silent = false;
  receiving = false;
  private nwm: 0 | 1 = 0;
  private last = { rssiDbm: -90, snrDb: 5 };

  constructor(readonly model: Model) {
    super();
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  async writeLine(line: string): Promise<void> {
    if (!this.silent) this.answer(line);
  }

  /** Bytes on the line from the modem, as the UART delivers them. */
  bytes(b: Uint8Array): void {
    this.emit('data', b);
  }

  /** A packet heard by a listening modem. */
  packet(payload: Uint8Array): boolean {
    if (!this.receiving || this.silent) return false;
    const hex = Buffer.from(payload).toString('hex').toUpperCase();
    if (this.model === 'rn2483') {
      this.receiving = false;
      this.reply(`radio_rx  ${hex}`);
    } else {
      this.reply(`+EVT:RXP2P:${this.last.rssiDbm}:${this.last.snrDb}:${hex}`);
    }
    return true;
  }

  private reply(...lines: string[]): void {
    const text = lines.map((l) => `${l}\r\n`).join('');
    queueMicrotask(() => this.emit('data', Buffer.from(text, 'latin1')));
  }

  private answer(cmd: string): void {
    if (this.model === 'rn2483') return this.rn2483(cmd);
    return this.rak3172(cmd);
  }

  private rn2483(cmd: string): void {
    if (cmd === 'radio rxstop') {
      this.receiving = false;
      return this.reply('ok');
    }
    if (this.receiving) return this.reply('busy');
    if (cmd === 'sys get ver') return this.reply('RN2483 1.0.5 Oct 31 2018 15:06:52');
    if (cmd === 'mac pause') return this.reply('4294967245');
    if (cmd.startsWith('radio set ')) return this.reply('ok');
    if (cmd === 'radio rx 0') {
      this.receiving = true;
      return this.reply('ok');
    }
    if (cmd === 'radio get snr') return this.reply(String(this.last.snrDb));
    if (cmd === 'radio get rssi') return this.reply(String(this.last.rssiDbm));
    if (cmd.startsWith('radio tx ')) return this.reply('ok', 'radio_tx_ok');
    this.reply('invalid_param');
  }

  private rak3172(cmd: string): void {
    if (cmd === 'AT') return this.reply('OK');
    if (cmd === 'AT+VER=?') return this.reply('AT+VER=RUI_4.0.6_RAK3172-E', 'OK');
    if (cmd === 'AT+NWM=?') return this.reply(`AT+NWM=${this.nwm}`, 'OK');
    if (cmd === 'AT+NWM=0') {
      this.nwm = 0;
      return this.reply('OK');
    }
    if (cmd.startsWith('AT+P2P=') || cmd.startsWith('AT+IQINVER=')) return this.reply('OK');
    const m = /^AT\+PRECV=(\d+)$/.exec(cmd);
    if (m) {
      this.receiving = m[1] !== '0';
      return this.reply('OK');
    }
    if (cmd.startsWith('AT+PSEND=')) return this.reply('OK', '+EVT:TXP2P DONE');
    this.reply('AT_COMMAND_NOT_FOUND');
  }
}
