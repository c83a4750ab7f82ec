/**
 * The radio transport seam. BLE (noble), LoRa (serial modem) and the simulator's virtual air all
 * implement it and pass the same contract suite (test/gateway/transport-contract.ts).
 */
import type { EventEmitter } from 'node:events';

export type RadioKind = 'ble' | 'lora';

/** One frame as heard on air, before any decoding. */
export interface RadioFrame {
  /** Manufacturer data of a BLE advert, or a LoRa P2P payload. */
  payload: Uint8Array;
  kind: RadioKind;
  /** Which transport heard it, e.g. `ble0`. */
  transportId: string;
  /** Where a downlink for this sender must go: a BLE address, or the LoRa channel. */
  address: string;
  rssiDbm: number | null;
  snrDb: number | null;
  receivedAt: number;
}

export type TransportState = 'stopped' | 'starting' | 'running' | 'reconnecting' | 'unavailable';

export interface TransportStatus {
  state: TransportState;
  detail?: string;
}

export type TransportEvents = {
  frame: [RadioFrame];
  status: [TransportStatus];
};

export interface RadioTransport extends EventEmitter<TransportEvents> {
  readonly id: string;
  readonly kind: RadioKind;
  /** Starts listening. Resolves once running, or once it has reported `unavailable` (never throws for missing hardware). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Transmits a downlink to `address`; rejects with a coded error when it cannot. */
  send(address: string, payload: Uint8Array): Promise<void>;
  status(): TransportStatus;
}

export class TransportError extends Error {
  constructor(
    readonly code: 'not_running' | 'unreachable' | 'busy' | 'timeout' | 'io',
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
