// Bangle.js 2 hardware for a Linux build of the Espruino interpreter (`make check-espruino`): the
// accelerometer and tap engine, buzzer, screen, GPS, button, battery and NRF; the rest (AES.ccmEncrypt
// included) is the real interpreter's. Saved as Storage ".boot0"; events the harness reads are
// printed as "@@<kind> <json>"; the harness drives the watch through VT. See hw-puck.js.
var BTN1 = D0, BTN = D0;
var VT = { w: [], bat: 80, btn: 0, tr: undefined };
function vtOut(k, v) { print("@@" + k + " " + JSON.stringify(v)); }
function vtHex(a) { var s = "", i; a = new Uint8Array(a); for (i = 0; i < a.length; i++) s += (a[i] < 16 ? "0" : "") + a[i].toString(16); return s; }
var setWatch = function (cb, pin, o) {
  if (typeof cb != "function") throw new Error("Function or String not supplied!");
  o = o || {};
  VT.w.push({ cb: cb, pin: pin, edge: o.edge || "rising", rep: !!o.repeat, db: o.debounce || 0, last: undefined });
  return VT.w.length;
};
E.getBattery = function () { return VT.bat; };
E.showMessage = function (text, title) { vtOut("screen", [title, text]); };
E.showMenu = function (m) { vtOut("menu", Object.keys(m)); };
var Bangle = {
  setOptions: function (o) { },
  accelWr: function (r, v) { },
  setPollInterval: function (ms) { vtOut("poll", ms); },
  buzz: function (ms) { vtOut("buzz", ms); },
  setLCDPower: function (on) { },
  isCharging: function () { return false; },
  setGPSPower: function (on, app) { vtOut("gps", on); }
};
var NRF = {
  setServices: function (s) { VT.svc = s; },
  setAdvertising: function (d, o) {
    var a = Array.isArray(d) ? d : [d], out = [], i;
    for (i = 0; i < a.length; i++) {
      if (a[i].length > 31) throw new Error("ERR 0x9 (INVALID_LENGTH)");
      out.push(a[i].length === undefined ? a[i] : vtHex(a[i]));
    }
    vtOut("adv", { d: out, i: o && o.interval });
  },
  sleep: function () { vtOut("nrf", "sleep"); },
  wake: function () { vtOut("nrf", "wake"); },
  setScan: function (cb, o) { vtOut("scan", cb ? 1 : 0); },
  getAddress: function () { return "c0:ff:ee:00:00:02 random"; }
};
VT.level = function (v) {
  var now = getTime(), i, w;
  VT.btn = v;
  for (i = 0; i < VT.w.length; i++) {
    w = VT.w[i];
    if (!w || (w.edge == "rising" && !v) || (w.edge == "falling" && v)) continue;
    (function (w) {
      setTimeout(function () {
        if (VT.btn != v) return;
        var l = w.last;
        w.last = now;
        if (!w.rep) VT.w[VT.w.indexOf(w)] = undefined;
        w.cb({ state: !!v, time: now, lastTime: l });
      }, w.db);
    })(w);
  }
};
VT.press = function (ms) { VT.level(1); setTimeout(function () { VT.level(0); }, ms); };
VT.gatt = function (hex) {
  var s = VT.svc["7a1e0001-5e6c-4c1b-9d0e-0a11c0ffee00"]["7a1e0002-5e6c-4c1b-9d0e-0a11c0ffee00"], a = new Uint8Array(hex.length / 2), i;
  for (i = 0; i < a.length; i++) a[i] = parseInt(hex.substr(i * 2, 2), 16);
  s.onWrite({ data: a.buffer });
};
VT.tap = function () { Bangle.emit("tap", { dir: "front", double: true, x: 0, y: 0, z: 1 }); };
VT.fix = function (lat, lon) { Bangle.emit("GPS", { fix: 1, lat: lat, lon: lon, satellites: 6 }); };
// Replays Storage file f (int16 big-endian, 8192 per g, x,y,z per sample) at hz as the KX023 at
// ±8 g reports it: {x,y,z} in units of 2 g (raw/8192 whatever the range), with diff and mag.
VT.play = function (f, hz) {
  var d = require("Storage").read(f), n = 0;
  function s16(o) { var v = (d.charCodeAt(o) << 8) | d.charCodeAt(o + 1); return v > 32767 ? v - 65536 : v; }
  VT.tr = setInterval(function () {
    if (n * 6 >= d.length) { clearInterval(VT.tr); VT.tr = undefined; return vtOut("played", n); }
    var x = s16(n * 6) / 16384, y = s16(n * 6 + 2) / 16384, z = s16(n * 6 + 4) / 16384;
    Bangle.emit("accel", { x: x, y: y, z: z, diff: 0, mag: Math.sqrt(x * x + y * y + z * z) });
    n++;
  }, 1000 / hz);
};
VT.mem = function () { var m = process.memory(); vtOut("mem", { usage: m.usage, total: m.total, blocksize: m.blocksize }); };
