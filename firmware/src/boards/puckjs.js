/* global VSet, VFrame, VCtr */
// Puck.js v2 badge. Walking skeleton: the button sends an SOS frame, repeated on a backoff schedule
// until the centre's authenticated "received" arrives over GATT (green, 1 s); "help coming" is
// three blue flashes.
var DEV = parseInt(VSet.id, 16), KEY = VFrame.unhex(VSet.key);
var SVC = "7a1e0001-5e6c-4c1b-9d0e-0a11c0ffee00", CHR = "7a1e0002-5e6c-4c1b-9d0e-0a11c0ffee00";
var alarm; // {t: type, first: counter, last: counter, n: repeats, tm: timer, got: received}

function adv(f, fast) {
  NRF.setAdvertising({}, { manufacturer: VSet.co, manufacturerData: f, showName: false, connectable: true, interval: fast ? 100 : 1000 });
}

function send(t, d, r) {
  var c = VCtr.next();
  adv(VFrame.up(DEV, KEY, c, { t: t, b: E.getBattery(), f: 0, d: d, r: r === undefined ? c : r }), 1);
  return c;
}

function alarmTick() {
  if (!alarm || alarm.got) return;
  alarm.last = send(alarm.t, Math.min(alarm.n, 255), alarm.first);
  digitalPulse(LED1, 1, 50);
  var s = VSet.rep[Math.min(alarm.n, VSet.rep.length - 1)];
  alarm.n++;
  alarm.tm = setTimeout(alarmTick, s * 1000);
}

function alarmStart(t) {
  alarm = { t: t, first: 0, last: 0, n: 0, got: 0 };
  alarm.first = VCtr.peek();
  alarmTick();
}

function onDown(data) {
  var m = VFrame.down(new Uint8Array(data), DEV, KEY);
  if (!m || !alarm || m.c < alarm.first || m.c > alarm.last) return;
  if (m.m == 1 || m.m == 2) {
    alarm.got = 1;
    if (alarm.tm) clearTimeout(alarm.tm);
    alarm.tm = undefined;
  }
  if (m.m == 1) digitalPulse(LED2, 1, 1000);
  if (m.m == 2) digitalPulse(LED3, 1, [300, 200, 300, 200, 300]);
  if (m.m == 3) { alarm = undefined; NRF.setAdvertising({}, { showName: false, manufacturer: false, connectable: true, interval: 1000 }); }
}

var svc = {};
svc[SVC] = {};
svc[SVC][CHR] = { value: [0], maxLen: 16, writable: true, onWrite: function (e) { onDown(e.data); } };
NRF.setServices(svc);

setWatch(function () {
  if (!alarm) alarmStart(2);
}, BTN, { edge: "rising", repeat: true, debounce: 25 });
