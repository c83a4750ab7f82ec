// Message counter that never repeats (protocol/SPEC.md §3.4, reserved blocks §3.4.2). Two pre-sized Storage files hold 4-byte
// big-endian records, each the upper bound of a block of counters reserved (written) before any of
// them is used. After a reboot the counter restarts at the highest bound written, so it skips at most
// one block and never goes back. A full file is replaced by starting the other one first, then
// erasing it: a reset between the two leaves both, and the higher one wins.
var VCtr = (function () {
  var S = require("Storage"), F = ["vctr0", "vctr1"], BLK = 256, SZ = 256, TOP = 4294967294;
  var c = 0, lim = 0, file = 0, pos = 0;
  function scan(i) {
    var d = S.read(F[i]), n = 0, max = -1;
    if (d) for (; n * 4 < d.length; n++) {
      var v = d.charCodeAt(n * 4) * 16777216 + (d.charCodeAt(n * 4 + 1) << 16) + (d.charCodeAt(n * 4 + 2) << 8) + d.charCodeAt(n * 4 + 3);
      if (v == 4294967295) break; // erased: no record here yet
      if (v > max) max = v;
    }
    return { n: n, max: max };
  }
  function rec(v) {
    return String.fromCharCode((v / 16777216) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255);
  }
  function reserve() {
    // TOP stays below 0xFFFFFFFF, the erased-flash value that marks an empty record
    lim = c + BLK > TOP ? TOP : c + BLK;
    if (pos + 4 > SZ) {
      var old = file;
      file = 1 - file; pos = 0;
      S.write(F[file], rec(lim), 0, SZ);
      S.erase(F[old]);
    } else if (pos == 0) {
      S.write(F[file], rec(lim), 0, SZ);
    } else {
      S.write(F[file], rec(lim), pos);
    }
    pos += 4;
  }
  var a = scan(0), b = scan(1);
  if (a.max >= 0 || b.max >= 0) {
    file = a.max >= b.max ? 0 : 1;
    var cur = file ? b : a;
    c = cur.max; pos = cur.n * 4;
  }
  return {
    // the next unused counter; throws once 2^32 − 2 counters are used up (re-key the device: §3.4)
    next: function () {
      if (c >= lim) reserve();
      if (c >= lim) throw new Error("VCtr exhausted: re-provision the device");
      return c++;
    },
    peek: function () { return c; }
  };
})();
