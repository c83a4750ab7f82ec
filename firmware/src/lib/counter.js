// Message counter that never repeats (protocol SPEC §3.4). Two pre-sized Storage files hold 4-byte
// records, each the upper bound of a block of counters reserved before any of them is used. After a
// reboot the counter restarts at the highest bound written, skipping at most one block.
var VCtr = (function () {
  var S = require("Storage"), F = ["vctr0", "vctr1"], BLK = 256, SZ = 256;
  var c = 0, lim = 0, file = 0, pos = 0;
  function scan(i) {
    var d = S.read(F[i]), n = 0, max = -1;
    if (d) for (; n * 4 < d.length; n++) {
      var v = d.charCodeAt(n * 4) * 16777216 + (d.charCodeAt(n * 4 + 1) << 16) + (d.charCodeAt(n * 4 + 2) << 8) + d.charCodeAt(n * 4 + 3);
      if (v == 4294967295) break;
      if (v > max) max = v;
    }
    return { n: n, max: max, ok: !!d };
  }
  function rec(v) {
    return String.fromCharCode((v / 16777216) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255);
  }
  function reserve() {
    lim = c + BLK;
    if (pos + 4 > SZ) {
      // this file is full: start the other one, then drop this one
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
    next: function () {
      if (c >= lim) reserve();
      return c++;
    },
    peek: function () { return c; }
  };
})();
