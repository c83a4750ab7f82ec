/**
 * AES-128-CCM with a 13-byte nonce (L = 2) and a 4-byte tag, no associated data (SPEC §3.1).
 * The header fields are authenticated by being part of the nonce (§3.2), which is what the
 * Bangle.js 2's `AES.ccmEncrypt` (no AAD argument) and the Puck.js's CCM-from-ECB can both do.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './layout';

export interface Sealed {
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

export function ccmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Sealed {
  assertLengths(key, nonce);
  const cipher = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: TAG_LENGTH });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext: new Uint8Array(ciphertext), tag: new Uint8Array(cipher.getAuthTag()) };
}

/** Returns the plaintext, or undefined when the tag does not verify. Never throws on bad data. */
export function ccmDecrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
  assertLengths(key, nonce);
  if (tag.length !== TAG_LENGTH) return undefined;
  try {
    const decipher = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(tag);
    const plain = decipher.update(ciphertext);
    decipher.final();
    return new Uint8Array(plain);
  } catch {
    return undefined;
  }
}

function assertLengths(key: Uint8Array, nonce: Uint8Array): void {
  // Programmer errors: keys and nonces are built by our own code, never taken from the air.
  if (key.length !== KEY_LENGTH) throw new Error(`AES-128 key must be ${KEY_LENGTH} bytes, got ${key.length}`);
  if (nonce.length !== NONCE_LENGTH) throw new Error(`CCM nonce must be ${NONCE_LENGTH} bytes, got ${nonce.length}`);
}
