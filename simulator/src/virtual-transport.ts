/**
 * The gateway's radio seam, implemented on the virtual air: a BLE scanner at a position that hears
 * adverts the way noble reports them and delivers downlinks by GATT write.
 */
import { EventEmitter } from 'node:events';
import { TransportError, type RadioTransport, type TransportEvents, type TransportStatus } from '../../gateway/src/transport/types';
import { BLE_COMPANY_ID, GATT_DOWNLINK_UUID, GATT_SERVICE_UUID, vigilPayload } from '../../protocol/src';
import type { Point, VirtualAir } from './air';
import { parseAdvert } from './espruino/advert';

export interface VirtualBleOptions {
  id: string;
  air: VirtualAir;
  position: Point;
  companyId?: number;
  captureProbability?: number;
  sensitivityDbm?: number;
}

export class VirtualBleTransport extends EventEmitter<TransportEvents> implements RadioTransport {
  readonly id: string;
  readonly kind = 'ble' as const;
  private state: TransportStatus = { state: 'stopped' };
  private readonly scannerId: string;

  constructor(private readonly opts: VirtualBleOptions) {
    super();
    this.id = opts.id;
    this.scannerId = `gw:${opts.id}`;
  }

  async start(): Promise<void> {
    const companyId = this.opts.companyId ?? BLE_COMPANY_ID;
    this.opts.air.addScanner({
      id: this.scannerId,
      position: this.opts.position,
      ...(this.opts.captureProbability === undefined ? {} : { captureProbability: this.opts.captureProbability }),
      ...(this.opts.sensitivityDbm === undefined ? {} : { sensitivityDbm: this.opts.sensitivityDbm }),
      onAdvert: (h) => {
        const ad = parseAdvert(h.bytes);
        if (ad.manufacturerId === undefined || !ad.manufacturerData) return;
        const withCompany = new Uint8Array(ad.manufacturerData.length + 2);
        withCompany[0] = ad.manufacturerId & 0xff;
        withCompany[1] = ad.manufacturerId >> 8;
        withCompany.set(ad.manufacturerData, 2);
        const payload = vigilPayload(withCompany, companyId);
        if (!payload) return;
        this.emit('frame', { payload, kind: 'ble', transportId: this.id, address: h.address, rssiDbm: h.rssiDbm, snrDb: null, receivedAt: h.atMs });
      },
    });
    this.setState({ state: 'running' });
  }

  async stop(): Promise<void> {
    this.opts.air.removeScanner(this.scannerId);
    this.setState({ state: 'stopped' });
  }

  async send(address: string, payload: Uint8Array): Promise<void> {
    if (this.state.state !== 'running') throw new TransportError('not_running', `${this.id} is ${this.state.state}`);
    const ok = await this.opts.air.gattWrite(this.scannerId, address, GATT_SERVICE_UUID, GATT_DOWNLINK_UUID, payload);
    if (!ok) throw new TransportError('unreachable', `${address} did not accept the GATT write`);
  }

  status(): TransportStatus {
    return this.state;
  }

  private setState(s: TransportStatus): void {
    this.state = s;
    this.emit('status', s);
  }
}
