/* global VSet, VDef, VApp, VClr */
// BLE carriage (SPEC §4.3): each frame is a raw legacy advert, flags + manufacturer data (company
// VSet.co) = 3 + 4 + 24 = 31 bytes; downlinks are written to a GATT characteristic. Frames on air
// rotate, one per advertising event (NRF.setAdvertising with an array): the incident's frame until
// the incident ends, each status frame for 10 s (so a cancel sent just after a check-in is not
// lost), newest first. Interval: 100 ms with an unacknowledged alarm, 500 ms once it is received,
// 250 ms for status frames. Between frames a protected pendant stays connectable (flags only, 1 s)
// so a gateway can still write to it; an unprotected one stops advertising (privacy).
VDef({ co: 0xFFFF }); // BLE company id of Vigil frames (protocol SPEC §4.3)
var VRadio = (function () {
  var A, lvl, Q = [], keep, awake = 1, t, s = {}, c = {};
  c["7a1e0002-5e6c-4c1b-9d0e-0a11c0ffee00"] = { value: [0], maxLen: 16, writable: true, onWrite: function (e) { VApp.down(new Uint8Array(e.data)); } };
  s["7a1e0001-5e6c-4c1b-9d0e-0a11c0ffee00"] = c;
  NRF.setServices(s);
  s = c = undefined;

  function show() {
    var n = getTime(), p = [], i;
    VClr(t);
    t = 0;
    while (Q.length && Q[Q.length - 1][1] <= n) Q.pop();
    if (A) p.push(A);
    for (i = 0; i < Q.length; i++) p.push(Q[i][0]);
    if (p.length || keep) {
      if (!awake) NRF.wake();
      awake = 1;
      NRF.setAdvertising(p.length ? p : {}, { showName: false, connectable: true, interval: A ? (lvl > 2 ? 100 : 500) : Q.length ? 250 : 1000 });
    } else if (awake) {
      NRF.sleep();
      awake = 0;
    }
    if (Q.length) t = setTimeout(show, (Q[Q.length - 1][1] - n) * 1000);
  }

  return {
    // l: 1 status frame, 2 alarm already received, 3 alarm or pre-alarm
    tx: function (f, l) {
      var a = new Uint8Array(31);
      a.set([2, 1, 6, 27, 255, VSet.co & 255, VSet.co >> 8]);
      a.set(f, 7);
      if (l > 1) {
        A = a;
        lvl = l;
      } else Q.unshift([a, getTime() + 10]);
      show();
    },
    keep: function (k) {
      keep = k;
      show();
    },
    // The incident is over: its frame leaves the air at once.
    idle: function () {
      A = undefined;
      show();
    }
  };
})();
