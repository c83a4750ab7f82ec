/**
 * Password hashes for broker credentials and console users: scrypt with a random salt, stored as
 * `scrypt$<N>$<r>$<p>$<salt hex>$<hash hex>`. `npx vigil hash-password` prints one.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const LEN = 32;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, LEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'hex');
  const expected = Buffer.from(parts[5]!, 'hex');
  if (!n || !r || !p || expected.length === 0) return false;
  try {
    const actual = scryptSync(password, salt, expected.length, { N: n, r, p, maxmem: 256 * n * r });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/**
 * verifyPassword off the event loop (libuv's thread pool): a check costs about 50–100 ms of CPU, and
 * logins are what a stranger can ask for — done inline, each would hold up every alarm in the process
 * for that long. An unknown user (no hash) is checked against a dummy hash all the same, so the time
 * an answer takes does not tell which user names exist.
 */
export function verifyPasswordAsync(password: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? DUMMY).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return Promise.resolve(false);
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'hex');
  const expected = Buffer.from(parts[5]!, 'hex');
  if (!n || !r || !p || expected.length === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      scrypt(password, salt, expected.length, { N: n, r, p, maxmem: 256 * n * r }, (err, actual) => resolve(!err && stored !== undefined && timingSafeEqual(actual, expected)));
    } catch {
      resolve(false);
    }
  });
}

/** A hash of nothing anybody knows, at the same cost as real ones. */
const DUMMY = `scrypt$${N}$${R}$${P}$${'00'.repeat(16)}$${'00'.repeat(LEN)}`;

export function isPasswordHash(s: string): boolean {
  return /^scrypt\$\d+\$\d+\$\d+\$[0-9a-f]+\$[0-9a-f]+$/.test(s);
}
