// Pendant settings: Storage "vigil.json" over defaults (docs/firmware.md lists every key).
// `npx vigil device add` prints the line that writes id and key; every other setting is optional.
// Radio and board files add their own defaults with VDef, so a board carries only what it uses.
var VSet = require("Storage").readJSON("vigil.json", 1) || {};

function VDef(d) {
  for (var k in d) if (VSet[k] === undefined) VSet[k] = d[k];
}

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
  fall: true, tilt: true, still: true, // which automatic alarms run while protected
  tiltDeg: 45, tiltS: 30, recoverS: 3, // man-down: angle from upright, seconds, recovery debounce
  stillS: 60, stillG: 0.05, // no-motion: seconds below the motion threshold (g)
  duress: 1, // a double tap on the face raises a silent duress alarm
  ciS: 60, // seconds to answer a check-in prompt when the centre does not say
  bcn: "", scan: 60, scanMs: 1500 // iBeacon UUID filter (32 hex, "" = any), scan period s (0 = off), scan length ms
});
VSet.pre = E.clip(VSet.pre, 15, 45);
VSet.sosC = E.clip(VSet.sosC, 0, 10);
VSet.sosH = E.clip(VSet.sosH, 0.5, 5);
VSet.hb = E.clip(VSet.hb, 10, 3600);
// VSet is also the detectors' configuration (VDetect.create): they want true/false.
["fall", "tilt", "still"].forEach(function (k) {
  VSet[k] = !!VSet[k];
});
