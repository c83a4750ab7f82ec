/**
 * The simulator's in-memory radio transport, for bridge tests: frames are injected, downlinks
 * recorded in `sent` (a `sent` event on `sends` after each one).
 */
import { EventEmitter } from 'node:events';
import type { RadioFrame, RadioKind } from '../gateway/src/transport/types';
import { MemoryTransport as SimulatedTransport } from '../simulator/src/memory-transport';

export class MemoryTransport extends SimulatedTransport {
  readonly sent: { address: string; payload: Uint8Array }[] = [];
  /** Emits `sent` after each downlink, for tests that wait on it. */
  readonly sends = new EventEmitter();

  constructor(id: string, kind: RadioKind = 'ble') {
    super(id, kind);
    this.onDownlink = (address, payload) => {
      this.sent.push({ address, payload: payload.slice() });
      this.sends.emit('sent');
    };
  }

  /** Hears a frame and waits until `bridge` has handled it (queued or dropped). */
  async hearAndSettle(payload: Uint8Array, address: string, rssiDbm: number, receivedAt: number, bridge: { handleFrame(f: RadioFrame): Promise<void> }): Promise<void> {
    await bridge.handleFrame({ payload, kind: this.kind, transportId: this.id, address, rssiDbm, snrDb: null, receivedAt });
  }
}
