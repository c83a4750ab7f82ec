// Pendant settings: Storage "vigil.json" over defaults (docs/firmware.md lists every key), then the
// settings the centre changed over the air (protocol SPEC §4.2.1), kept in their own file "vigil.set"
// so that vigil.json, which holds the key, is never rewritten. `npx vigil device add` prints the line
// that writes id and key; every other setting is optional. Radio and board files add their own
// defaults with VDef, so a board carries only what it uses.
var VSet = require("Storage").readJSON("vigil.json", 1) || {};

function VDef(d) {
  for (var k in d) if (VSet[k] === undefined) VSet[k] = d[k];
}

(function () {
  var o = require("Storage").readJSON("vigil.set", 1) || {}, k;
  for (k in o) VSet[k] = o[k];
})();
VDef({
  id: "00000000", // device id, 8 hex digits
  key: "", // 128-bit key, 32 hex digits
  rep: [2, 4, 8, 15, 30], // alarm repeat backoff until "received", seconds (the last value repeats)
  slow: 30, // repeat period once "received", seconds, until "closed"
  keep: 3600, // stop the slow repeat this long after "received" (0 = only "closed" stops it)
  pre: 20, // pre-alarm cancel window, seconds, 15..45 (DGUV 112-139: pre-alarm <= 45 s)
  sosC: 0, // SOS cancel window, seconds, 0..10 (0 = a manual SOS is sent at once)
  sosH: 2, // button hold that raises SOS, seconds, 0.5..5
  prot: 1, // protection mode at first power-on (afterwards the last state is kept)
  hb: 60, // heartbeat period while protected, seconds
  low: 15, // low-battery threshold, %
  sens: 3, // fall sensitivity 1..5
  fall: 1, tilt: 1, still: 1, // which automatic alarms run while protected
  tiltDeg: 45, tiltS: 30, recoverS: 3, // man-down: angle from upright, seconds, recovery debounce
  stillS: 60, stillG: 0.05, // no-motion: seconds below the motion threshold (g)
  duress: 1, // a double tap on the face raises a silent duress alarm
  ciS: 60, // seconds to answer a check-in prompt when the centre does not say
  bcn: "", scan: 60, scanMs: 1500 // iBeacon UUID filter (32 hex, "" = any), scan period s (0 = off), scan length ms
});
// The settings the centre may change (protocol/src/settings.ts, SPEC §4.2.1): setting id = place in
// the list + 1; range [min, max] on the wire, where stillG travels in 0.01 g and sosH in 0.1 s. Every
// one is clamped to its range, at boot and when the centre changes it (the centre refuses what would be
// clamped). The lists are made when needed: between uses they take no memory.
var VS = {
  t: function () {
    return ["hb low slow keep pre sosC sosH fall tilt still sens tiltDeg tiltS recoverS stillS stillG duress ciS scan scanMs".split(" "),
      [10, 3600, 5, 50, 10, 300, 0, 65535, 15, 45, 0, 10, 5, 50, 0, 1, 0, 1, 0, 1, 1, 5, 20, 90, 5, 300, 1, 30, 10, 3600, 1, 50, 0, 1, 10, 3600, 0, 3600, 500, 10000]];
  },
  d: function (k) {
    return k == "stillG" ? 100 : k == "sosH" ? 10 : 1;
  },
  // Setting n (0-based) from its wire value w, clamped; returns its key.
  put: function (t, n, w) {
    var k = t[0][n];
    VSet[k] = E.clip(Math.round(w), t[1][2 * n], t[1][2 * n + 1]) / VS.d(k);
    return k;
  },
  // The settings hash (SPEC §4.2.2): FNV-1a over id, value high byte, value low byte, in id order.
  // 0x01000193 = 2^24 + 403: h * prime mod 2^32 without a 64-bit product (Espruino has no Math.imul).
  hash: function () {
    var t = VS.t(), h = 2166136261, i, v;
    function b(x) {
      h ^= x & 255;
      h = (h * 403 + (h << 24)) >>> 0;
    }
    for (i = 0; i < t[0].length; i++) {
      v = Math.round(VSet[t[0][i]] * VS.d(t[0][i]));
      b(i + 1);
      b(v >> 8);
      b(v);
    }
    VS.h = h;
  }
};
(function () {
  var t = VS.t(), i;
  for (i = 0; i < t[0].length; i++) VS.put(t, i, VSet[t[0][i]] * VS.d(t[0][i]));
  VS.hash();
})();
