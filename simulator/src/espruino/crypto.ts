/**
 * The crypto each board really has (ESPRUINO.md §2): Puck.js — require("crypto") with SHA1/SHA224/
 * SHA256 and AES (ECB/CBC/CTR/CFB/OFB; CTR ignores the iv), also global as AES; Bangle.js 2 —
 * SHA1…SHA512 in require("crypto") and a global AES with only ccmEncrypt/ccmDecrypt. Backed by Node's
 * crypto. How they fail was recorded from the real interpreter (firmware/check/fixtures/probes/aes-*):
 * the Puck's AES throws on a key that is not 16, 24 or 32 bytes and leaves a partial last block as
 * it is; the Bangle's ccmEncrypt returns undefined on a bad key or nonce, ccmDecrypt undefined on a
 * bad tag (each with an `ERROR:` line on the console).
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

function keyBytes(key: unknown): Uint8Array | undefined {
  if (key === undefined || key === null) return undefined;
  const k = toBytes(key);
  return [16, 24, 32].includes(k.length) ? k : undefined;
}

function aesKey(key: unknown): Uint8Array {
  const k = keyBytes(key);
  if (!k) throw new Error('Unsupported first argument of type undefined');
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
    if (!['ECB', 'CBC', 'CTR', 'CFB', 'OFB'].includes(mode)) throw new Error(`Unknown Crypto mode "${options?.mode ?? ''}"`);
    const alg = `aes-${bits}-${mode.toLowerCase()}`;
    const c = decrypt ? createDecipheriv(alg, k, iv) : createCipheriv(alg, k, iv);
    c.setAutoPadding(false);
    // ECB and CBC work on whole blocks: a partial last block is left as it is
    const whole = mode === 'ECB' || mode === 'CBC' ? data.length - (data.length % 16) : data.length;
    const out = new Uint8Array(data.length);
    out.set(Buffer.concat([c.update(data.subarray(0, whole)), c.final()]));
    out.set(data.subarray(whole), whole);
    return ab(realm, out);
  };
  return { encrypt: run(false), decrypt: run(true) };
}

/** Bangle.js 2 global `AES.ccmEncrypt(msg, key, nonce, tagLen)` / `ccmDecrypt(data, key, nonce, tag)`. */
function bangleAes(realm: Realm) {
  return {
    ccmEncrypt: (msg: unknown, key: unknown, nonce: unknown, tagLen: number): { data: ArrayBuffer; tag: ArrayBuffer } | undefined => {
      const k = keyBytes(key);
      const n = nonce === undefined ? new Uint8Array(0) : toBytes(nonce);
      if (!k || k.length !== 16 || n.length < 7 || n.length > 13) return undefined;
      const c = createCipheriv('aes-128-ccm', k, n, { authTagLength: tagLen });
      const data = Buffer.concat([c.update(toBytes(msg)), c.final()]);
      return { data: ab(realm, new Uint8Array(data)), tag: ab(realm, new Uint8Array(c.getAuthTag())) };
    },
    ccmDecrypt: (data: unknown, key: unknown, nonce: unknown, tag: unknown): ArrayBuffer | undefined => {
      const t = toBytes(tag);
      try {
        const d = createDecipheriv('aes-128-ccm', toBytes(key), toBytes(nonce), { authTagLength: t.length });
        d.setAuthTag(t);
        const plain = d.update(toBytes(data));
        d.final();
        return ab(realm, new Uint8Array(plain));
      } catch {
        return undefined;
      }
    },
  };
}

export type CryptoProfile = 'puck' | 'bangle' | 'sha-only';

export function createCryptoModule(profile: CryptoProfile, realm: Realm): { module: Record<string, unknown>; globalAES?: Record<string, unknown> } {
  const base: Record<string, unknown> = { SHA1: hash(realm, 'sha1'), SHA224: hash(realm, 'sha224'), SHA256: hash(realm, 'sha256') };
  if (profile === 'puck') {
    const AES = puckAes(realm);
    return { module: { ...base, AES }, globalAES: AES };
  }
  if (profile === 'bangle') return { module: { ...base, SHA384: hash(realm, 'sha384'), SHA512: hash(realm, 'sha512') }, globalAES: bangleAes(realm) };
  return { module: base };
}
