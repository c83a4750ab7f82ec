/**
 * Fake HCI bindings for noble — the one place the BLE transport is faked, at noble's own seam
 * (`new Noble(bindings)`), so the real noble code (peripherals, GATT discovery, write callbacks)
 * runs above it. Pendants are added with a GATT table; writes are recorded.
 */
import { EventEmitter } from 'node:events';
import type { AdapterState, Noble } from '@stoprocent/noble';

export interface FakePendant {
  id: string;
  address: string;
  /** Compact lowercase UUIDs: service → characteristics. */
  gatt: Record<string, string[]>;
  /** Never completes a connection (out of range). */
  unreachable?: boolean;
}

export class FakeNobleBindings extends EventEmitter {
  readonly scans: { serviceUuids: string[]; allowDuplicates: boolean }[] = [];
  readonly writes: { id: string; service: string; characteristic: string; data: Buffer; withoutResponse: boolean }[] = [];
  readonly connects: string[] = [];
  readonly disconnects: string[] = [];
  readonly cancels: string[] = [];
  stopped = 0;
  scanning = false;
  private readonly pendants = new Map<string, FakePendant>();

  constructor(private initialState: AdapterState = 'poweredOn') {
    super();
  }

  /** A Noble instance running on these bindings, as the transport's `loadNoble` returns it. */
  noble(): Noble {
    const NobleClass = require('@stoprocent/noble/lib/noble') as new (bindings: unknown) => Noble;
    return new NobleClass(this);
  }

  addPendant(p: FakePendant): void {
    this.pendants.set(p.id, p);
  }

  /** An advert as the HCI layer reports it. */
  advertise(id: string, manufacturerData: Buffer, rssiDbm: number): void {
    const p = this.pendants.get(id);
    if (!this.scanning) return;
    this.emit('discover', id, p?.address ?? id, 'random', true, { localName: undefined, manufacturerData, serviceData: [], serviceUuids: [], serviceSolicitationUuids: [] }, rssiDbm, true);
  }

  setAdapterState(state: AdapterState): void {
    if (state !== 'poweredOn') this.scanning = false;
    this.emit('stateChange', state);
  }

  // --- the bindings interface noble calls ---
  start(): void {
    setImmediate(() => this.emit('stateChange', this.initialState));
  }
  stop(): void {
    this.stopped++;
    this.scanning = false;
  }
  reset(): void {}
  setScanParameters(): void {
    setImmediate(() => this.emit('scanParametersSet'));
  }
  startScanning(serviceUuids: string[], allowDuplicates: boolean): void {
    this.scans.push({ serviceUuids, allowDuplicates });
    this.scanning = true;
    setImmediate(() => this.emit('scanStart', !allowDuplicates));
  }
  stopScanning(): void {
    this.scanning = false;
    setImmediate(() => this.emit('scanStop'));
  }
  addressToId(address: string): string | null {
    for (const p of this.pendants.values()) if (p.address === address) return p.id;
    return null;
  }
  connect(id: string): void {
    this.connects.push(id);
    const p = this.pendants.get(id);
    if (p?.unreachable) return;
    setImmediate(() => this.emit('connect', id, p ? undefined : new Error('unknown peripheral')));
  }
  cancelConnect(id: string): void {
    this.cancels.push(id);
  }
  disconnect(id: string): void {
    this.disconnects.push(id);
    setImmediate(() => this.emit('disconnect', id, 0x16));
  }
  discoverServices(id: string, uuids: string[]): void {
    const p = this.pendants.get(id);
    const found = Object.keys(p?.gatt ?? {}).filter((u) => uuids.length === 0 || uuids.includes(u));
    setImmediate(() => this.emit('servicesDiscover', id, found));
  }
  discoverCharacteristics(id: string, service: string, uuids: string[]): void {
    const p = this.pendants.get(id);
    const found = (p?.gatt[service] ?? []).filter((u) => uuids.length === 0 || uuids.includes(u)).map((uuid) => ({ uuid, properties: ['write'] }));
    setImmediate(() => this.emit('characteristicsDiscover', id, service, found));
  }
  write(id: string, service: string, characteristic: string, data: Buffer, withoutResponse: boolean): void {
    this.writes.push({ id, service, characteristic, data: Buffer.from(data), withoutResponse });
    setImmediate(() => this.emit('write', id, service, characteristic));
  }
}
