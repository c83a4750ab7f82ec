// Copy of firmware/src/lib/detect.js for the worker app, written by `make web-firmware`: edit the firmware's file, not this one.
// Detectors (docs/detection.md). Pure and clock-free: time is counted in samples at cfg.hz; one
// step() per accelerometer sample (g, board axes), a few dozen statements, no allocation after
// create(). Events: 1 FALL, 2 MAN_DOWN, 3 NO_MOTION, 4 UPRIGHT_AGAIN, 5 MOVING_AGAIN (0 = nothing).
//
// Fall: |a| above TRIG opens an event; the posture ~4 s before the largest peak is kept. When the
// wearer has been still for 1 s after the last peak, the posture is compared with the one before
// the impact and with the calibrated upright; then for CONF_S the new posture must hold. A small
// logistic model over seven orientation-agnostic features decides (weights fitted on SisFall by
// `npx vigil eval --train`, cross-validated subject-wise; see docs/detection.md).
// Man-down: angle between gravity and the calibrated upright above tiltDeg for tiltS.
// No-motion: motion below stillG for stillS.
var VDetect = (function () {
  var TRIG = 1.5; // g: opens a fall event
  var QUIET = 0.06; // g: motion below this counts as still after an impact
  var GAP_S = 5; // s: an event is dropped when the wearer is not still within this after the last peak
  var CONF_S = 4; // s: the post-fall posture must hold this long
  var RING = 16; // gravity snapshots, one every 1/4 s: the posture 4 s back
  // Logistic model: c1, c2, ln(peak), low-g before the peak, rotation, hold, motion while holding, bias.
  var MODEL = [-1.966, -2.272, 1.379, -0.305, -1.399, 0.755, -0.532, 0.988];
  // Decision threshold on the model's logit per sensitivity 1..5 (3 = probability 0.5).
  var THR = [1.5, 0.75, 0, -0.75, -1.5];

  function num(v, d) {
    return v === undefined ? d : v;
  }

  // A detector runs unless switched off (false or 0).
  function on(v) {
    return v === undefined || !!v;
  }

  function create(cfg) {
    var hz = cfg.hz, sens = Math.max(1, Math.min(5, Math.round(num(cfg.sens, 3))));
    var st = {
      hz: hz,
      on: (on(cfg.fall) ? 1 : 0) | (on(cfg.tilt) ? 2 : 0) | (on(cfg.still) ? 4 : 0),
      thr: THR[sens - 1],
      w: cfg.w && cfg.w.length == MODEL.length ? cfg.w : MODEL,
      k: 1 / Math.max(1, 0.5 * hz), // gravity low-pass, 0.5 s
      km: 1 / Math.max(1, 0.25 * hz), // motion low-pass, 0.25 s
      lr: 0.5 / hz, // the low-g tracker rises 0.5 g/s back toward |a|
      tiltC: Math.cos(num(cfg.tiltDeg, 45) * Math.PI / 180),
      tiltN: Math.round(num(cfg.tiltS, 30) * hz),
      recN: Math.round(num(cfg.recoverS, 3) * hz),
      stillN: Math.round(num(cfg.stillS, 60) * hz),
      stillG: num(cfg.stillG, 0.05),
      snapN: Math.max(1, Math.round(hz / 4)),
      g: new Float32Array(3), // gravity estimate
      u: new Float32Array(4), // upright unit vector; [3] = 1 when calibrated
      p: new Float32Array(3), // posture before the impact
      q: new Float32Array(3), // posture after the impact
      ring: new Float32Array(RING * 3),
      rq: new Float32Array(4), // last four rotation cosines (0.5 s apart)
      f: new Float32Array(7), // features of the last completed event
      nc: 0, // events completed (read by the evaluator's trainer)
      n: 0, sn: 0, ri: 0, mv: 0, lmin: 1, ini: 0, z: 0
    };
    reset(st);
    return st;
  }

  function reset(st) {
    st.ph = 0; // fall phase: 0 idle, 1 after an impact, 2 holding the new posture
    st.pc = 0; // samples since the last peak, or holding
    st.qc = 0; // consecutive still samples
    st.pk = 0; // largest |a| of the event
    st.tc = 0; st.td = 0; // tilt counter, man-down latched
    st.sc = 0; st.sd = 0; // stillness counter, no-motion latched
  }

  function cos(a, i, b, j) {
    var d = Math.sqrt((a[i] * a[i] + a[i + 1] * a[i + 1] + a[i + 2] * a[i + 2]) * (b[j] * b[j] + b[j + 1] * b[j + 1] + b[j + 2] * b[j + 2]));
    return d > 0 ? (a[i] * b[j] + a[i + 1] * b[j + 1] + a[i + 2] * b[j + 2]) / d : 1;
  }

  function upright(st) {
    var g = st.g, m = Math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
    if (m < 0.5) return;
    st.u[0] = g[0] / m; st.u[1] = g[1] / m; st.u[2] = g[2] / m; st.u[3] = 1;
    st.tc = 0; st.td = 0;
  }

  // Every 1/4 s: keep the gravity estimate, and how far it turned in the last 0.5 s.
  function snap(st) {
    var r = st.ring, i = st.ri * 3, b = ((st.ri + RING - 2) % RING) * 3, c;
    r[i] = st.g[0]; r[i + 1] = st.g[1]; r[i + 2] = st.g[2];
    c = cos(r, i, r, b);
    st.rq[st.ri & 3] = c;
    if (st.ph == 1 && c < st.f[4]) st.f[4] = c;
    st.ri = (st.ri + 1) % RING;
  }

  function decide(st) {
    var f = st.f, w = st.w, z = w[7], i;
    for (i = 0; i < 7; i++) z += w[i] * f[i];
    st.nc++;
    st.z = z;
    return z > st.thr ? 1 : 0;
  }

  function fall(st, m) {
    var f = st.f, i, c;
    if (m > TRIG) {
      if (st.ph != 1) {
        st.ph = 1; st.pk = 0;
        f[4] = Math.min(st.rq[0], st.rq[1], st.rq[2], st.rq[3]);
      }
      st.pc = 0; st.qc = 0;
      if (m > st.pk) {
        st.pk = m;
        i = st.ri * 3; // the oldest snapshot: the posture 4 s before this peak
        st.p[0] = st.ring[i]; st.p[1] = st.ring[i + 1]; st.p[2] = st.ring[i + 2];
        f[3] = st.lmin;
      }
      return 0;
    }
    if (st.ph == 1) {
      st.pc++;
      st.qc = st.mv < QUIET ? st.qc + 1 : 0;
      if (st.qc >= st.hz) {
        f[0] = cos(st.g, 0, st.p, 0);
        f[1] = st.u[3] ? cos(st.g, 0, st.u, 0) : f[0];
        f[2] = Math.log(st.pk);
        st.q[0] = st.g[0]; st.q[1] = st.g[1]; st.q[2] = st.g[2];
        f[5] = 1; f[6] = 0;
        st.ph = 2; st.pc = 0;
      } else if (st.pc > GAP_S * st.hz) st.ph = 0;
      return 0;
    }
    if (st.ph == 2) {
      c = cos(st.g, 0, st.q, 0);
      if (c < f[5]) f[5] = c;
      if (st.mv > f[6]) f[6] = st.mv;
      if (++st.pc >= CONF_S * st.hz) {
        st.ph = 0;
        return decide(st);
      }
    }
    return 0;
  }

  // The first sample seeds the gravity estimate and the posture history.
  function init(st, x, y, z) {
    var i;
    st.g[0] = x; st.g[1] = y; st.g[2] = z;
    for (i = 0; i < RING * 3; i += 3) { st.ring[i] = x; st.ring[i + 1] = y; st.ring[i + 2] = z; }
    st.rq.fill(1);
    st.ini = 1;
  }

  function step(st, x, y, z) {
    var g = st.g, k = st.k, e = 0, c, dx, dy, dz, m = Math.sqrt(x * x + y * y + z * z);
    if (!st.ini) init(st, x, y, z);
    g[0] += (x - g[0]) * k; g[1] += (y - g[1]) * k; g[2] += (z - g[2]) * k;
    dx = x - g[0]; dy = y - g[1]; dz = z - g[2];
    st.mv += (Math.sqrt(dx * dx + dy * dy + dz * dz) - st.mv) * st.km;
    st.lmin = Math.min(m, st.lmin + st.lr);
    if (++st.sn >= st.snapN) { st.sn = 0; snap(st); }
    if (!st.u[3] && ++st.n >= 2 * st.hz) upright(st); // never calibrated: learn from the first 2 s
    if (st.on & 1) e = fall(st, m);
    if ((st.on & 2) && st.u[3]) {
      c = cos(g, 0, st.u, 0);
      if (!st.td) {
        st.tc = c < st.tiltC ? st.tc + 1 : 0;
        if (st.tc >= st.tiltN && !e) { st.td = 1; st.tc = 0; e = 2; }
      } else {
        st.tc = c >= st.tiltC ? st.tc + 1 : 0;
        if (st.tc >= st.recN && !e) { st.td = 0; st.tc = 0; e = 4; }
      }
    }
    if (st.on & 4) {
      if (!st.sd) {
        st.sc = st.mv < st.stillG ? st.sc + 1 : 0;
        if (st.sc >= st.stillN && !e) { st.sd = 1; st.sc = 0; e = 3; }
      } else {
        st.sc = st.mv > 2 * st.stillG ? st.sc + 1 : 0;
        if (st.sc >= st.hz && !e) { st.sd = 0; st.sc = 0; e = 5; }
      }
    }
    return e;
  }

  return { create: create, step: step, upright: upright, reset: reset, NF: 7 };
})();
