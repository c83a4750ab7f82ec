/**
 * A virtual pendant: a provisioned Espruino board running the built firmware, placed on the air.
 * The simulator, scenarios, the demo and the end-to-end tests all use pendants made this way.
 */
import type { Clock } from '../../common/clock';
import { loadDist, type FirmwareBoard } from '../../firmware/tools/build';
import type { Point, VirtualAir } from './air';
import { VirtualBoard } from './espruino/board';
import { toBytes } from './espruino/storage';

export interface PendantOptions {
  board: FirmwareBoard;
  deviceId: string;
  key: string;
  clock: Clock;
  air?: VirtualAir;
  position?: Point;
  /** Extra settings merged into the pendant's vigil.json. */
  settings?: Record<string, unknown>;
  batteryPct?: number | ((nowMs: number) => number);
  random?: () => number;
  /** A name for logs and reports, e.g. the worker. */
  label?: string;
}

export function addressFor(deviceId: string): string {
  const b = deviceId.match(/../g)!;
  return `d4:${b[0]}:${b[1]}:${b[2]}:${b[3]}:01 random`.toLowerCase();
}

export class VirtualPendant {
  readonly board: VirtualBoard;
  readonly label: string;

  constructor(readonly opts: PendantOptions) {
    this.label = opts.label ?? opts.deviceId;
    this.board = new VirtualBoard({
      board: opts.board,
      clock: opts.clock,
      address: addressFor(opts.deviceId),
      ...(opts.batteryPct === undefined ? {} : { batteryPct: opts.batteryPct }),
      ...(opts.random ? { random: opts.random } : {}),
    });
    const settings = { ...(opts.settings ?? {}), id: opts.deviceId, key: opts.key };
    this.board.flash.files.set('vigil.json', toBytes(JSON.stringify(settings)));
  }

  /** Powers the pendant on with the firmware file that ships to devices. */
  start(): void {
    this.board.boot(loadDist(this.opts.board), `firmware/dist/${this.opts.board}.js`);
    if (this.opts.air) this.opts.air.attachBoard(this.board, this.opts.position ?? { x: 0, y: 0 });
  }

  pressButton(holdMs = 150): void {
    this.board.press('BTN', holdMs);
  }

  stop(): void {
    this.opts.air?.detachBoard(this.board);
    this.board.shutdown();
  }
}
