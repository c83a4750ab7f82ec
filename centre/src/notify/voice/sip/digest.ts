/**
 * Digest authentication for SIP (RFC 3261 §22.4 with RFC 2617, and SHA-256 of RFC 8760): answers a
 * 401 WWW-Authenticate or 407 Proxy-Authenticate challenge. qop=auth when offered (auth-int is not
 * used by the trunks we target and is refused), the RFC 2069 form without qop.
 */
import { createHash, randomBytes } from 'node:crypto';
import { splitList } from './message';

export interface Challenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';
  qop: 'auth' | null;
  stale: boolean;
}

export type ChallengeResult = { ok: true; challenge: Challenge } | { ok: false; detail: string };

const ALGORITHMS = new Map<string, Challenge['algorithm']>([['md5', 'MD5'], ['md5-sess', 'MD5-sess'], ['sha-256', 'SHA-256'], ['sha-256-sess', 'SHA-256-sess']]);

export function parseChallenge(value: string): ChallengeResult {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return { ok: false, detail: `not a Digest challenge: ${value.slice(0, 30)}` };
  const p = new Map<string, string>();
  for (const part of splitList(m[1]!)) {
    const eq = part.indexOf('=');
    if (eq > 0) p.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim().replace(/^"(.*)"$/s, '$1'));
  }
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || !nonce) return { ok: false, detail: 'the challenge has no realm or nonce' };
  const algorithm = ALGORITHMS.get((p.get('algorithm') ?? 'MD5').toLowerCase());
  if (!algorithm) return { ok: false, detail: `unsupported algorithm ${p.get('algorithm')}` };
  const qops = (p.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter(Boolean);
  if (qops.length && !qops.includes('auth')) return { ok: false, detail: `unsupported qop ${p.get('qop')}` };
  return { ok: true, challenge: { realm, nonce, opaque: p.get('opaque') ?? null, algorithm, qop: qops.length ? 'auth' : null, stale: p.get('stale')?.toLowerCase() === 'true' } };
}

export interface Credentials {
  username: string;
  password: string;
}

/** The Authorization / Proxy-Authorization value for `method uri`; `nc` counts uses of this nonce (1, 2…). */
export function digestAuthorization(c: Challenge, cred: Credentials, method: string, uri: string, nc = 1, cnonce = randomBytes(8).toString('hex')): string {
  const h = (s: string): string => createHash(c.algorithm.startsWith('SHA-256') ? 'sha256' : 'md5').update(s, 'utf8').digest('hex');
  let ha1 = h(`${cred.username}:${c.realm}:${cred.password}`);
  if (c.algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const ncHex = nc.toString(16).padStart(8, '0');
  const response = c.qop ? h(`${ha1}:${c.nonce}:${ncHex}:${cnonce}:auth:${ha2}`) : h(`${ha1}:${c.nonce}:${ha2}`);
  const q = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;
  const parts = [`username=${q(cred.username)}`, `realm=${q(c.realm)}`, `nonce=${q(c.nonce)}`, `uri=${q(uri)}`, `response=${q(response)}`, `algorithm=${c.algorithm}`];
  if (c.opaque !== null) parts.push(`opaque=${q(c.opaque)}`);
  if (c.qop) parts.push('qop=auth', `nc=${ncHex}`, `cnonce=${q(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}
