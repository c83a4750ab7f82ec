// Detectors (docs/detection.md): fall (impact, then stillness in a posture far from the one before
// the impact), man-down (loss of verticality against a calibrated upright for tiltS) and no-motion
// (stillS below stillG). Pure and clock-free: time is counted in samples at cfg.hz; one call per
// accelerometer sample, a few dozen statements, no allocation after create().
// Events: 1 FALL, 2 MAN_DOWN, 3 NO_MOTION, 4 UPRIGHT_AGAIN, 5 MOVING_AGAIN (0 = nothing).
var VDetect = (function () {
  // Sensitivity 1..5 -> impact threshold (g) and minimum orientation change (cosine of the angle).
  var IMP = [3.2, 2.8, 2.4, 2.1, 1.8];
  var TURN = [0.5, 0.6, 0.7, 0.76, 0.82]; // cos 60°, 53°, 46°, 41°, 35°
  var RING = 8; // gravity snapshots every RING_S/RING seconds, for the posture before an impact

  function num(v, d) {
    return v === undefined ? d : v;
  }

  function create(cfg) {
    var hz = cfg.hz, sens = Math.max(1, Math.min(5, num(cfg.sens, 3))) - 1;
    var st = {
      hz: hz,
      on: (cfg.fall === false ? 0 : 1) | (cfg.tilt === false ? 0 : 2) | (cfg.still === false ? 0 : 4),
      imp2: IMP[sens] * IMP[sens],
      turn: TURN[sens],
      k: 1 / Math.max(1, 0.4 * hz), // gravity low-pass, 0.4 s time constant
      km: 1 / Math.max(1, 0.5 * hz), // motion low-pass, 0.5 s
      tiltC: Math.cos(num(cfg.tiltDeg, 45) * Math.PI / 180),
      tiltN: Math.round(num(cfg.tiltS, 30) * hz),
      recN: Math.round(num(cfg.recoverS, 3) * hz),
      stillN: Math.round(num(cfg.stillS, 60) * hz),
      stillG: num(cfg.stillG, 0.05),
      snapN: Math.max(1, Math.round(hz / 4)),
      ring: new Float32Array(RING * 3),
      u: new Float32Array(4) // upright unit vector, [3] = 1 when calibrated
    };
    reset(st);
    st.n = 0;
    st.gx = 0; st.gy = 0; st.gz = 0;
    return st;
  }

  function reset(st) {
    st.ph = 0; // fall phase: 0 idle, 1 after impact
    st.pc = 0; // samples since the last impact peak
    st.qc = 0; // consecutive quiet samples after the impact
    st.px = 0; st.py = 0; st.pz = 0; // posture before the impact
    st.tc = 0; st.td = 0; // tilt counter, man-down latched
    st.sc = 0; st.sd = 0; // stillness counter, no-motion latched
    st.mv = 0; // motion low-pass (g)
  }

  function upright(st) {
    var m = Math.sqrt(st.gx * st.gx + st.gy * st.gy + st.gz * st.gz);
    if (m < 0.5) return;
    st.u[0] = st.gx / m; st.u[1] = st.gy / m; st.u[2] = st.gz / m; st.u[3] = 1;
    st.tc = 0; st.td = 0;
  }

  // Cosine of the angle between the current gravity estimate and (x, y, z).
  function cosTo(st, x, y, z) {
    var a = Math.sqrt(st.gx * st.gx + st.gy * st.gy + st.gz * st.gz) * Math.sqrt(x * x + y * y + z * z);
    return a > 0 ? (st.gx * x + st.gy * y + st.gz * z) / a : 1;
  }

  function fall(st, m2) {
    var i;
    if (m2 > st.imp2) {
      if (st.ph == 0) {
        // The oldest snapshot is the posture about 2 s before the impact.
        i = ((Math.floor(st.n / st.snapN) + 1) % RING) * 3;
        st.px = st.ring[i]; st.py = st.ring[i + 1]; st.pz = st.ring[i + 2];
        st.ph = 1;
      }
      st.pc = 0; st.qc = 0;
      return 0;
    }
    if (st.ph == 0) return 0;
    st.pc++;
    st.qc = st.mv < 0.08 ? st.qc + 1 : 0;
    if (st.pc > 8 * st.hz) { st.ph = 0; return 0; }
    if (st.pc < st.hz || st.qc < 1.5 * st.hz) return 0;
    st.ph = 0;
    if (cosTo(st, st.px, st.py, st.pz) < st.turn) return 1;
    if (st.u[3] && cosTo(st, st.u[0], st.u[1], st.u[2]) < st.turn) return 1;
    return 0;
  }

  function step(st, x, y, z) {
    var m2 = x * x + y * y + z * z, k = st.k, e = 0, c, dx, dy, dz;
    st.gx += (x - st.gx) * k; st.gy += (y - st.gy) * k; st.gz += (z - st.gz) * k;
    dx = x - st.gx; dy = y - st.gy; dz = z - st.gz;
    st.mv += (Math.sqrt(dx * dx + dy * dy + dz * dz) - st.mv) * st.km;
    st.n++;
    if (st.n % st.snapN == 0) {
      c = (Math.floor(st.n / st.snapN) % RING) * 3;
      st.ring[c] = st.gx; st.ring[c + 1] = st.gy; st.ring[c + 2] = st.gz;
    }
    if (!st.u[3] && st.n == 2 * st.hz) upright(st); // auto-learn when never calibrated
    if (st.on & 1) e = fall(st, m2);
    if ((st.on & 2) && st.u[3]) {
      c = cosTo(st, st.u[0], st.u[1], st.u[2]);
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

  return { create: create, step: step, upright: upright, reset: reset };
})();
