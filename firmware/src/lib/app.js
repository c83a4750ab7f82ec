/* global VSet, VS, VFrame, VCtr, VRadio, VPos, VHw, VClr */
// What the pendant does, shared by every board (docs/firmware.md): protection mode, heartbeat, the
// pre-alarm -> cancel window -> alarm flow, SOS, silent duress, repeat until acknowledged, check-in,
// downlinks, and a pending alarm that survives a reboot. Boards supply VHw (sensors, LEDs/buzzer/
// screen), radios supply VRadio, beacon.js supplies VPos.
// Message types and downlink commands: protocol/src/layout.ts (SPEC §4.2, §5). Every character here
// costs Puck.js memory (docs/firmware.md "Memory budget"): keep it lean.
// What the worker sees, VHw.fx(code, a, type): 0 pre-alarm running (a = seconds left), 1 alarm sent,
// 2 alarm repeated, 3 received, 4 help coming, 5 done (cancelled, checked in, closed), 6 check in now,
// 7 session reminder (a = minutes), 8 protection on, 9 protection off, 10 battery low, 11 not
// provisioned.
var VApp = (function () {
  var S = require("Storage"), C = VSet, FW = 257; // firmware version 1.1 (major << 8 | minor), SPEC §2.4.4
  var DEV = parseInt(C.id, 16), KEY = VFrame.unhex(C.key);
  var st = S.readJSON("vigil.st", 1) || { p: C.prot ? 1 : 0 }; // protection mode survives reboots
  // Not provisioned (no 128-bit key in vigil.json, as `make flash` without SETTINGS leaves it): the
  // pendant says so on every press, sends nothing and stays connectable so the installer can write
  // vigil.json (docs/firmware.md "Provision"). Espruino's AES throws on a missing key.
  var OK = KEY.length == 16;
  if (!OK) st.p = 0;
  delete C.id; // used once: the memory is worth more
  delete C.key;
  delete C.prot;
  // The incident: t type, k 1 = pre-alarm (cancel window) | 2 = alarm, r ref (counter of its first
  // frame), f counter of its first alarm frame, n repeats, g 1 = received | 2 = help coming, s silent
  // (duress), e end of the cancel window (pre-alarm) or when it was received (alarm).
  var inc;
  // cmdC: the counter of the last command acted on; none recorded before power-on can act (SPEC §4.6).
  // hbN: heartbeats with a position since power-on (every tenth carries the firmware and settings instead).
  var tm, hbT, ciT, ciEnd = 0, lowSent = 0, cmdC = VCtr.peek() - 1, hbN = 0;

  // Seals and puts a frame on air. lvl 1 = status (not while an incident's frame is on air), 2 = alarm
  // already received, 3 = alarm or pre-alarm.
  // A heartbeat without a position to send, every tenth one otherwise, and a setting's acknowledgement
  // carry the firmware version and settings hash instead (SPEC §2.4.4).
  function send(t, d, r, lvl) {
    if (lvl < 2 && inc) return;
    var c = VCtr.next(), b = E.getBattery();
    var p = st.p || inc ? VPos.get() : undefined; // privacy: a position only when protected or alarming
    if (t == 14 || (t == 1 && (!p || !(++hbN % 10)))) p = VFrame.dev(FW, VS.h);
    VRadio.tx(VFrame.up(DEV, KEY, c, {
      t: t, b: b, d: d, r: r === undefined ? c : r,
      f: st.p | (VHw.chg && VHw.chg() ? 2 : 0) | (b < C.low ? 4 : 0) | (inc && inc.k == 1 ? 8 : 0),
      p: p
    }), lvl);
    return c;
  }

  // The centre changed setting n (0-based) to w on the wire, answering our counter a (SPEC §4.2.1):
  // clamp, save (vigil.set: only what changed over the air), apply, then acknowledge with the new hash.
  function set(n, w, a) {
    var k = VS.put(VS.t(), n, w), o = S.readJSON("vigil.set", 1) || {};
    o[k] = C[k];
    S.writeJSON("vigil.set", o);
    VS.hash();
    VHw.cfg();
    if (k == "hb" && hbT) {
      VClr(hbT);
      hbT = setInterval(heartbeat, C.hb * 1000);
    }
    if (k == "scan") VPos.run(st.p);
    send(14, n + 1, a, 1);
  }

  function save() {
    if (inc) S.writeJSON("vigil.al", inc);
    else S.erase("vigil.al");
  }

  // Starts an incident. k 1: pre-alarm (frame type 7, detail = the alarm type) with a cancel window
  // of w seconds; k 2: alarm. `was` is the incident as saved before a reboot.
  function start(t, k, w, r, s, was) {
    inc = was || { t: t, k: k, r: r, g: 0 };
    if (s) inc.s = 1;
    inc.e = getTime() + w;
    inc.n = 0;
    if (k == 1) inc.r = send(7, t, r, 3);
    if (r !== undefined) inc.r = r;
    if (VHw.gps) VHw.gps(); // silent too: a duress alarm needs the position most
    save();
    run();
  }

  // The incident's clock: during the cancel window a warning every 2 s (DGUV: pre-alarm <= 45 s),
  // then alarm frames with a new counter each (detail = repeat number) on the backoff schedule;
  // once received, a slow repeat so "help coming" and "closed" still reach the pendant.
  function run() {
    var i = inc, left = i.e - getTime(), c;
    VClr(tm); // from its own timer too: a timer is still listed while its callback runs
    if (i.k == 1) {
      if (left > 0.05) {
        VHw.fx(0, Math.ceil(left), i.t);
        tm = setTimeout(run, Math.min(2, left) * 1000);
        return;
      }
      i.k = 2;
    }
    // The incident's counters are saved before its first frame goes on air: power lost in between
    // must not turn the resumed alarm into a new incident (seen in the real interpreter).
    c = VCtr.peek();
    if (i.r === undefined) i.r = c;
    if (i.f === undefined) {
      i.f = c;
      save();
    }
    send(i.t, Math.min(i.n, 255), i.r, i.g ? 2 : 3);
    if (!i.s && !i.g) VHw.fx(i.n ? 2 : 1, 0, i.t);
    i.n++;
    if (i.g && C.keep && getTime() - i.e > C.keep) return end();
    tm = setTimeout(run, (i.g ? C.slow : C.rep[Math.min(i.n, C.rep.length) - 1]) * 1000);
  }

  // The incident is over, its frame off the air; fx = what the worker sees. After an alarm the
  // detectors are re-armed; after a cancel they are not: a man-down or no-motion stays latched until
  // the worker is upright or moving again, so it does not fire again while they carry on lying
  // there (a re-trigger needs the condition reversed first).
  function end(fx, cancelled) {
    VClr(tm);
    tm = 0;
    var s = inc.s;
    inc = undefined;
    save();
    if (!s && fx) VHw.fx(fx);
    if (!cancelled) VHw.rearm();
    VRadio.idle();
  }

  function cancel() {
    var i = inc;
    end(5, 1);
    send(8, i.t, i.r, 1);
  }

  // Authenticated downlinks answer one of our counters (SPEC §4). received / help coming / closed
  // count for the running alarm only; the other commands once each and in order (no replay).
  function down(b) {
    var m = OK && VFrame.down(b, DEV, KEY), i = inc, c;
    if (!m || m.c >= VCtr.peek()) return;
    c = m.m;
    if (c < 4) {
      if (!i || i.k != 2 || m.c < i.f || c <= i.g) return;
      if (c == 3) return end(5);
      if (!i.g) {
        i.e = getTime();
        VClr(tm);
        tm = setTimeout(run, C.slow * 1000);
      }
      i.g = c;
      save();
      if (!i.s) VHw.fx(c + 2); // 3 received, 4 help coming
    } else if (m.c > cmdC && m.c > VCtr.peek() - 17) { // SPEC §4.6: one of the last 16 counters, one command each
      if (c > 128 && i) return; // no settings during an incident: the centre sends them again after
      cmdC = m.c;
      if (c > 128) set(c - 129, m.p, m.c);
      if (c == 4 && st.p && !i) {
        ciEnd = getTime() + (m.p || C.ciS);
        nag();
      }
      if (c == 5) VHw.fx(7, m.p);
      if (c == 6) mode(m.p ? 1 : 0);
    }
  }

  // Check-in prompt: a reminder every 5 s until confirmed or the time is up (the centre notices a miss).
  function nag() {
    VClr(ciT);
    ciT = 0;
    if (getTime() >= ciEnd || inc) ciEnd = 0;
    if (!ciEnd) return;
    VHw.fx(6);
    ciT = setTimeout(nag, 5000);
  }

  function heartbeat() {
    var b = E.getBattery(), low = b < C.low && !lowSent && !inc;
    if (b > C.low + 5) lowSent = 0;
    if (low) {
      lowSent = 1;
      VHw.fx(10);
    }
    send(low ? 12 : 1, 0, undefined, 1);
  }

  // Protection on/off: detectors, heartbeat, position scans and the radio follow it.
  function mode(p, boot) {
    if (p != st.p) {
      st.p = p;
      S.writeJSON("vigil.st", st);
    }
    if (!p && inc && inc.k == 1) cancel();
    VHw.mode(p);
    VPos.run(p);
    VRadio.keep(p);
    VClr(hbT);
    hbT = p ? setInterval(heartbeat, C.hb * 1000) : 0;
    VHw.fx(p ? 8 : 9);
    if (!boot) send(p ? 10 : 11, 0, undefined, 1);
    else if (p) heartbeat(); // a sign of life after power-on, with the battery level
  }

  return {
    st: st,
    send: send,
    down: down,
    // Detector events (VDetect): 1 fall, 2 man-down, 3 no-motion start a pre-alarm (type = event + 2);
    // 4 upright again / 5 moving again cancel a pending man-down / no-motion by themselves.
    ev: function (e) {
      if (e < 4) {
        if (st.p && !inc) start(e + 2, 1, C.pre);
      } else if (inc && inc.k == 1 && inc.t == e) cancel();
    },
    // A double tap on the face (the accelerometer's tap engine) = duress. Silent, always: no LED, buzz
    // or screen change. A running alarm carries on looking the same and turns into duress. Protection
    // off does not stop it: a worker under threat may not have switched it on (docs/firmware.md).
    duress: function () {
      var i = inc;
      if (!C.duress || !OK) return; // not provisioned: nothing can be sent
      if (i && i.k == 2) {
        i.t = 6;
        save();
      } else start(6, 2, 0, i ? i.r : undefined, 1);
    },
    // Gestures (docs/firmware.md): 1 a press — cancels a pre-alarm or confirms a check-in, false when
    // nothing waited for it; 2 the SOS hold — sends a pre-alarm at once, or raises SOS; 3 three presses
    // — protection on/off.
    btn: function (g) {
      var i = inc;
      if (!OK) return VHw.fx(11) || 1;
      if (g == 1) {
        if (i && i.k == 1) cancel();
        else if (ciEnd) {
          ciEnd = 0;
          nag(); // clears the reminder
          send(9, 0, undefined, 1);
          VHw.fx(5);
        } else return false;
        return true;
      }
      if (i) {
        if (g == 2 && i.k == 1) {
          i.e = 0;
          run();
        }
      } else if (g == 2) start(2, C.sosC ? 1 : 2, C.sosC);
      else mode(st.p ? 0 : 1);
    },
    // Button gestures on a pin (called once at boot, then dropped): a hold of sosH s, else presses — one acts at once when something
    // waits for it, else they are counted: three = protection on/off, one = `one()` (board).
    button: function (pin, one) {
      var n = 0, last = 0, ht, held;
      setWatch(function (e) {
        VClr(ht);
        ht = 0;
        if (e.state) {
          held = 0;
          ht = setTimeout(function () {
            ht = 0;
            held = 1;
            VApp.btn(2);
          }, C.sosH * 1000);
        } else if (!held && !VApp.btn(1)) {
          n = e.time - last < 0.6 ? n + 1 : 1;
          last = e.time;
          if (n > 2) {
            n = 0; // a fourth quick press starts a new count: it does not toggle back
            VApp.btn(3);
          } else one();
        }
      }, pin, { edge: "both", repeat: true, debounce: 25 });
    },
    // Power-on (called once, then dropped: Espruino frees what is no longer referenced).
    start: function () {
      if (!OK) return VHw.fx(11);
      mode(st.p, 1);
      // A pending alarm survives a reboot: a pre-alarm gets a fresh cancel window, an alarm resumes.
      var a = S.readJSON("vigil.al", 1);
      if (a) start(a.t, a.k, a.k == 1 ? C.pre : 0, a.r, a.s, a);
    }
  };
})();
