/**
 * The centre's VAPID key pair (RFC 8292): the application-server key a browser subscribes with, and
 * the key that signs the JWT each push request carries. Configured (`push.vapid`), or made at first
 * start and kept in `<dataDir>/vapid.json` (mode 0600): a key that changed would orphan every
 * subscription — browsers refuse pushes signed by another key than the one they subscribed with — so
 * the file is made once and read ever after, and a file that cannot be read stops the start loudly
 * rather than being silently replaced.
 *
 * Keys are base64url: the public key the 65-byte uncompressed P-256 point, the private key the
 * 32-byte scalar (the forms the Push API's `applicationServerKey` and web-push take).
 */
import { createECDH, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export const VAPID_FILE = 'vapid.json';

const B64URL = /^[A-Za-z0-9_-]+$/;

function bytes(s: unknown): Buffer | undefined {
  return typeof s === 'string' && B64URL.test(s) ? Buffer.from(s, 'base64url') : undefined;
}

/** A P-256 public key in the uncompressed form (0x04 ‖ x ‖ y) that lies on the curve, or why not. */
export function p256PointProblem(point: Buffer): string | undefined {
  if (point.length !== 65 || point[0] !== 4) return 'must be an uncompressed P-256 point (65 bytes, base64url)';
  try {
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
    return undefined;
  } catch {
    return 'is not a point on the P-256 curve';
  }
}

/** Every problem of a key pair, by path (`<path>.publicKey: …`); none when the pair is usable. */
export function vapidProblems(keys: { publicKey?: unknown; privateKey?: unknown }, path: string): string[] {
  const errors: string[] = [];
  const pub = bytes(keys.publicKey);
  const priv = bytes(keys.privateKey);
  if (!pub) errors.push(`${path}.publicKey: must be base64url`);
  else {
    const p = p256PointProblem(pub);
    if (p) errors.push(`${path}.publicKey: ${p}`);
  }
  if (!priv || priv.length !== 32) errors.push(`${path}.privateKey: must be a 32-byte P-256 private key (base64url)`);
  if (errors.length === 0) {
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(priv!);
      if (!ecdh.getPublicKey().equals(pub!)) errors.push(`${path}.publicKey: does not belong to privateKey`);
    } catch {
      errors.push(`${path}.privateKey: is not a valid P-256 private key`);
    }
  }
  return errors;
}

export function generateVapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // getPrivateKey() drops leading zero bytes; the scalar is always written as 32.
  const priv = Buffer.alloc(32);
  const raw = ecdh.getPrivateKey();
  raw.copy(priv, 32 - raw.length);
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: priv.toString('base64url') };
}

/**
 * The configured keys, else those of `<dataDir>/vapid.json`, made there at the first start. Throws
 * (naming the file and what is wrong) when the file exists but is not a valid key pair.
 */
export function loadVapidKeys(opts: { configured: VapidKeys | null; dataDir: string }): { keys: VapidKeys; source: 'config' | 'file' | 'generated'; file?: string } {
  if (opts.configured) return { keys: opts.configured, source: 'config' };
  const file = join(opts.dataDir, VAPID_FILE);
  if (!existsSync(file)) {
    const keys = generateVapidKeys();
    try {
      // 'wx': never overwrite a file another process made in the meantime (then that one is read).
      writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      return { keys, source: 'generated', file };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not readable as JSON (${(e as Error).message}); restore it from a backup — a new key would orphan every push subscription`);
  }
  const k = (parsed && typeof parsed === 'object' ? parsed : {}) as Partial<VapidKeys>;
  const problems = vapidProblems(k, file);
  if (problems.length) throw new Error(`${problems.join('; ')} — restore the file from a backup; a new key would orphan every push subscription`);
  return { keys: { publicKey: k.publicKey!, privateKey: k.privateKey! }, source: 'file', file };
}
