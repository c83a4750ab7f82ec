/**
 * A virtual pendant: a provisioned Espruino board running the built firmware, placed on the air.
 * The simulator, scenarios, the demo and the end-to-end tests all use pendants made this way. The
 * gesture helpers act like the worker (docs/firmware.md "Gestures"), so callers need not know them.
 */
import type { Clock } from '../../common/clock';
import { loadDist, type FirmwareBoard } from '../../firmware/tools/build';
import type { Point, VirtualAir } from './air';
import { tapBangle } from './espruino/bangle';
import { VirtualBoard } from './espruino/board';
import { tapPuck } from './espruino/puck';
import { toBytes } from './espruino/storage';

export interface PendantOptions {
  board: FirmwareBoard;
  deviceId: string;
  key: string;
  clock: Clock;
  air?: VirtualAir;
  position?: Point;
  /** Extra settings merged into the pendant's vigil.json (keys: docs/firmware.md). */
  settings?: Record<string, unknown>;
  batteryPct?: number | ((nowMs: number) => number);
  random?: () => number;
  /** A name for logs and reports, e.g. the worker. */
  label?: string;
  /** The modem of a `lora` pendant (default RN2483). */
  loraModem?: 'rn2483' | 'rak3172';
}

/** Long enough for the default SOS hold (2 s) with margin. */
export const SOS_HOLD_MS = 2300;

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
      ...(opts.loraModem ? { loraModem: opts.loraModem } : {}),
    });
    const settings = { ...(opts.settings ?? {}), id: opts.deviceId, key: opts.key };
    this.board.flash.files.set('vigil.json', toBytes(JSON.stringify(settings)));
  }

  /** Powers the pendant on with the firmware file that ships to devices. */
  start(): void {
    this.board.boot(loadDist(this.opts.board), `firmware/dist/${this.opts.board}.js`);
    if (this.opts.air) this.opts.air.attachBoard(this.board, this.opts.position ?? { x: 0, y: 0 });
  }

  /** Holds the button for `holdMs`; the default is the SOS gesture (hold ≥ 2 s). */
  pressButton(holdMs = SOS_HOLD_MS): void {
    this.board.press('BTN', holdMs);
  }

  /** The SOS gesture: hold the button. */
  sos(): void {
    this.pressButton(SOS_HOLD_MS);
  }

  /**
   * `count` short presses 250 ms apart: one cancels a pre-alarm or confirms a check-in (otherwise it
   * shows the mode, or opens the menu on a Bangle.js 2); three switch protection on or off.
   */
  click(count = 1): void {
    for (let i = 0; i < count; i++) this.opts.clock.setTimeout(() => this.board.press('BTN', 120), i * 250);
  }

  /** One tap on the face of the pendant (two within 2 s = silent duress). */
  tap(): boolean {
    return this.opts.board === 'bangle2' ? tapBangle(this.board, { dir: 'front' }) : tapPuck(this.board, { axis: 'z', peakG: 3 });
  }

  /** The duress gesture: two taps 600 ms apart. */
  duress(): void {
    this.tap();
    this.opts.clock.setTimeout(() => this.tap(), 600);
  }

  stop(): void {
    this.opts.air?.detachBoard(this.board);
    this.board.shutdown();
  }
}
