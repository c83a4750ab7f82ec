/**
 * The virtual air: BLE adverts and GATT writes, and LoRa packets, between virtual pendants, beacons
 * and gateway radios placed on a floor plan. Received strength follows a log-distance path-loss
 * model with seeded noise; packets below the receiver's sensitivity are lost, and a scanner only
 * captures a share of the adverts it could hear (real scanners miss many, DOMAIN.md §2).
 */
import type { Clock, TimerId } from '../../common/clock';
import type { BuiltAdvert } from './espruino/advert';
import { parseAdvert } from './espruino/advert';
import type { VirtualBoard } from './espruino/board';
import { type LoraParams, loraAirtimeMs } from './espruino/lora-modem';
import { loraModemOf } from './espruino/profiles';
import { mulberry32 } from './random';

export interface Point {
  x: number;
  y: number;
  floor?: number;
}

export interface AirOptions {
  clock: Clock;
  seed?: number;
  /** RSSI at 1 m for a 0 dBm transmitter. */
  rssiAt1mDbm?: number;
  pathLossExponent?: number;
  /** Extra loss per floor between transmitter and receiver. */
  floorLossDb?: number;
  noiseDb?: number;
}

export interface AdvertHeard {
  address: string;
  bytes: Uint8Array;
  rssiDbm: number;
  atMs: number;
}

interface Advertiser {
  address: string;
  position: Point;
  advert: BuiltAdvert | undefined;
  timer: TimerId | undefined;
  board?: VirtualBoard;
  /** Which packet of a rotating advert goes out next. */
  next: number;
}

interface Scanner {
  id: string;
  position: Point;
  sensitivityDbm: number;
  captureProbability: number;
  onAdvert: (heard: AdvertHeard) => void;
  boardAddress?: string;
}

interface LoraRadio {
  id: string;
  position: Point;
  sensitivityDbm: number;
  /** Frequency, spreading factor and bandwidth the radio listens on; undefined hears everything. */
  params?: () => Pick<LoraParams, 'freqHz' | 'sf' | 'bwKHz'>;
  onPacket: (bytes: Uint8Array, rssiDbm: number, snrDb: number) => void;
}

/** What a LoRa transmission carries besides its bytes. */
export type LoraTxParams = Pick<LoraParams, 'freqHz' | 'sf' | 'bwKHz' | 'cr' | 'preamble'> & { powerDbm?: number };

export class VirtualAir {
  readonly clock: Clock;
  private readonly random: () => number;
  private readonly rssiAt1m: number;
  private readonly exponent: number;
  private readonly floorLoss: number;
  private readonly noise: number;
  private advertisers = new Map<string, Advertiser>();
  private scanners = new Map<string, Scanner>();
  private lora = new Map<string, LoraRadio>();
  /** Frames put on air and frames delivered, for scenario reports. */
  stats = { advertsSent: 0, advertsDelivered: 0, loraSent: 0, loraDelivered: 0, gattWrites: 0, gattFailures: 0 };

  constructor(opts: AirOptions) {
    this.clock = opts.clock;
    this.random = mulberry32(opts.seed ?? 1);
    this.rssiAt1m = opts.rssiAt1mDbm ?? -59;
    this.exponent = opts.pathLossExponent ?? 2.2;
    this.floorLoss = opts.floorLossDb ?? 15;
    this.noise = opts.noiseDb ?? 3;
  }

  rssiBetween(a: Point, b: Point, txPowerDbm = 0): number {
    const d = Math.max(0.1, Math.hypot(a.x - b.x, a.y - b.y));
    const floors = Math.abs((a.floor ?? 0) - (b.floor ?? 0));
    return this.rssiAt1m + txPowerDbm - 10 * this.exponent * Math.log10(d) - floors * this.floorLoss + this.gauss() * this.noise;
  }

