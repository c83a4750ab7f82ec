/**
 * The gateway's radio seam for LoRa P2P, implemented on the virtual air: a concentrator at a position
 * tuned to one channel (default 869.525 MHz, SF9, BW125, CR4/5). It hears pendants' uplinks and
 * answers in their receive window, class-A style: a pendant listens for rxMs (3 s by default) right
 * after each uplink (docs/firmware.md), so a downlink is sent at once when the device's last uplink
 * is recent enough, else held until its next uplink. The address of a LoRa sender is `lora:<device
 * id hex>` from the frame's clear header.
 */
import { EventEmitter } from 'node:events';
import { TransportError, type RadioTransport, type TransportEvents, type TransportStatus } from '../../gateway/src/transport/types';
import { peekUplink } from '../../protocol/src';
import type { LoraTxParams, Point, VirtualAir } from './air';

export interface VirtualLoraOptions {
  id: string;
  air: VirtualAir;
  position: Point;
  params?: LoraTxParams;
  sensitivityDbm?: number;
  /** How long after an uplink a downlink may still be sent: the pendant's window minus a margin. */
  rxWindowMs?: number;
  /** Gap between hearing an uplink and transmitting a held downlink. */
  rxDelayMs?: number;
  /** A held downlink fails after this long without an uplink from its device. */
  holdMs?: number;
}

interface Held {
  payload: Uint8Array;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: number;
}

export const DEFAULT_LORA_PARAMS: LoraTxParams = { freqHz: 869_525_000, sf: 9, bwKHz: 125, cr: 5, preamble: 8, powerDbm: 14 };

export class VirtualLoraTransport extends EventEmitter<TransportEvents> implements RadioTransport {
  readonly id: string;
  readonly kind = 'lora' as const;
  private state: TransportStatus = { state: 'stopped' };
  private radio: { transmit: (bytes: Uint8Array, params?: LoraTxParams) => void; remove: () => void } | undefined;
  private readonly params: LoraTxParams;
  private readonly lastHeard = new Map<string, number>();
  private readonly held = new Map<string, Held[]>();

  constructor(private readonly opts: VirtualLoraOptions) {
    super();
    this.id = opts.id;
    this.params = opts.params ?? DEFAULT_LORA_PARAMS;
  }

  async start(): Promise<void> {
    this.radio = this.opts.air.addLoraRadio({
      id: `gw:${this.opts.id}`,
      position: this.opts.position,
      params: () => this.params,
      ...(this.opts.sensitivityDbm === undefined ? {} : { sensitivityDbm: this.opts.sensitivityDbm }),
      onPacket: (bytes, rssiDbm, snrDb) => this.heard(bytes, rssiDbm, snrDb),
    });
    this.setState({ state: 'running' });
  }

  async stop(): Promise<void> {
    this.radio?.remove();
    this.radio = undefined;
    for (const list of this.held.values()) for (const h of list) this.fail(h, new TransportError('not_running', `${this.id} stopped`));
    this.held.clear();
    this.setState({ state: 'stopped' });
  }

  /** Sends a downlink in the device's receive window: now if its last uplink is recent, else after its next one. */
  send(address: string, payload: Uint8Array): Promise<void> {
    if (this.state.state !== 'running' || !this.radio) return Promise.reject(new TransportError('not_running', `${this.id} is ${this.state.state}`));
    const clock = this.opts.air.clock;
    const last = this.lastHeard.get(address);
    if (last !== undefined && clock.now() - last <= (this.opts.rxWindowMs ?? 2500)) {
      this.radio.transmit(payload, this.params);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const h: Held = {
        payload, resolve, reject,
        timer: clock.setTimeout(() => {
          this.held.set(address, (this.held.get(address) ?? []).filter((x) => x !== h));
          reject(new TransportError('timeout', `no uplink from ${address} within ${this.opts.holdMs ?? 120_000} ms to answer`));
        }, this.opts.holdMs ?? 120_000),
      };
      this.held.set(address, [...(this.held.get(address) ?? []), h]);
    });
  }

  status(): TransportStatus {
    return this.state;
  }

  private heard(bytes: Uint8Array, rssiDbm: number, snrDb: number): void {
    const clock = this.opts.air.clock;
    const head = peekUplink(bytes);
    const address = head.ok ? `lora:${head.frame.deviceId.toString(16).padStart(8, '0')}` : 'lora:unknown';
    this.lastHeard.set(address, clock.now());
    this.emit('frame', { payload: bytes.slice(), kind: 'lora', transportId: this.id, address, rssiDbm, snrDb, receivedAt: clock.now() });
    // one downlink per receive window: the pendant's modem stops listening after a packet
    const queue = this.held.get(address);
    const next = queue?.shift();
    if (!next) return;
    clock.clearTimeout(next.timer);
    clock.setTimeout(() => {
      this.radio?.transmit(next.payload, this.params);
      next.resolve();
    }, this.opts.rxDelayMs ?? 300);
  }

  private fail(h: Held, e: Error): void {
    this.opts.air.clock.clearTimeout(h.timer);
    h.reject(e);
  }

  private setState(s: TransportStatus): void {
    this.state = s;
    this.emit('status', s);
  }
}
