/**
 * AES-128-CCM with a 13-byte nonce (L = 2) and a 4-byte tag, no associated data (SPEC §3.1).
 * The header fields are authenticated by being part of the nonce (§3.2), which is what the
 * Bangle.js 2's `AES.ccmEncrypt` (no AAD argument) and the Puck.js's CCM-from-ECB can both do.
 *
 * Built here, like on the Puck.js, from AES-ECB: one cached ECB cipher per key encrypts the counter
 * blocks A0…An and B0 in one call, then the CBC-MAC chains over the message blocks. That avoids a
 * cipher set-up and, for forged frames, an exception per frame (SPEC §9.7: a gateway must shrug off
 * floods). test/protocol/ccm.test.ts checks it against Node's native aes-128-ccm.
 */
import { type Cipher, createCipheriv } from 'node:crypto';
import { KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './layout';

export interface Sealed {
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

const L = 15 - NONCE_LENGTH; // 2: message length field bytes, and counter bytes in A_i
const MAX_MESSAGE = 2 ** (8 * L) - 1;
const CACHE_LIMIT = 4096;
const ciphers = new Map<string, Cipher>();
const HEX = Array.from({ length: 256 }, (_v, i) => i.toString(16).padStart(2, '0'));

/** The ECB cipher of a key, by content (a caller may reuse an array for another key). */
function ecb(key: Uint8Array): Cipher {
  let id = '';
  for (let i = 0; i < key.length; i++) id += HEX[key[i]!];
  let c = ciphers.get(id);
  if (!c) {
    if (ciphers.size >= CACHE_LIMIT) ciphers.clear();
    c = createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    ciphers.set(id, c);
  }
  return c;
}

/**
 * A0…An (key stream blocks, n = message blocks) followed by B0, encrypted in one ECB call.
 * Returns the n + 2 encrypted blocks: S0, S1…Sn, then X1 = AES(B0).
 */
function firstPass(c: Cipher, nonce: Uint8Array, length: number, tagLength: number): Buffer {
  const n = Math.ceil(length / 16);
  const blocks = Buffer.alloc(16 * (n + 2));
  for (let i = 0; i <= n; i++) {
    const o = 16 * i;
    blocks[o] = L - 1; // flags of A_i: L' = L − 1
    blocks.set(nonce, o + 1);
    blocks[o + 14] = (i >> 8) & 0xff;
    blocks[o + 15] = i & 0xff;
  }
  const b0 = 16 * (n + 1);
  blocks[b0] = 8 * ((tagLength - 2) / 2) + (L - 1); // flags of B0: Adata = 0, M', L'
  blocks.set(nonce, b0 + 1);
  blocks[b0 + 14] = (length >> 8) & 0xff;
  blocks[b0 + 15] = length & 0xff;
  return c.update(blocks);
}

/** CBC-MAC over the message blocks, starting from X1 = AES(B0); returns the last X. */
function cbcMac(c: Cipher, x1: Buffer, message: Uint8Array): Buffer {
  let x = x1;
  const block = Buffer.alloc(16);
  for (let o = 0; o < message.length; o += 16) {
    for (let i = 0; i < 16; i++) block[i] = x[i]! ^ (o + i < message.length ? message[o + i]! : 0);
    x = c.update(block);
  }
  return x;
}

export function ccmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, tagLength: number = TAG_LENGTH): Sealed {
  assertArgs(key, nonce, plaintext.length, tagLength);
  const c = ecb(key);
  const s = firstPass(c, nonce, plaintext.length, tagLength);
  const x = cbcMac(c, s.subarray(s.length - 16), plaintext);
  const ciphertext = new Uint8Array(plaintext.length);
  for (let i = 0; i < plaintext.length; i++) ciphertext[i] = plaintext[i]! ^ s[16 + i]!;
  const tag = new Uint8Array(tagLength);
  for (let i = 0; i < tagLength; i++) tag[i] = x[i]! ^ s[i]!;
  return { ciphertext, tag };
}

/** Returns the plaintext, or undefined when the tag does not verify. Never throws on bad data. */
export function ccmDecrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
  if (tag.length < 4 || tag.length > 16 || tag.length % 2 !== 0 || ciphertext.length > MAX_MESSAGE) return undefined;
  assertArgs(key, nonce, ciphertext.length, tag.length);
  const c = ecb(key);
  const s = firstPass(c, nonce, ciphertext.length, tag.length);
  const plaintext = new Uint8Array(ciphertext.length);
  for (let i = 0; i < ciphertext.length; i++) plaintext[i] = ciphertext[i]! ^ s[16 + i]!;
  const x = cbcMac(c, s.subarray(s.length - 16), plaintext);
  let diff = 0; // constant time over the tag
  for (let i = 0; i < tag.length; i++) diff |= x[i]! ^ s[i]! ^ tag[i]!;
  return diff === 0 ? plaintext : undefined;
}

function assertArgs(key: Uint8Array, nonce: Uint8Array, length: number, tagLength: number): void {
  // Programmer errors: keys, nonces and lengths are built by our own code, never taken from the air.
  if (key.length !== KEY_LENGTH) throw new Error(`AES-128 key must be ${KEY_LENGTH} bytes, got ${key.length}`);
  if (nonce.length !== NONCE_LENGTH) throw new Error(`CCM nonce must be ${NONCE_LENGTH} bytes, got ${nonce.length}`);
  if (length > MAX_MESSAGE) throw new Error(`CCM message longer than ${MAX_MESSAGE} bytes`);
  if (tagLength < 4 || tagLength > 16 || tagLength % 2 !== 0) throw new Error(`CCM tag length must be 4, 6, …, 16, got ${tagLength}`);
}
