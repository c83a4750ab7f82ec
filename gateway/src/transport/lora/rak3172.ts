/**
 * RAKwireless RAK3172 (STM32WLE5) with RUI3 firmware in LoRa P2P mode (RUI3 AT Command Manual,
 * "LoRa P2P" section). Replies end with `OK` or an `AT_…_ERROR` line; events start with `+EVT:`.
 * `AT+PRECV=65534` receives continuously; a transmission stops it, inverts IQ, sends and resumes.
 *
 * | we send                         | modem answers                                         |
 * |---------------------------------|-------------------------------------------------------|
 * | AT                              | OK                                                    |
 * | AT+VER=?                        | AT+VER=RUI_4.0.6_RAK3172-E · OK                      |
 * | AT+NWM=?                        | AT+NWM=1 · OK  (0 = LoRa P2P, 1 = LoRaWAN)            |
 * | AT+NWM=0                        | OK, then the module restarts in P2P mode              |
 * | AT+P2P=freq:sf:bw:cr:prlen:pwr  | OK · AT_PARAM_ERROR                                   |
 * | AT+IQINVER=0 / 1                | OK (normal IQ to receive, inverted to transmit)       |
 * | AT+PRECV=0                      | OK (stop receiving)                                   |
 * | AT+PRECV=65534                  | OK · AT_BUSY_ERROR; then +EVT:RXP2P:<rssi>:<snr>:<hex> |
 * | AT+PSEND=<hex>                  | OK · AT_BUSY_ERROR; then +EVT:TXP2P DONE              |
 *
 * RUI3 3.x reported a packet on two lines (`+EVT:RXP2P, RSSI -45, SNR 10` then `+EVT:<hex>`);
 * both forms are accepted.
 */
import { TransportError } from '../types';
import { type ModemModel, ModemDriver, MORE, hexPayload, toUpperHex } from './modem';

const CODING_RATE = { '4/5': 0, '4/6': 1, '4/7': 2, '4/8': 3 } as const;
const OK = (l: string): boolean => l === 'OK';
const ERROR = (l: string): boolean => /^AT_[A-Z_]*ERROR$/.test(l) || l === 'AT_COMMAND_NOT_FOUND';
/** Continuous receive that survives transmissions (RUI3: 65534). */
const RECEIVE_CONTINUOUSLY = 65534;

export class Rak3172Driver extends ModemDriver {
  readonly model: ModemModel = 'rak3172';
  /** RSSI and SNR of a two-line (RUI3 3.x) receive event, waiting for its payload line. */
  private pendingQuality: { rssiDbm: number; snrDb: number } | undefined;

  async start(): Promise<string> {
    return this.exclusive(async () => {
      await this.command('AT', OK, ERROR);
      const version = (await this.query('AT+VER=?')).replace(/^AT\+VER=/, '');
      const mode = (await this.query('AT+NWM=?')).replace(/^AT\+NWM=/, '');
      if (mode !== '0') {
        await this.command('AT+NWM=0', OK, ERROR);
        await this.awaitRestart();
      }
      const r = this.opts.radio;
      await this.command(`AT+P2P=${r.frequencyHz}:${r.spreadingFactor}:${r.bandwidthKhz}:${CODING_RATE[r.codingRate]}:${r.preambleLength}:${r.txPowerDbm}`, OK, ERROR);
      await this.command('AT+IQINVER=0', OK, ERROR); // uplinks arrive with normal IQ (SPEC §4.4)
      await this.command(`AT+PRECV=${RECEIVE_CONTINUOUSLY}`, OK, ERROR);
      return version;
    });
  }

  async transmit(payload: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      // Stop receiving, invert IQ for the downlink (SPEC §4.4), send, and listen again with normal IQ.
      await this.command('AT+PRECV=0', OK, ERROR);
      try {
        await this.command('AT+IQINVER=1', OK, ERROR);
        await this.twoStep(`AT+PSEND=${toUpperHex(payload)}`, OK, ERROR, "'AT+PSEND' result", this.txTimeoutMs, (l) => (/^\+EVT:TXP2P[ _]DONE$/i.test(l) ? true : undefined));
      } finally {
        if (!this.closed) {
          await this.command('AT+IQINVER=0', OK, ERROR).catch(() => undefined);
          await this.command(`AT+PRECV=${RECEIVE_CONTINUOUSLY}`, OK, ERROR).catch(() => undefined);
        }
      }
    });
  }

  async ping(): Promise<void> {
    await this.exclusive(() => this.command('AT', OK, (l) => ERROR(l) && l !== 'AT_BUSY_ERROR'));
  }

  protected unsolicited(line: string): boolean {
    if (!line.startsWith('+EVT:')) return false;
    const one = /^\+EVT:RXP2P:(-?\d+):(-?\d+):([0-9A-Fa-f]*)$/.exec(line);
    if (one) {
      this.packet(one[3]!, Number(one[1]), Number(one[2]), line);
      return true;
    }
    const head = /^\+EVT:RXP2P,\s*RSSI\s*(-?\d+),\s*SNR\s*(-?\d+)$/i.exec(line);
    if (head) {
      this.pendingQuality = { rssiDbm: Number(head[1]), snrDb: Number(head[2]) };
      return true;
    }
    const body = /^\+EVT:([0-9A-Fa-f]+)$/.exec(line);
    if (body && this.pendingQuality) {
      const q = this.pendingQuality;
      this.pendingQuality = undefined;
      this.packet(body[1]!, q.rssiDbm, q.snrDb, line);
      return true;
    }
    if (/^\+EVT:RXP2P[ _]RECEIVE[ _]TIMEOUT$/i.test(line) || /^\+EVT:RXP2P[ _]RECEIVE[ _]ERROR$/i.test(line)) {
      this.notice('rx_error', line);
      void this.exclusive(() => this.command(`AT+PRECV=${RECEIVE_CONTINUOUSLY}`, OK, ERROR)).catch(() => undefined);
      return true;
    }
    // +EVT:TXP2P DONE and others are replies a waiter may want
    return false;
  }

  private packet(hex: string, rssiDbm: number, snrDb: number, line: string): void {
    const payload = hexPayload(hex);
    if (!payload || payload.length === 0) return this.notice('bad_packet', line);
    this.opts.onPacket({ payload, rssiDbm, snrDb });
  }

  /** `AT+X=?` → the value line before OK. */
  private async query(cmd: string): Promise<string> {
    let value: string | undefined;
    const label = `${this.model} '${cmd}'`;
    const reply = this.waitress.waitFor<string>(label, this.commandTimeoutMs, (l) => {
      if (OK(l)) return value ?? '';
      if (ERROR(l)) return `!${l}`;
      if (l.startsWith('+EVT:')) return undefined;
      value = l;
      return MORE;
    });
    await this.write(cmd, reply);
    const r = await reply;
    if (r.startsWith('!')) throw new TransportError('io', `${label} failed: ${r.slice(1)}`);
    return r;
  }

  /** After a mode change the module reboots; it is back when `AT` answers again. */
  private async awaitRestart(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.command('AT', OK, ERROR, 1000);
        return;
      } catch (e) {
        if (attempt >= 5) throw e;
      }
    }
  }
}
