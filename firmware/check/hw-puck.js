// Puck.js v2 hardware for a Linux build of the Espruino interpreter (`make check-espruino`): only
// what the Linux build lacks — accelerometer, LEDs, button, battery, NRF — so that everything else
// the firmware does runs in the real interpreter. Saved as Storage ".boot0", it runs before the
// firmware (".bootcde"), as boot files do on a device. Events the harness reads are printed as
// "@@<kind> <json>"; the harness drives the board through VT (button, samples, taps, GATT writes).
// A top-level `var` shadows a built-in function (ESPRUINO.md 8). digitalPulse is stood in for too:
// the Linux build has no utility timer, so its pulse queue (16 edges) never drains and the
// interpreter stops with ASSERT(!utilTimerIsFull()) after a few LED patterns.
var LED1 = D1, LED2 = D2, LED3 = D3, BTN = D4, BTN1 = D4;
var VT = { w: [], adv: 0, gw: undefined, tap: 0, btn: 0, bat: 90, tr: undefined };
function vtOut(k, v) { print("@@" + k + " " + JSON.stringify(v)); }
function vtHex(a) { var s = "", i; a = new Uint8Array(a); for (i = 0; i < a.length; i++) s += (a[i] < 16 ? "0" : "") + a[i].toString(16); return s; }
// setWatch on a pin the Linux build cannot read: kept here, fired by VT.press with Espruino's
// semantics (edge, repeat, debounce: the callback runs once the level has held for `debounce` ms).
var setWatch = function (cb, pin, o) {
  if (typeof cb != "function") throw new Error("Function or String not supplied!");
  o = o || {};
  VT.w.push({ cb: cb, pin: pin, edge: o.edge || "rising", rep: !!o.repeat, db: o.debounce || 0, last: undefined });
  return VT.w.length;
};
var digitalPulse = function (pin, v, t) {
  if (pin === undefined) throw new Error("Invalid pin");
  vtOut("pulse", [String(pin), v, t]);
};
E.getBattery = function () { return VT.bat; };
var Puck = {
  accelOn: function (hz) { vtOut("accelOn", hz); },
  accelOff: function () { vtOut("accelOff", 1); },
  accelWr: function (r, v) { },
  accelRd: function (r) { if (r == 0x1C && VT.tap) { VT.tap = 0; return 0x10; } return 0; },
  getBatteryPercentage: function () { return VT.bat; }
};
var NRF = {
  setServices: function (s) { VT.svc = s; },
  setAdvertising: function (d, o) {
    var a = Array.isArray(d) ? d : [d], out = [], i;
    for (i = 0; i < a.length; i++) {
      if (a[i].length > 31) throw new Error("Advertising data too long");
      out.push(a[i].length === undefined ? a[i] : vtHex(a[i]));
    }
    vtOut("adv", { d: out, i: o && o.interval });
  },
  sleep: function () { vtOut("nrf", "sleep"); },
  wake: function () { vtOut("nrf", "wake"); },
  setScan: function (cb, o) { vtOut("scan", cb ? 1 : 0); },
  getAddress: function () { return "c0:ff:ee:00:00:01 random"; }
};
VT.level = function (v) {
  var now = getTime(), i, w;
  VT.btn = v;
  for (i = 0; i < VT.w.length; i++) {
    w = VT.w[i];
    if (!w || (w.edge == "rising" && !v) || (w.edge == "falling" && v)) continue;
    (function (w) {
      setTimeout(function () {
        if (VT.btn != v) return; // bounced
        var l = w.last;
        w.last = now;
        if (!w.rep) VT.w[VT.w.indexOf(w)] = undefined;
        w.cb({ state: !!v, time: now, lastTime: l });
      }, w.db);
    })(w);
  }
};
// A press held for ms milliseconds.
VT.press = function (ms) { VT.level(1); setTimeout(function () { VT.level(0); }, ms); };
// A central writes the downlink characteristic (hex).
VT.gatt = function (hex) {
  var s = VT.svc["7a1e0001-5e6c-4c1b-9d0e-0a11c0ffee00"]["7a1e0002-5e6c-4c1b-9d0e-0a11c0ffee00"], a = new Uint8Array(hex.length / 2), i;
  for (i = 0; i < a.length; i++) a[i] = parseInt(hex.substr(i * 2, 2), 16);
  s.onWrite({ data: a.buffer });
};
// Replays Storage file f (int16 big-endian counts x,y,z per sample, at ±4 g: 8192 per g) at hz, as
// Puck.accelOn delivers it: one 'accel' event per sample; then reports done.
VT.play = function (f, hz) {
  var d = require("Storage").read(f), n = 0;
  function s16(o) { var v = (d.charCodeAt(o) << 8) | d.charCodeAt(o + 1); return v > 32767 ? v - 65536 : v; }
  VT.tr = setInterval(function () {
    if (n * 6 >= d.length) { clearInterval(VT.tr); VT.tr = undefined; return vtOut("played", n); }
    Puck.emit("accel", { acc: { x: s16(n * 6), y: s16(n * 6 + 2), z: s16(n * 6 + 4) }, gyro: { x: 0, y: 0, z: 0 } });
    n++;
  }, 1000 / hz);
};
VT.mem = function () { var m = process.memory(); vtOut("mem", { usage: m.usage, total: m.total, blocksize: m.blocksize }); };
