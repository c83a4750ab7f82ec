/**
 * The crypto each board really has (ESPRUINO.md §2): Puck.js — require("crypto") with SHA1/SHA224/
 * SHA256 and AES (ECB/CBC/CTR/CFB/OFB; CTR ignores the iv); Bangle.js 2 — SHA1…SHA512 in
 * require("crypto") and a global AES with only ccmEncrypt/ccmDecrypt. Backed by Node's crypto.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { toBytes } from './storage';

type Realm = { ArrayBuffer: ArrayBufferConstructor };

function ab(realm: Realm, bytes: Uint8Array): ArrayBuffer {
  const out = new realm.ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

function hash(realm: Realm, alg: string) {
  return (msg: unknown): ArrayBuffer => ab(realm, new Uint8Array(createHash(alg).update(toBytes(msg)).digest()));
}

function aesKey(key: unknown): Uint8Array {
  const k = toBytes(key);
  if (![16, 24, 32].includes(k.length)) throw new Error('Key must be 128, 192 or 256 bits');
  return k;
}

/** Puck.js `require("crypto").AES.encrypt/decrypt(msg, key, {mode, iv})`. */
function puckAes(realm: Realm) {
  const run = (decrypt: boolean) => (msg: unknown, key: unknown, options?: { mode?: string; iv?: unknown }): ArrayBuffer => {
    const k = aesKey(key);
    const mode = (options?.mode ?? 'CBC').toUpperCase();
    const data = toBytes(msg);
    const bits = k.length * 8;
    let iv: Uint8Array | null = options?.iv === undefined ? new Uint8Array(16) : toBytes(options.iv);
    if (mode === 'CTR') iv = new Uint8Array(16); // the firmware ignores the iv in CTR mode
    if (mode === 'ECB') iv = null;
    if (!['ECB', 'CBC', 'CTR', 'CFB', 'OFB'].includes(mode)) throw new Error(`Unknown AES mode ${mode}`);
    if ((mode === 'ECB' || mode === 'CBC') && data.length % 16 !== 0) throw new Error('Message length must be a multiple of 16 bytes');
    const alg = `aes-${bits}-${mode.toLowerCase()}`;
    const c = decrypt ? createDecipheriv(alg, k, iv) : createCipheriv(alg, k, iv);
    c.setAutoPadding(false);
    return ab(realm, new Uint8Array(Buffer.concat([c.update(data), c.final()])));
  };
  return { encrypt: run(false), decrypt: run(true) };
}

/** Bangle.js 2 global `AES.ccmEncrypt(msg, key, nonce, tagLen)` / `ccmDecrypt(data, key, nonce, tag)`. */
function bangleAes(realm: Realm) {
  return {
    ccmEncrypt: (msg: unknown, key: unknown, nonce: unknown, tagLen: number): { data: ArrayBuffer; tag: ArrayBuffer } => {
      const k = toBytes(key);
      if (k.length !== 16) throw new Error('Key must be 16 bytes');
      const n = toBytes(nonce);
      if (n.length < 7 || n.length > 13) throw new Error('Nonce must be between 7 and 13 bytes');
      const c = createCipheriv('aes-128-ccm', k, n, { authTagLength: tagLen });
      const data = Buffer.concat([c.update(toBytes(msg)), c.final()]);
      return { data: ab(realm, new Uint8Array(data)), tag: ab(realm, new Uint8Array(c.getAuthTag())) };
    },
    ccmDecrypt: (data: unknown, key: unknown, nonce: unknown, tag: unknown): ArrayBuffer | null => {
      const t = toBytes(tag);
      try {
        const d = createDecipheriv('aes-128-ccm', toBytes(key), toBytes(nonce), { authTagLength: t.length });
        d.setAuthTag(t);
        const plain = d.update(toBytes(data));
        d.final();
        return ab(realm, new Uint8Array(plain));
      } catch {
        return null;
      }
    },
  };
}

export type CryptoProfile = 'puck' | 'bangle' | 'sha-only';

export function createCryptoModule(profile: CryptoProfile, realm: Realm): { module: Record<string, unknown>; globalAES?: Record<string, unknown> } {
  const base: Record<string, unknown> = { SHA1: hash(realm, 'sha1'), SHA224: hash(realm, 'sha224'), SHA256: hash(realm, 'sha256') };
  if (profile === 'puck') return { module: { ...base, AES: puckAes(realm) } };
  if (profile === 'bangle') return { module: { ...base, SHA384: hash(realm, 'sha384'), SHA512: hash(realm, 'sha512') }, globalAES: bangleAes(realm) };
  return { module: base };
}
