/**
 * A radio transport held in memory, at the gateway's transport seam: frames are `hear`d into the
 * gateway, and each downlink the gateway sends goes to `onDownlink` (a fleet of light pendants, a
 * test's recorder). `failSends` makes every send fail as an unreachable pendant's would. It keeps the
 * radio transport contract (test/simulator/memory-transport.test.ts).
 */
import { EventEmitter } from 'node:events';
import { TransportError, type RadioKind, type RadioTransport, type TransportEvents, type TransportStatus } from '../../gateway/src/transport/types';

export class MemoryTransport extends EventEmitter<TransportEvents> implements RadioTransport {
  onDownlink: ((address: string, payload: Uint8Array) => void) | undefined;
  failSends = false;
  private state: TransportStatus = { state: 'stopped' };

  constructor(
    readonly id: string,
    readonly kind: RadioKind = 'ble',
  ) {
    super();
    this.setMaxListeners(0);
  }

  async start(): Promise<void> {
    this.state = { state: 'running' };
    this.emit('status', this.state);
  }

  async stop(): Promise<void> {
    this.state = { state: 'stopped' };
    this.emit('status', this.state);
  }

  async send(address: string, payload: Uint8Array): Promise<void> {
    if (this.state.state !== 'running') throw new TransportError('not_running', `${this.id} is stopped`);
    if (this.failSends) throw new TransportError('unreachable', `${address} unreachable`);
    this.onDownlink?.(address, payload);
  }

  status(): TransportStatus {
    return this.state;
  }

  /** A frame heard from `address` at `receivedAt` (epoch ms); a stopped radio hears nothing. */
  hear(payload: Uint8Array, address: string, rssiDbm: number, receivedAt: number): void {
    if (this.state.state !== 'running') return;
    this.emit('frame', { payload, kind: this.kind, transportId: this.id, address, rssiDbm, snrDb: null, receivedAt });
  }
}
