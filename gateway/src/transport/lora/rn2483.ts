/**
 * Microchip RN2483 (and RN2903) in raw LoRa mode (RN2483 command reference DS40001784, §2.5 "mac",
 * §2.6 "radio"). The LoRaWAN stack is paused (`mac pause`), the radio is configured, then
 * `radio rx 0` receives until a packet arrives: `ok`, later `radio_rx <hex>`, after which the modem
 * is idle until told to receive again. A transmission interrupts receive (`radio rxstop`), inverts
 * IQ, sends (`radio tx <hex>` → `ok`, then `radio_tx_ok` or `radio_err`), and receives again with
 * normal IQ (SPEC §4.4).
 *
 * | we send                      | modem answers                                  |
 * |------------------------------|------------------------------------------------|
 * | sys get ver                  | RN2483 1.0.5 Oct 31 2018 15:06:52              |
 * | mac pause                    | 4294967245 (ms it stays paused)                |
 * | radio set mod/freq/sf/bw/cr/prlen/pwr/crc/sync/wdt/iqi … | ok · invalid_param  |
 * | radio rx 0                   | ok · busy; later radio_rx <hex> · radio_err    |
 * | radio rxstop                 | ok                                             |
 * | radio get snr / radio get rssi | -5 / -97 (rssi only on firmware ≥ 1.0.5)     |
 * | radio tx <hex>               | ok · invalid_param · busy; then radio_tx_ok · radio_err |
 */
import { TransportError } from '../types';
import { type ModemModel, ModemDriver, hexPayload, toUpperHex } from './modem';

type RxState = 'idle' | 'receiving';

const OK = (l: string): boolean => l === 'ok';
const REFUSED = (l: string): boolean => l === 'invalid_param' || l === 'busy' || l === 'radio_err';
const INTEGER = (l: string): boolean => /^-?\d+$/.test(l);

export class Rn2483Driver extends ModemDriver {
  readonly model: ModemModel = 'rn2483';
  private state: RxState = 'idle';
  private rssiSupported = true;
  /** Receive endings seen; a packet can be read in the same chunk as the `ok` that started receiving. */
  private receptions = 0;

  async start(): Promise<string> {
    return this.exclusive(async () => {
      // A modem left receiving by a previous run answers `busy` to everything but rxstop.
      await this.command('radio rxstop', (l) => l === 'ok' || l === 'invalid_param', () => false).catch(() => undefined);
      const version = await this.command('sys get ver', (l) => /^RN2\d{3}\b/.test(l), REFUSED);
      await this.command('mac pause', INTEGER, REFUSED);
      const r = this.opts.radio;
      for (const cmd of [
        'radio set mod lora',
        `radio set freq ${r.frequencyHz}`,
        `radio set sf sf${r.spreadingFactor}`,
        `radio set bw ${r.bandwidthKhz}`,
        `radio set cr ${r.codingRate}`,
        `radio set prlen ${r.preambleLength}`,
        `radio set pwr ${r.txPowerDbm}`,
        'radio set crc on',
        // 0x12: the private-network sync word, so LoRaWAN gateways nearby ignore our frames and vice versa
        'radio set sync 12',
        // no receive watchdog: `radio rx 0` then waits for a packet indefinitely
        'radio set wdt 0',
        // receive uplinks with normal IQ; only our own transmissions are inverted (SPEC §4.4)
        'radio set iqi off',
      ]) {
        await this.command(cmd, OK, REFUSED);
      }
      await this.receive();
      return version;
    });
  }

  async transmit(payload: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      if (this.state === 'receiving') {
        await this.command('radio rxstop', (l) => l === 'ok' || l === 'invalid_param', REFUSED);
        this.state = 'idle';
      }
      try {
        await this.command('radio set iqi on', OK, REFUSED); // downlinks go out with inverted IQ
        const sent = await this.twoStep(`radio tx ${toUpperHex(payload)}`, OK, REFUSED, "'radio tx' result", this.txTimeoutMs, (l) => (l === 'radio_tx_ok' ? true : l === 'radio_err' ? false : undefined));
        if (!sent) throw new TransportError('io', 'rn2483 radio_err: transmission failed');
      } finally {
        if (!this.closed) {
          await this.command('radio set iqi off', OK, REFUSED).catch(() => undefined);
          await this.receive().catch(() => undefined);
        }
      }
    });
  }

  async ping(): Promise<void> {
    // While receiving the modem answers `busy` to anything but rxstop: an answer all the same.
    await this.exclusive(() => this.command('sys get ver', (l) => /^RN2\d{3}\b/.test(l) || l === 'busy', () => false));
  }

  protected unsolicited(line: string): boolean {
    // Whatever follows (nothing for an empty packet), a `radio_rx` line ends this receive.
    const m = /^radio_rx(?:\s+(.*))?$/.exec(line);
    if (m) {
      this.state = 'idle';
      this.receptions++;
      const payload = hexPayload((m[1] ?? '').trim());
      if (!payload || payload.length === 0) this.notice('bad_packet', line);
      // Link quality first (it belongs to this packet), then hand it up, then receive again. A downlink
      // queued by the packet handler runs before the receive restart: the pendant is listening now.
      void this.exclusive(async () => {
        const snrDb = await this.command('radio get snr', INTEGER, REFUSED).then(Number, () => null);
        const rssiDbm = this.rssiSupported
          ? await this.command('radio get rssi', INTEGER, REFUSED).then(Number, (e: Error) => {
              if (e.message.endsWith('invalid_param')) this.rssiSupported = false; // firmware before 1.0.5
              return null;
            })
          : null;
        if (payload && payload.length > 0) this.opts.onPacket({ payload, rssiDbm, snrDb });
      })
        .catch(() => undefined)
        .then(() => this.ensureReceiving());
      return true;
    }
    if (line === 'radio_err' && this.state === 'receiving' && this.waitress.pending === 0) {
      // receive ended without a packet (CRC error or watchdog): listen again
      this.state = 'idle';
      this.receptions++;
      this.notice('rx_error', line);
      void this.ensureReceiving();
      return true;
    }
    return false;
  }

  private ensureReceiving(): Promise<void> {
    return this.exclusive(async () => {
      if (this.state !== 'receiving') await this.receive();
    }).catch(() => undefined);
  }

  private async receive(): Promise<void> {
    const before = this.receptions;
    await this.command('radio rx 0', OK, REFUSED);
    // If a packet already ended this receive, the modem is idle again and the packet job restarts it.
    if (this.receptions === before) this.state = 'receiving';
  }
}
