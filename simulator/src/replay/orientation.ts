/**
 * Where a pendant is worn, as a rotation from the recording's sensor axes into the board's axes.
 * SisFall (falls README): waist-worn, y vertical pointing down, z forward, x medio-lateral; every
 * accelerometer here reads +1 g on the axis that points up at rest.
 *
 * The rotations only move the axes. The motion is still that of the waist: a chest or neck pendant
 * swings and is damped by clothing, a wrist moves with the arm; none of that can be made from waist
 * data (docs/simulator.md, "Positions").
 */
import { mulberry32 } from '../random';

export const POSITIONS = ['waist', 'chest', 'neck', 'wrist'] as const;
export type Position = (typeof POSITIONS)[number];

/** Row-major 3×3 rotation matrix: board = M · sensor. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Rotation by `deg` about the board's x axis (a forward tilt of a badge facing forward). */
function aboutX(deg: number): Mat3 {
  const r = (deg * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  return [1, 0, 0, 0, c, -s, 0, s, c];
}

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
  chest: { matrix: mul(aboutX(15), BADGE_FORWARD), description: 'chest pendant facing forward, top up, lying 15° back on the chest' },
  neck: { matrix: BADGE_FORWARD, description: 'neck pendant hanging facing forward, top up' },
  wrist: { matrix: WATCH_LEFT_WRIST, description: "watch on the left wrist, arm hanging: x down the forearm, y forward (waist motion, watch axes)" },
};

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

/** The rotation for a trial: the position's mounting, then (optionally) a random fixed orientation. */
export function trialRotation(position: Position, rotateSeed: number | undefined, trialKey: string): Mat3 {
  const mount = POSITION_ROTATIONS[position].matrix;
  return rotateSeed === undefined ? mount : mul(randomRotation((hashString(trialKey) ^ rotateSeed) >>> 0), mount);
}

export { IDENTITY };
