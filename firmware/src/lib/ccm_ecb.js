// AES-128-CCM sealing (RFC 3610; M=4, L=2, no AAD) built from the AES-CBC and AES-ECB that Puck.js has
// (the pendant only seals: downlinks are verified by sealing their clear param again, SPEC §3.3).
// CBC with a zero IV over B0|message gives the CBC-MAC in its last block; ECB over A0|A1.. gives the
// CTR keystream (Puck's CTR mode ignores the iv, so it cannot be used). Protocol SPEC §3.1.
var VCcm = (function () {
  var C = require("crypto").AES;
  function blocks(n, m, cnt) {
    // cnt+1 counter blocks A0..Acnt: flags 0x01 | nonce | 16-bit index
    var a = new Uint8Array(16 * (cnt + 1));
    for (var i = 0; i <= cnt; i++) { a[i * 16] = 1; a.set(n, i * 16 + 1); a[i * 16 + 15] = i; }
    return a;
  }
  function stream(k, n, len) {
    return new Uint8Array(C.encrypt(blocks(n, len, (len + 15) >> 4), k, { mode: "ECB" }));
  }
  function mac(k, n, p) {
    var nb = (p.length + 15) >> 4;
    var b = new Uint8Array(16 * (nb + 1));
    b[0] = 0x09; b.set(n, 1); b[14] = p.length >> 8; b[15] = p.length & 255;
    b.set(p, 16);
    var x = new Uint8Array(C.encrypt(b, k, { mode: "CBC", iv: new Uint8Array(16) }));
    return x.slice(x.length - 16, x.length - 12);
  }
  function xor(d, s, off) {
    var o = new Uint8Array(d.length);
    for (var i = 0; i < d.length; i++) o[i] = d[i] ^ s[off + i];
    return o;
  }
  return {
    // returns {c: ciphertext, t: 4-byte tag}
    seal: function (k, n, p) {
      var s = stream(k, n, p.length);
      return { c: xor(p, s, 16), t: xor(mac(k, n, p), s, 0) };
    }
  };
})();