  /** Puts a board on air: its adverts are broadcast, its GATT server reachable, its scanner fed, its LoRa modem linked. */
  attachBoard(board: VirtualBoard, position: Point): void {
    const adv: Advertiser = { address: board.address, position, advert: board.advert, timer: undefined, board, next: 0 };
    this.advertisers.set(board.address, adv);
    board.on('advertising', (a) => {
      adv.advert = a;
      this.schedule(adv);
    });
    const scan = (on: boolean): void => {
      if (on) this.addScanner({ id: `board:${board.address}`, position: adv.position, onAdvert: (h) => this.toBoardScan(board, h), boardAddress: board.address });
      else this.removeScanner(`board:${board.address}`);
    };
    board.on('scan', scan);
    if (board.scanCallback) scan(true); // already scanning when put on air
    this.schedule(adv);
    const modem = loraModemOf(board);
    if (modem) {
      const radio = this.addLoraRadio({
        id: `board:${board.address}`, position, params: () => modem.params,
        onPacket: (bytes, rssi, snr) => modem.receive(bytes, rssi, snr),
      });
      modem.link = { transmit: (bytes, params) => radio.transmit(bytes, params) };
    }
  }

  detachBoard(board: VirtualBoard): void {
    const adv = this.advertisers.get(board.address);
    if (adv) this.clock.clearTimeout(adv.timer);
    this.advertisers.delete(board.address);
    this.removeScanner(`board:${board.address}`);
    this.lora.delete(`board:${board.address}`);
    const modem = loraModemOf(board);
    if (modem) modem.link = undefined;
  }

  /** A fixed advertiser, such as an iBeacon on a wall. */
  addBeacon(address: string, position: Point, bytes: Uint8Array, intervalMs = 900): void {
    const adv: Advertiser = { address, position, advert: { bytes, packets: [bytes], intervalMs, connectable: false }, timer: undefined, next: 0 };
    this.advertisers.set(address, adv);
    this.schedule(adv);
  }

  addScanner(s: { id: string; position: Point; sensitivityDbm?: number; captureProbability?: number; onAdvert: (h: AdvertHeard) => void; boardAddress?: string }): void {
    this.scanners.set(s.id, { sensitivityDbm: -95, captureProbability: 0.9, ...s });
  }

  removeScanner(id: string): void {
    this.scanners.delete(id);
  }

  move(addressOrId: string, position: Point): void {
    const a = this.advertisers.get(addressOrId);
    if (a) a.position = position;
    const s = this.scanners.get(addressOrId) ?? this.scanners.get(`board:${addressOrId}`);
    if (s) s.position = position;
    const l = this.lora.get(addressOrId) ?? this.lora.get(`board:${addressOrId}`);
    if (l) l.position = position;
  }

  positionOf(addressOrId: string): Point | undefined {
    return this.advertisers.get(addressOrId)?.position ?? this.scanners.get(addressOrId)?.position ?? this.lora.get(addressOrId)?.position;
  }

  /**
   * A central at scanner `scannerId` connects to `address` and writes a characteristic.
   * Resolves false when the peripheral is out of range, not connectable or lacks the characteristic.
   */
  async gattWrite(scannerId: string, address: string, service: string, characteristic: string, data: Uint8Array, connectMs = 150): Promise<boolean> {
    const scanner = this.scanners.get(scannerId);
    const adv = this.advertisers.get(address);
    if (!scanner || !adv?.board) return this.gattFail();
    await new Promise<void>((resolve) => this.clock.setTimeout(resolve, connectMs));
    const rssi = this.rssiBetween(adv.position, scanner.position);
    if (rssi < scanner.sensitivityDbm + 5) return this.gattFail(); // connections need a better link than adverts
    const ok = adv.board.gattWrite(service, characteristic, data, scannerId);
    if (ok) this.stats.gattWrites++;
    else this.stats.gattFailures++;
    return ok;
  }

  private gattFail(): false {
    this.stats.gattFailures++;
    return false;
  }

