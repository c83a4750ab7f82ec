/* global VSet, VDef, VApp, VDetect */
// Puck.js v2 hardware, shared by the badge and the LoRa board: LSM6DS3TR-C accelerometer, three
// LEDs, no buzzer, no display (ESPRUINO.md §1, ST lsm6ds3tr-c_reg.h).
// Sampling: Puck.accelOn(hz) runs the gyroscope at hz and INT1 carries only its data-ready, so the
// `accel` event arrives at hz; the accelerometer itself runs at 416 Hz, the rate ST recommends for
// its tap engine, whose double taps (z axis, i.e. on the badge's face; second tap within 1.15 s, the
// longest INT_DUR2 allows at 416 Hz) are latched onto INT1 too. Reading TAP_SRC in every event
// clears the latch. A double tap = duress (VApp.duress). With protection off the detectors stop and
// so does the gyroscope (Puck.accelOn(1.6) leaves it off), but unless the `duress` setting is 0 the
// accelerometer keeps its tap engine at 416 Hz with no data-ready interrupt on INT1: `accel` fires only
// for a double tap, so a threatened worker who never switched protection on can still call for help.
VDef({ hz: 26 });
VSet.hz = VSet.hz > 26 ? 52 : 26; // the rates Puck.accelOn has that suit the detectors
var VHw = (function () {
  // LED patterns by VHw.fx code (lib/app.js, docs/firmware.md), 5 digits each: LED (1 red, 2 green,
  // 3 blue), flashes, flash length in 10 ms: pre-alarm 3 quick red, sent 1 s red, repeat 50 ms red,
  // received 1 s green, help coming 3 slow blue, done 300 ms green, check in / reminder 2 quick blue,
  // protection on 2 long green, off 2 long red, battery low 5 quick red, not provisioned 4 red 300 ms.
  var FX = "130081110011005211003303021030320103201022050120501501014030";
  var ds, on = -1;

  function tap() {
    if (Puck.accelRd(0x1C) & 0x10) VApp.duress(); // TAP_SRC.double_tap; reading it clears the latch
  }

  function acc(a) {
    tap();
    var e = VDetect.step(ds, a.acc.x / 8192, a.acc.y / 8192, a.acc.z / 8192); // counts at ±4 g
    if (e) VApp.ev(e);
  }

  return {
    mode: function (p) {
      p = p ? 1 : 0;
      if (p === on) return;
      on = p;
      Puck.removeAllListeners("accel");
      if (!p && !VSet.duress) return Puck.accelOff();
      if (p) ds = VDetect.create(VSet); // VSet carries hz, sens and the detector settings
      Puck.accelOn(p ? VSet.hz : 1.6); // 1.6: the gyroscope stays off
      // CTRL1_XL 416 Hz ±4 g; INT1_CTRL gyro data-ready only when protected (none when off: taps only);
      // TAP_CFG interrupts, z, latched; TAP_THS_6D 16 x FS/32 = 2 g; INT_DUR2 dur 15 x 32/ODR = 1.15 s,
      // quiet 1 x 4/ODR = 10 ms, shock 2 x 8/ODR = 38 ms; WAKE_UP_THS single and double taps;
      // MD1_CFG double tap -> INT1
      [0x10, 0x6B, 0x0D, p * 2, 0x58, 0x83, 0x59, 0x10, 0x5A, 0xF6, 0x5B, 0x80, 0x5E, 8].forEach(function (v, i, a) {
        if (i & 1) Puck.accelWr(a[i - 1], v);
      });
      Puck.on("accel", p ? acc : tap);
    },
    rearm: function () {
      if (ds) VDetect.reset(ds);
    },
    // A setting changed over the air: the running detectors follow it (calibration kept).
    cfg: function () {
      if (ds) VDetect.config(ds, VSet);
    },
    // Read as one decimal number: Espruino reads text with a leading zero ("030") as octal
    // (firmware/check/fixtures/probes/numbers.puck.txt), so no part is converted on its own.
    fx: function (c) {
      var p = parseInt(FX.substr(c * 5, 5), 10), a = [], i;
      for (i = 0; i < (p / 1000 | 0) % 10; i++) a.push(p % 1000 * 10, 150);
      a.pop();
      digitalPulse([LED1, LED2, LED3][(p / 10000 | 0) - 1], 1, a);
    }
  };
})();
