/* global VSet, VDef: writable, VApp, VDetect, VFrame, VClr */
// Bangle.js 2 watch over BLE: KX023 accelerometer, buzzer, screen, GPS (ESPRUINO.md §1).
// Sampling: the KX023 is raised to hz (25 or 50 Hz, ±8 g, LPF ODR/2) and polled at the same rate;
// the firmware reports raw/8192 whatever the range, so values are doubled. Double taps on the face
// (front/back) come from the KX023's own tap engine. BTN1: hold = SOS, press = menu, cancel,
// check in. Holding BTN1 would normally reload the clock after 1.5 s: btnLoadTimeout is switched off.
VDef({ hz: 25, gps: 300 });
VSet.hz = VSet.hz > 25 ? 50 : 25; // KX023 ODR 25 or 50 Hz
var VHw = (function () {
  var ds, on = 0, gT, menu = 0, fx;
  // Screen texts, English unless provisioning wrote the worker's language as VSet.txt (same order;
  // centre/src/escalation/language.ts WATCH_KEYS, docs/firmware.md); % = the number shown.
  var T = VSet.txt || ["SOS", "FALL?", "MAN DOWN?", "NO MOTION?", "Press the button\nto cancel\n% s", "Alarm sent", "ALARM",
    "The centre has\nyour alarm", "HELP IS\nCOMING", "Press the button\nto check in", "CHECK IN", "Session ends in\n% min",
    "Battery low\nCharge soon", "PROTECTED\nBattery %%", "Protection off", "Protection", "Close"];
  delete VSet.txt;
  function tx(i, a) {
    return T[i].replace("%", a);
  }
  Bangle.setOptions({ btnLoadTimeout: 0, wakeOnDoubleTap: false });

  function acc(a) {
    var e = VDetect.step(ds, a.x * 2, a.y * 2, a.z * 2);
    if (e) VApp.ev(e);
  }

  function tap(t) {
    if (t.double && (t.dir == "front" || t.dir == "back")) VApp.duress();
  }
  Bangle.on("tap", tap); // duress works with protection off too: the KX023 taps run in both modes

  // Vibration pattern: on, off, on, … milliseconds.
  function vib(p) {
    var i = 0;
    function n() {
      if (i >= p.length) return;
      Bangle.buzz(p[i]);
      setTimeout(n, p[i] + (p[i + 1] || 0));
      i += 2;
    }
    n();
  }

  function show(text, title) {
    menu = 0;
    Bangle.setLCDPower(1);
    E.showMessage(text, title);
  }

  function home() {
    show(VApp.st.p ? tx(13, E.getBattery()) : T[14], "Vigil");
  }

  function fix(f) {
    if (f.fix) fx = { la: f.lat, lo: f.lon, t: getTime() };
  }



  function kx(cntl, odr, pollMs) {
    Bangle.accelWr(0x18, cntl & 0x7F); // CNTL1: stand-by while changing settings
    Bangle.accelWr(0x1B, odr); // ODCNTL
    Bangle.accelWr(0x18, cntl);
    Bangle.setPollInterval(pollMs);
  }

  return {
    mode: function (p) {
      if (p != on) {
        on = p;
        if (p) {
          ds = VDetect.create(VSet); // VSet carries hz, sens and the detector settings
          kx(0xF4, (VSet.hz > 25 ? 2 : 1) | 0x40, 1000 / VSet.hz); // operating, high resolution, DRDY, ±8 g, taps
          Bangle.on("accel", acc);
        } else {
          Bangle.removeListener("accel", acc);
          kx(0xAC, 0, 80); // the firmware's defaults: low power, ±4 g, 12.5 Hz, taps
        }
      }
    },
    rearm: function () {
      if (ds) VDetect.reset(ds);
    },
    // A setting changed over the air: the running detectors follow it (calibration kept).
    cfg: function () {
      if (ds) VDetect.config(ds, VSet);
    },
    chg: function () {
      return Bangle.isCharging() ? 1 : 0;
    },
    // An alarm starts: a GPS fix for the centre, kept on for VSet.gps seconds.
    gps: function () {
      if (gT) VClr(gT);
      else {
        Bangle.setGPSPower(1, "vigil");
        Bangle.on("GPS", fix);
      }
      gT = setTimeout(function () {
        Bangle.setGPSPower(0, "vigil");
        Bangle.removeListener("GPS", fix);
        gT = undefined;
      }, VSet.gps * 1000);
    },
    // A GPS fix younger than a minute, as a frame position.
    pos: function () {
      if (!fx || getTime() - fx.t > 60) return undefined;
      return VFrame.gps(fx.la, fx.lo);
    },
    // BTN1 pressed with nothing waiting for it: open or close the menu.
    menu: function () {
      if (menu) return home();
      var m = { "": { title: "Vigil" } };
      m[T[15]] = { value: !!VApp.st.p, onchange: function () { VApp.btn(3); } };
      m[T[16]] = home;
      E.showMenu(m);
      menu = 1;
    },
    // What each code means: lib/app.js; the patterns: docs/firmware.md.
    fx: function (c, a, t) {
      if (c == 0) {
        show(tx(4, a), T[t - 2]);
        vib([400]);
      } else if (c == 1) {
        show(T[5], (t > 1 && t < 6 && T[t - 2]) || T[6]);
        vib([1000]);
      } else if (c == 3) {
        show(T[7], T[6]);
        vib([200, 200, 200]);
      } else if (c == 4) {
        show(T[8], T[6]);
        vib([500, 300, 500, 300, 500]);
      } else if (c == 6) {
        show(T[9], T[10]);
        vib([300, 200, 300]);
      } else if (c == 7) {
        show(tx(11, a), "Vigil");
        vib([800]);
      } else if (c == 10) {
        show(T[12], "Vigil");
        vib([100, 100, 100, 100, 100]);
      } else if (c == 11) {
        show("Not provisioned\nConnect and write\nvigil.json", "Vigil");
        vib([300, 300, 300]);
      } else if (c != 2) {
        home();
        vib([150]);
      }
    }
  };
})();
VApp.button(BTN1, VHw.menu);
VApp.start();
VApp.start = VApp.button = VDef = undefined; // run once: free their text