  /**
   * A LoRa radio on the air. A packet reaches every other radio in range listening on the same
   * frequency, spreading factor and bandwidth (radios without params hear everything), after its
   * time on air (SF9/BW125, CR4/5, 8-symbol preamble when the sender gives no params).
   */
  addLoraRadio(r: { id: string; position: Point; sensitivityDbm?: number; params?: LoraRadio['params']; onPacket: (bytes: Uint8Array, rssiDbm: number, snrDb: number) => void }): { transmit: (bytes: Uint8Array, params?: LoraTxParams) => void; remove: () => void } {
    const radio: LoraRadio = { sensitivityDbm: -130, ...r };
    this.lora.set(r.id, radio);
    return {
      transmit: (bytes, params) => this.loraTransmit(radio, bytes, params),
      remove: () => this.lora.delete(r.id),
    };
  }

  /** LoRa at 14 dBm reaches much further than BLE: modelled as +14 dB and a gentler exponent. */
  private loraTransmit(from: LoraRadio, bytes: Uint8Array, params?: LoraTxParams): void {
    this.stats.loraSent++;
    const copy = bytes.slice();
    const p = params ?? { freqHz: 869_525_000, sf: 9, bwKHz: 125, cr: 5, preamble: 8 };
    const airtimeMs = loraAirtimeMs(p, bytes.length);
    for (const to of this.lora.values()) {
      if (to === from) continue;
      const d = Math.max(1, Math.hypot(from.position.x - to.position.x, from.position.y - to.position.y));
      const rssi = -40 + (p.powerDbm ?? 14) - 10 * 2.0 * Math.log10(d) + this.gauss() * this.noise;
      if (rssi < to.sensitivityDbm) continue;
      const snr = Math.max(-20, Math.min(12, (rssi + 120) / 3));
      this.clock.setTimeout(() => {
        // the receiver must be tuned to the transmission when it ends
        const rx = to.params?.();
        if (!this.lora.has(to.id) || (rx && params && (rx.freqHz !== p.freqHz || rx.sf !== p.sf || rx.bwKHz !== p.bwKHz))) return;
        this.stats.loraDelivered++;
        to.onPacket(copy, Math.round(rssi), Math.round(snr * 10) / 10);
      }, airtimeMs);
    }
  }

  stop(): void {
    for (const a of this.advertisers.values()) this.clock.clearTimeout(a.timer);
    this.advertisers.clear();
    this.scanners.clear();
    this.lora.clear();
  }

  private schedule(adv: Advertiser): void {
    this.clock.clearTimeout(adv.timer);
    adv.timer = undefined;
    if (!adv.advert) return;
    adv.next = 0;
    const fire = (): void => {
      if (!adv.advert || !this.advertisers.has(adv.address)) return;
      const packets = adv.advert.packets;
      this.broadcast(adv, packets[adv.next++ % packets.length]!);
      // BLE adds a random 0–10 ms delay to every advertising event
      adv.timer = this.clock.setTimeout(fire, adv.advert.intervalMs + this.random() * 10);
    };
    adv.timer = this.clock.setTimeout(fire, this.random() * Math.min(adv.advert.intervalMs, 20));
  }

  private broadcast(adv: Advertiser, bytes: Uint8Array): void {
    this.stats.advertsSent++;
    for (const s of this.scanners.values()) {
      if (s.boardAddress === adv.address) continue;
      const rssi = this.rssiBetween(adv.position, s.position);
      if (rssi < s.sensitivityDbm) continue;
      if (this.random() > s.captureProbability) continue;
      this.stats.advertsDelivered++;
      s.onAdvert({ address: adv.address, bytes, rssiDbm: Math.round(rssi), atMs: this.clock.now() });
    }
  }

  private toBoardScan(board: VirtualBoard, h: AdvertHeard): void {
    const p = parseAdvert(h.bytes);
    board.deliverScan({
      id: h.address,
      rssi: h.rssiDbm,
      data: h.bytes,
      ...(p.manufacturerId === undefined ? {} : { manufacturer: p.manufacturerId }),
      ...(p.manufacturerData ? { manufacturerData: p.manufacturerData } : {}),
      ...(Object.keys(p.serviceData).length > 0 ? { serviceData: p.serviceData } : {}),
      ...(p.name ? { name: p.name } : {}),
    });
  }

  private gauss(): number {
    // Box–Muller on the seeded generator
    const u = Math.max(1e-12, this.random());
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
