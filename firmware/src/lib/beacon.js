/* global VSet, VFrame, VApp, VHw, VClr */
// Position (SPEC §2.4): short duty-cycled passive BLE scans for iBeacons (Apple 0x004C, 02 15 prefix,
// optionally one UUID), keeping the strongest; beaconId = major<<16|minor. Scanning costs ~12 mA,
// so a scan lasts scanMs every `scan` seconds, and only while protected; a new zone is reported at
// once with a position frame. A board with GPS answers VHw.pos() first (Bangle.js 2).
var VPos = (function () {
  var U = VSet.bcn ? VFrame.unhex(VSet.bcn) : 0, b, best, it, stopT;
  delete VSet.bcn;

  function seen(d) {
    var u = new Uint8Array(d.manufacturerData), i;
    if (u[0] != 2 || u[1] != 0x15 || u.length < 23) return;
    for (i = 0; U && i < 16; i++) if (u[2 + i] != U[i]) return;
    // beaconId = major<<16|minor (big-endian in the advert)
    if (!best || d.rssi > best.r) best = { i: u[18] * 16777216 + (u[19] << 16) + (u[20] << 8) + u[21], r: d.rssi };
  }

  function done() {
    stopT = 0;
    NRF.setScan();
    if (!best) return;
    var moved = !b || b.i != best.i;
    b = best;
    b.t = getTime();
    if (moved) VApp.send(13, 0, undefined, 1);
  }

  function scan() {
    best = undefined;
    NRF.setScan(seen, { filters: [{ manufacturerData: { 0x004C: {} } }] });
    stopT = setTimeout(done, VSet.scanMs);
  }

  return {
    run: function (on) {
      VClr(it);
      VClr(stopT);
      stopT = 0;
      NRF.setScan();
      it = on && VSet.scan ? setInterval(scan, VSet.scan * 1000) : 0;
      if (it) scan();
    },
    // [kind, 6 bytes] for VFrame.up: a GPS fix (board), else the last beacon zone with its age.
    get: function () {
      var p = VHw.pos && VHw.pos();
      return p || !b ? p : VFrame.bcn(b.i, b.r, getTime() - b.t);
    }
  };
})();
