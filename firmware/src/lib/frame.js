/* global VCcm */
// Vigil frame v1 for the pendant (protocol/SPEC.md §2–§4): seal uplinks, verify downlinks.
// Same byte layout as protocol/src/layout.ts; both pass protocol/vectors/*.json.
var VFrame = (function () {
  var NCMD = 6, NSET = 20; // downlink commands 1..NCMD and settings 0x81..0x80+NSET (SPEC §4.2, §4.2.1); other codes are reserved
  function u32(a, o, v) { a[o] = (v / 16777216) & 255; a[o + 1] = (v >> 16) & 255; a[o + 2] = (v >> 8) & 255; a[o + 3] = v & 255; }
  function r32(a, o) { return a[o] * 16777216 + ((a[o + 1] << 16) | (a[o + 2] << 8) | a[o + 3]); }
  function nonce(h, dev, ctr) {
    // SPEC §3.2: header | device id | full 32-bit counter | 0 0 0 0
    var n = new Uint8Array(13);
    n[0] = h; u32(n, 1, dev); u32(n, 5, ctr);
    return n;
  }
  return {
    // m: {t: type code, b: battery % or 255, f: flags (bits 0-3), d: detail, r: ref counter,
    //     p: position from bcn() or gps() (frame_gps.js, boards with GPS), or undefined}
    up: function (dev, key, ctr, m) {
      var p = new Uint8Array(12);
      var pk = m.p ? m.p[0] : 0;
      p[0] = m.t; p[1] = m.b; p[2] = (m.f & 15) | (pk << 4); p[3] = m.d || 0;
      p[4] = (m.r >> 8) & 255; p[5] = m.r & 255;
      if (pk) p.set(m.p[1], 6);
      var s = VCcm.seal(key, nonce(0x10, dev, ctr), p);
      var f = new Uint8Array(24);
      f[0] = 0x10; u32(f, 1, dev);
      f[5] = (ctr >> 16) & 255; f[6] = (ctr >> 8) & 255; f[7] = ctr & 255;
      f.set(s.c, 8); f.set(s.t, 20);
      return f;
    },
    // SPEC §2.4 position kind 1: iBeacon major<<16|minor, RSSI dBm, seconds since heard
    bcn: function (id, rssi, age) {
      var b = new Uint8Array(6);
      rssi = Math.round(rssi); age = Math.round(age);
      u32(b, 0, id);
      b[4] = (rssi < -128 ? -128 : rssi > 127 ? 127 : rssi) & 255;
      b[5] = age < 0 ? 0 : age > 255 ? 255 : age;
      return [1, b];
    },
    // SPEC §4.5: returns {c: answered counter, m: command code (0x80 + id for a setting), p: param}, or undefined when the
    // frame is not a v1 downlink for this device, names a reserved command, or does not verify.
    // Whether it is current (§4.6) is the caller's decision.
    down: function (f, dev, key) {
      if (!f || f.length != 16 || f[0] != 0x11 || r32(f, 1) != dev || f[9] < 1 || (f[9] > NCMD && (f[9] < 129 || f[9] > 128 + NSET))) return undefined;
      var n = new Uint8Array(13);
      n.set(f.slice(0, 12), 0);
      var t = VCcm.seal(key, n, f.slice(10, 12)).t, d = 0;
      for (var i = 0; i < 4; i++) d |= t[i] ^ f[12 + i];
      if (d) return undefined;
      return { c: r32(f, 5), m: f[9], p: (f[10] << 8) | f[11] };
    },
    // SPEC §2.4.4 position kind 3, device: firmware version (major << 8 | minor), settings hash
    dev: function (v, h) {
      var b = new Uint8Array(6);
      b[0] = v >> 8; b[1] = v & 255; u32(b, 2, h);
      return [3, b];
    },
    hex: function (a) {
      var s = "";
      for (var i = 0; i < a.length; i++) s += (a[i] < 16 ? "0" : "") + a[i].toString(16);
      return s;
    },
    unhex: function (s) {
      var a = new Uint8Array(s.length >> 1);
      for (var i = 0; i < a.length; i++) a[i] = parseInt(s.substr(i * 2, 2), 16);
      return a;
    }
  };
})();
