/** The CCM built on a cached AES-ECB cipher (protocol/src/ccm.ts) against Node's native aes-128-ccm. */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ccmDecrypt, ccmEncrypt } from '../../protocol/src';
import { mulberry32 } from '../../simulator/src/random';

const rnd = mulberry32(0xcc11);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));

function native(key: Uint8Array, nonce: Uint8Array, m: Uint8Array, tagLength: number) {
  const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: tagLength });
  const ct = Buffer.concat([c.update(m), c.final()]);
  return { ciphertext: new Uint8Array(ct), tag: new Uint8Array(c.getAuthTag()) };
}

describe('AES-128-CCM over a cached ECB cipher', () => {
  it('equals native CCM for 3,000 random keys, nonces, lengths 0–100 and tag lengths 4–16', () => {
    for (let i = 0; i < 3000; i++) {
      const key = bytes(16);
      const nonce = bytes(13);
      const m = bytes(Math.floor(rnd() * 101));
      const tagLength = 4 + 2 * Math.floor(rnd() * 7);
      const ours = ccmEncrypt(key, nonce, m, tagLength);
      expect(ours).toEqual(native(key, nonce, m, tagLength));
      expect(ccmDecrypt(key, nonce, ours.ciphertext, ours.tag)).toEqual(m);
    }
  });

  it('rejects exactly what native CCM rejects: any changed ciphertext, tag or nonce byte', () => {
    const key = bytes(16);
    const nonce = bytes(13);
    const m = bytes(12);
    const { ciphertext, tag } = ccmEncrypt(key, nonce, m);
    const nativeOpens = (n: Uint8Array, c: Uint8Array, t: Uint8Array): boolean => {
      try {
        const d = createDecipheriv('aes-128-ccm', key, n, { authTagLength: 4 });
        d.setAuthTag(t);
        d.update(c);
        d.final();
        return true;
      } catch {
        return false;
      }
    };
    const all = [...nonce, ...ciphertext, ...tag];
    for (let i = 0; i < all.length; i++) {
      for (const mask of [1, 0x80, 0xff]) {
        const x = Uint8Array.from(all);
        x[i] = x[i]! ^ mask;
        const [n, c, t] = [x.subarray(0, 13), x.subarray(13, 25), x.subarray(25)];
        expect(ccmDecrypt(key, n, c, t) !== undefined).toBe(nativeOpens(n, c, t));
        expect(ccmDecrypt(key, n, c, t)).toBeUndefined();
      }
    }
  });

  it('keys its cipher cache by key content, not by array identity', () => {
    const buf = bytes(16);
    const nonce = bytes(13);
    const m = bytes(12);
    const first = ccmEncrypt(buf, nonce, m);
    buf[0] = buf[0]! ^ 1; // the same array, now another key
    expect(ccmEncrypt(buf, nonce, m)).toEqual(native(buf, nonce, m, 4));
    expect(ccmEncrypt(buf, nonce, m)).not.toEqual(first);
  });

  it('treats a bad tag length from outside as a failed check, not a crash', () => {
    expect(ccmDecrypt(bytes(16), bytes(13), bytes(12), bytes(3))).toBeUndefined();
    expect(ccmDecrypt(bytes(16), bytes(13), bytes(12), bytes(17))).toBeUndefined();
  });
});
