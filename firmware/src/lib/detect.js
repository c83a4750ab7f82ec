// Detectors (docs/detection.md). Pure and clock-free: time is counted in samples at cfg.hz; one
// step() per accelerometer sample (g, board axes), a few dozen statements, no allocation after
// create(). Events: 1 FALL, 2 MAN_DOWN, 3 NO_MOTION, 4 UPRIGHT_AGAIN, 5 MOVING_AGAIN (0 = nothing).
//
// Fall: |a| above TRIG opens an event; at its largest impact the posture ~4 s before is kept.
// DECIDE_S after that impact the event is decided by a small logistic model over orientation-
// agnostic features (angles between gravity directions, magnitudes, motion), with a second set of
// weights that adds in when the wearer was lying before (a fall out of bed against turning in it).
// Weights fitted on SisFall, UMAFall and FallAllD by `npx vigil eval --train` (docs/detection.md).
// Man-down: angle between gravity and the calibrated upright above tiltDeg for tiltS.
// No-motion: motion below stillG for stillS.
var VDetect = (function () {
  var TRIG = 1.5; // g: opens a fall event
  var DECIDE_S = 7; // s after the event's largest impact: the fall is decided
  var CALM_S = 3; // s: the motion before deciding is averaged over this
  var LYING = 0.5; // cosine: a posture further than 60° from upright counts as lying
  var RING = 16; // gravity snapshots, one every 1/4 s: the posture 4 s back
  var SOFT = Math.log(2); // ln g: an impact below 2 g is soft
  var LATE_S = 1.5; // s after the impact: the posture the wearer should have come to rest in
  var NB = 13; // features before the lying flag
  var NF = 27; // features: 13, the lying flag, the 13 again when lying
  // Logistic model: c1, c2, ln(peak), low-g, rotation, ln(motion), c1·c2, ln(peak)·c1, soft,
  // soft·(ln(motion 1-4 s after) + 4), late turn, ln(1.001 − c1), ln(1.001 − c2); lying; the same
  // thirteen when lying; bias. The firmware engine finds these numbers in the build.
  var MODEL = new Float32Array([-0.2584, -0.3632, 0.4603, -0.133, -0.6421, -0.3875, -0.3013, -0.2014, -0.4129, -0.772, 0.0181, 0.7155, 0.4088, -0.0688, -0.0015, -0.013, -0.0177, -0.0532, -0.1106, 0.1789, -0.0138, 0.0072, -0.1435, -0.1874, -0.0828, -0.0261, 0.0683, 2.2562]);

  function num(v, d) {
    return v === undefined ? d : v;
  }

  // A detector runs unless switched off (false or 0).
  function on(v) {
    return v === undefined || !!v;
  }

  function create(cfg) {
    var hz = cfg.hz;
    var st = {
      hz: hz,
      w: cfg.w && cfg.w.length == MODEL.length ? new Float32Array(cfg.w) : MODEL, // the evaluator's folds pass their own
      k: 1 / Math.max(1, 0.5 * hz), // gravity low-pass, 0.5 s
      km: 1 / Math.max(1, 0.25 * hz), // motion low-pass, 0.25 s
      lr: 0.5 / hz, // the low-g tracker rises 0.5 g/s back toward |a|
      dN: Math.round(DECIDE_S * hz),
      cN: Math.round(CALM_S * hz),
      hN: Math.max(1, Math.round(hz)), // samples per second (the motion 1-4 s after the impact)
      lN: Math.round(LATE_S * hz),
      snapN: Math.max(1, Math.round(hz / 4)),
      g: new Float32Array(3), // gravity estimate
      u: new Float32Array(4), // upright unit vector; [3] = 1 when calibrated
      p: new Float32Array(3), // posture before the impact
      q: new Float32Array(3), // posture LATE_S after the impact
      ring: new Float32Array(RING * 3),
      rq: new Float32Array(4), // last four rotation cosines (0.5 s apart)
      f: new Float32Array(NF), // features of the last decided event
      nc: 0, // events decided (read by the evaluator's trainer)
      n: 0, sn: 0, ri: 0, mv: 0, lmin: 1, ini: 0, z: 0
    };
    config(st, cfg);
    reset(st);
    return st;
  }

  // The settings a detector follows (all but the rate): also called on a running detector when the
  // centre changes one (SPEC §4.2.1), which keeps its calibration, history and running counts.
  function config(st, cfg) {
    var hz = st.hz, sens = Math.max(1, Math.min(5, Math.round(num(cfg.sens, 3))));
    st.on = (on(cfg.fall) ? 1 : 0) | (on(cfg.tilt) ? 2 : 0) | (on(cfg.still) ? 4 : 0);
    st.thr = (3 - sens) * 0.75; // logit threshold: sens 3 is probability 0.5, each step 0.75 either way
    st.tiltC = Math.cos(num(cfg.tiltDeg, 45) * Math.PI / 180);
    st.tiltN = Math.round(num(cfg.tiltS, 30) * hz);
    st.recN = Math.round(num(cfg.recoverS, 3) * hz);
    st.stillN = Math.round(num(cfg.stillS, 60) * hz);
    st.stillG = num(cfg.stillG, 0.05);
  }

  function reset(st) {
    st.ph = 0; // fall event open
    st.pc = 0; // samples since the event's largest impact
    st.pk = 0; // largest |a| of the event
    st.ms = 0; // motion summed over the last CALM_S before deciding
    st.ma = 0; // motion summed from 1 s to 4 s after the impact
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

  // Every 1/4 s: keep the gravity estimate, and how far it turned in the last 0.5 s; the fastest
  // turn in the 2 s after the impact is a feature.
  function snap(st) {
    var r = st.ring, i = st.ri * 3, b = ((st.ri + RING - 2) % RING) * 3, c;
    r[i] = st.g[0]; r[i + 1] = st.g[1]; r[i + 2] = st.g[2];
    c = cos(r, i, r, b);
    st.rq[st.ri & 3] = c;
    if (st.ph && st.pc < 2 * st.hz && c < st.f[4]) st.f[4] = c;
    st.ri = (st.ri + 1) % RING;
  }

  function decide(st) {
    var f = st.f, w = st.w, z = w[NF], i, ly;
    f[0] = cos(st.g, 0, st.p, 0); // posture after against before
    f[1] = st.u[3] ? cos(st.g, 0, st.u, 0) : f[0]; // after against upright
    f[2] = Math.log(st.pk);
    f[5] = Math.log(st.ms / st.cN + 0.005);
    f[6] = f[0] * f[1];
    f[7] = f[2] * f[0];
    // Lying down onto a bed at the neck: a soft impact (sitting onto it), then the wearer moves and
    // lies back; a fall comes to rest at its impact. Scaled by 10 so the L2 penalty treats them as
    // the others.
    f[8] = 10 * Math.max(0, SOFT - f[2]);
    f[9] = f[8] * (Math.log(st.ma / (3 * st.hN) + 0.005) + 4);
    f[10] = 10 * (1 - cos(st.q, 0, st.g, 0));
    // The turn on a log scale: a wearer who slid down a wall ends 20° from upright, one who sat
    // down 5-10°; c1 and c2 alone hardly tell these apart.
    f[11] = Math.log(1.001 - f[0]);
    f[12] = Math.log(1.001 - f[1]);
    ly = st.u[3] && cos(st.p, 0, st.u, 0) < LYING ? 1 : 0;
    f[NB] = ly;
    for (i = 0; i < NB; i++) f[i + NB + 1] = ly * f[i];
    for (i = 0; i < NF; i++) z += w[i] * f[i];
    st.nc++;
    st.z = z;
    return z > st.thr ? 1 : 0;
  }

  function fall(st, m) {
    var i;
    if (m > TRIG) {
      if (!st.ph) {
        st.ph = 1; st.pk = 0;
        st.f[4] = Math.min(st.rq[0], st.rq[1], st.rq[2], st.rq[3]);
      }
      if (m > st.pk) {
        st.pk = m; st.pc = 0; st.ms = 0; st.ma = 0;
        i = st.ri * 3; // the oldest snapshot: the posture 4 s before this impact
        st.p[0] = st.ring[i]; st.p[1] = st.ring[i + 1]; st.p[2] = st.ring[i + 2];
        st.f[3] = st.lmin;
        return 0;
      }
    }
    if (st.ph) {
      if (st.pc >= st.hN && st.pc < 4 * st.hN) st.ma += st.mv;
      if (st.pc == st.lN) { st.q[0] = st.g[0]; st.q[1] = st.g[1]; st.q[2] = st.g[2]; }
      if (++st.pc > st.dN - st.cN) st.ms += st.mv;
      if (st.pc >= st.dN) {
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

  return { create: create, config: config, step: step, upright: upright, reset: reset, NF: NF };
})();
