// AES-128-CCM through the Bangle.js 2's native AES.ccmEncrypt/ccmDecrypt (M=4, 13-byte nonce).
// Protocol SPEC §3.1.
var VCcm = {
  seal: function (k, n, p) {
    var r = AES.ccmEncrypt(p, k, n, 4);
    return { c: new Uint8Array(r.data), t: new Uint8Array(r.tag) };
  },
  open: function (k, n, c, t) {
    var r;
    try { r = AES.ccmDecrypt(c, k, n, t); } catch (e) { r = undefined; } // eslint-disable-line no-unused-vars
    return r ? new Uint8Array(r) : undefined;
  }
};
