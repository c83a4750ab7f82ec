/** A radio transport held in memory, for bridge tests: frames are injected, downlinks recorded. */
import { EventEmitter } from 'node:events';
import { TransportError, type RadioFrame, type RadioKind, type RadioTransport, type TransportEvents, type TransportStatus } from '../gateway/src/transport/types';

export class MemoryTransport extends EventEmitter<TransportEvents> implements RadioTransport {
  readonly sent: { address: string; payload: Uint8Array }[] = [];
  /** Emits `sent` after each downlink, for tests that wait on it. */
  readonly sends = new EventEmitter();
  private state: TransportStatus = { state: 'stopped' };
  failSends = false;

  constructor(
    readonly id: string,
    readonly kind: RadioKind = 'ble',
  ) {
    super();
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
    if (this.state.state !== 'running') throw new TransportError('not_running', 'stopped');
    if (this.failSends) throw new TransportError('unreachable', `${address} unreachable`);
    this.sent.push({ address, payload: payload.slice() });
    this.sends.emit('sent');
  }

  status(): TransportStatus {
    return this.state;
  }

  /** Hears a frame and waits until `bridge` has handled it (queued or dropped). */
  async hearAndSettle(payload: Uint8Array, address: string, rssiDbm: number, receivedAt: number, bridge: { handleFrame(f: RadioFrame): Promise<void> }): Promise<void> {
    await bridge.handleFrame({ payload, kind: this.kind, transportId: this.id, address, rssiDbm, snrDb: null, receivedAt });
  }

  hear(payload: Uint8Array, address: string, rssiDbm: number, receivedAt: number): void {
    this.emit('frame', { payload, kind: this.kind, transportId: this.id, address, rssiDbm, snrDb: null, receivedAt });
  }
}
