// AES-128-CCM through the Bangle.js 2's native AES.ccmEncrypt (M=4, 13-byte nonce). Protocol SPEC §3.1.
// Downlinks are verified by sealing their clear param again and comparing tags (SPEC §3.3), so no
// decryption is needed on the pendant.
var VCcm = {
  seal: function (k, n, p) {
    var r = AES.ccmEncrypt(p, k, n, 4);
    return { c: new Uint8Array(r.data), t: new Uint8Array(r.tag) };
  }
};
