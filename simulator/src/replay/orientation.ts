/**
 * How a recording's sensor axes turn into a board's. Each data set has its own axes (falls README,
 * "Axes"): SisFall y down and z forward at the waist; UMAFall and FallAllD +x up. A recording is
 * turned so that the wearer standing upright reads +1 g on the badge's y axis, as on a badge worn
 * facing forward with its top up; the motion stays that of the recorded position (the manifest's
 * `position`: waist, chest or neck). The detectors only use angles between gravity directions and
 * magnitudes, so the mounting matters only for the per-axis clipping at the sensor's range, which
 * `--rotate-random` checks.
 *
 * Scenarios (scenario/motion.ts) replay SisFall walks on a belt badge or in a watch's axes
 * (POSITION_ROTATIONS).
 */
import { mulberry32 } from '../random';

/** Where a scenario's pendant is worn (SisFall motion in that mounting's axes). */
export type Position = 'waist' | 'wrist';

/** Row-major 3×3 rotation matrix: board = M · sensor. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function mul(a: Mat3, b: Mat3): Mat3 {
  const o: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) o.push(a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!);
  return o as unknown as Mat3;
}

/**
 * Badge axes (Puck.js): z out of the face, y toward the top edge, x to the right. Worn facing
 * forward, top up: z = forward (sensor z), y = up (−sensor y), x = −sensor x (a proper rotation,
 * 180° about z).
 */
const BADGE_FORWARD: Mat3 = [-1, 0, 0, 0, -1, 0, 0, 0, 1];

/**
 * Bangle.js 2 on the left wrist, arm hanging, display facing out: 3 o'clock (x) points down the
 * forearm (sensor y, down), 12 o'clock (y) forward (sensor z), z completes the right-handed set
 * (sensor x).
 */
const WATCH_LEFT_WRIST: Mat3 = [0, 1, 0, 0, 0, 1, 1, 0, 0];

export const POSITION_ROTATIONS: Record<Position, { matrix: Mat3; description: string }> = {
  waist: { matrix: BADGE_FORWARD, description: 'belt badge facing forward, top up (the SisFall placement)' },
  wrist: { matrix: WATCH_LEFT_WRIST, description: "watch on the left wrist, arm hanging: x down the forearm, y forward (waist motion, watch axes)" },
};

/** +x up (UMAFall's SensorTags, FallAllD's pendant): x becomes the badge's y; a proper rotation, 90° about z. */
const X_UP: Mat3 = [0, -1, 0, 1, 0, 0, 0, 0, 1];

/** Each data set's sensor axes into the badge's (worn facing forward, top up). */
export const RECORDING_MOUNTS: Record<string, { matrix: Mat3; description: string }> = {
  SisFall: { matrix: BADGE_FORWARD, description: 'y down, z forward, x medio-lateral: y becomes the badge\'s up' },
  UMAFall: { matrix: X_UP, description: '+x up (both SensorTags): x becomes the badge\'s up' },
  FallAllD: { matrix: X_UP, description: '+x up (the neck pendant): x becomes the badge\'s up' },
};

/** The mounting of a data set; an unknown one is an error (its axes must be looked up and added here). */
export function recordingMount(dataset: string): Mat3 {
  const m = RECORDING_MOUNTS[dataset];
  if (!m) throw new Error(`no axes known for data set '${dataset}' (simulator/src/replay/orientation.ts RECORDING_MOUNTS)`);
  return m.matrix;
}

/** A uniformly distributed random rotation (Shoemake's quaternion method) from a seed. */
export function randomRotation(seed: number): Mat3 {
  const rnd = mulberry32(seed);
  const u1 = rnd();
  const u2 = rnd();
  const u3 = rnd();
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  const w = a * Math.sin(2 * Math.PI * u2);
  const x = a * Math.cos(2 * Math.PI * u2);
  const y = b * Math.sin(2 * Math.PI * u3);
  const z = b * Math.cos(2 * Math.PI * u3);
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}

/** FNV-1a of a string: per-trial seeds that do not depend on the order trials are run in. */
export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** The rotation for a trial: its data set's mounting, then (optionally) a random fixed orientation. */
export function trialRotation(dataset: string, rotateSeed: number | undefined, trialKey: string): Mat3 {
  const mount = recordingMount(dataset);
  return rotateSeed === undefined ? mount : mul(randomRotation((hashString(trialKey) ^ rotateSeed) >>> 0), mount);
}

export { IDENTITY };
