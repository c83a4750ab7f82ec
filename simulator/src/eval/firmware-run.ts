/**
 * The firmware engine: one trial replayed through the built firmware (firmware/dist/<board>.js) in
 * the Espruino stand-in on a virtual clock. The evaluator only watches the air: it decodes every new
 * frame with the device key and scores the first automatic alarm frame (fall / man_down /
 * no_motion), which the firmware sends after its pre-alarm unless cancelled.
 */
import { readFileSync } from 'node:fs';
import { VirtualClock } from '../../../common/clock';
import { loadDist } from '../../../firmware/tools/build';
import { decodeUplink, fromHex, type UplinkMessage } from '../../../protocol/src';
import { parseAdvert } from '../espruino/advert';
import { VirtualBoard } from '../espruino/board';
import { accelRateHz, feedAccel, loraModemOf } from '../espruino/profiles';
import { toBytes } from '../espruino/storage';
import { mulberry32 } from '../random';
import { DETECT_SOURCE } from '../replay/detector';
import { hashString } from '../replay/orientation';
import { baseOutcome, preparedFor, type TrialJob, type TrialResult } from './job';

const DEVICE_ID = 'e7a10001';
const KEY_HEX = '000102030405060708090a0b0c0d0e0f';
const KEY = fromHex(KEY_HEX)!;
const AUTOMATIC = new Set(['fall', 'man_down', 'no_motion']);
/** With the fall detector alone, nothing new can start this long into the still tail. */
const QUIET_TAIL_MS = 15_000;

export interface AirFrame {
  atMs: number;
  frame: UplinkMessage;
}

/** Detector settings written to the pendant's vigil.json (keys: docs/firmware.md). */
export function firmwareSettings(job: TrialJob): Record<string, unknown> {
  return {
    sens: job.sens, fall: job.detectors.fall ? 1 : 0, tilt: job.detectors.tilt ? 1 : 0, still: job.detectors.still ? 1 : 0,
    ...(job.firmwareHz === undefined ? {} : { hz: job.firmwareHz }),
  };
}

/**
 * The firmware file an evaluation runs, read once when it starts and handed to every worker, so a
 * rebuild of firmware/dist during a run (tests, another build) cannot mix two builds in one result.
 */
const pinned = new Map<string, string>();

export function pinFirmware(board: string, code: string): void {
  pinned.set(board, code);
}

/**
 * The built firmware, with the fall model's weights replaced when a fold supplies its own: exactly
 * the file a build of detect.js with those constants would give. The build renames local variables,
 * so the model is found by its numbers (the literal `MODEL` array of detect.js), which must occur
 * exactly once.
 */
export function firmwareCode(board: TrialJob['board'], weights: number[] | undefined): string {
  const code = pinned.get(board) ?? loadDist(board);
  if (!weights) return code;
  const source = readFileSync(DETECT_SOURCE, 'utf8').match(/var MODEL = (?:new Float32Array\()?\[([^\]]*)\]/);
  if (!source) throw new Error(`${DETECT_SOURCE}: no 'var MODEL = [...]' (or 'new Float32Array([...])')`);
  const numbers = source[1]!.split(',').map((n) => n.trim().replace(/[.+-]/g, (c) => `\\${c}`));
  const literal = new RegExp(`\\[\\s*${numbers.join('\\s*,\\s*')}\\s*\\]`, 'g');
  const found = code.match(literal) ?? [];
  if (found.length !== 1) throw new Error(`firmware/dist/${board}.js: expected the detect.js model weights once, found ${found.length}`);
  return code.replace(literal, `[${weights.map(String).join(',')}]`);
}

/** Boots a board with the evaluator's device identity and settings; frames on air are collected. */
export function bootEvalBoard(job: TrialJob, clock: VirtualClock): { board: VirtualBoard; frames: AirFrame[] } {
  const board = new VirtualBoard({ board: job.board, clock, batteryPct: 90, random: mulberry32(hashString(job.row.file)) });
  board.flash.files.set('vigil.json', toBytes(JSON.stringify({ ...firmwareSettings(job), id: DEVICE_ID, key: KEY_HEX })));
  const frames: AirFrame[] = [];
  let last = -1;
  const heard = (bytes: Uint8Array | undefined): void => {
    if (!bytes) return;
    const r = decodeUplink(bytes, () => ({ key: KEY }));
    if (!r.ok || r.frame.counter === last) return;
    last = r.frame.counter;
    frames.push({ atMs: clock.now(), frame: r.frame });
  };
  // BLE boards advertise their frames; the LoRa board sends them through its modem on Serial1.
  board.on('advertising', (adv) => heard(adv ? parseAdvert(adv.bytes).manufacturerData : undefined));
  board.boot(firmwareCode(job.board, job.weights), `firmware/dist/${job.board}.js`);
  const modem = loraModemOf(board);
  if (modem) modem.link = { transmit: (bytes) => heard(bytes) };
  return { board, frames };
}

export function runFirmwareTrial(job: TrialJob): TrialResult {
  const clock = new VirtualClock();
  const { board, frames } = bootEvalBoard(job, clock);
  try {
    if (board.errors.length > 0) throw new Error(`firmware failed to boot: ${board.errors[0]!.message}`);
    const rateHz = accelRateHz(board);
    if (rateHz === 0) throw new Error(`the ${job.board} firmware did not switch the accelerometer on`);
    const t = preparedFor(job, rateHz, undefined); // the stand-in quantises and clips like the sensor
    const periodMs = 1000 / rateHz;
    // Times are counted from the recording's start, after the switch-on.
    const start = clock.now() + Math.round(t.prefixSamples * periodMs);
    const fallOnly = !job.detectors.tilt && !job.detectors.still;
    const quietFrom = t.prefixSamples + t.recordedSamples + Math.round((QUIET_TAIL_MS / 1000) * rateHz);
    let pending = false;
    for (let i = 0; i < t.x.length; i++) {
      clock.advanceTo(start + Math.round((i + 1 - t.prefixSamples) * periodMs));
      feedAccel(board, t.x[i]!, t.y[i]!, t.z[i]!);
      const f = frames.at(-1);
      if (f && AUTOMATIC.has(f.frame.type)) break;
      if (f) pending = f.frame.type === 'pre_alarm';
      if (fallOnly && !pending && i >= quietFrom) break;
    }
    if (board.errors.length > 0) throw new Error(`firmware error during ${job.row.file}: ${board.errors[0]!.message}`);
    const outcome = baseOutcome(job, t, periodMs);
    let pre: number | null = null;
    for (const f of frames) {
      const type = f.frame.type;
      if (type === 'pre_alarm') pre = f.atMs - start;
      else if (type === 'cancel') outcome.cancels++;
      else if (AUTOMATIC.has(type) && outcome.alarmMs === null) {
        outcome.alarmMs = f.atMs - start;
        outcome.alarmType = type;
        outcome.preAlarmMs = pre;
      }
    }
    return { outcome, candidates: [], rateHz, prefixSamples: t.prefixSamples };
  } finally {
    board.shutdown();
  }
}
