// The phone as a device: while the app is open and the session says the phone watches for falls,
// DeviceMotion samples feed the pendant's own detector (VDetect, /app/detect.js = firmware/src/lib/
// detect.js, unchanged) and its events go through the pendant's pre-alarm and cancel rules (flow.js).
//
// The detector counts time in samples at a fixed rate, as the pendant's accelerometer delivers
// them; phones deliver 50–100 events a second at a rate of their choosing, so each 25 Hz sample is
// the mean of the events in its period (as the evaluator resamples recorded falls, docs/detection.md)
// and time is taken from each event's `interval`. A gap (screen off, app in the background: browsers
// stop sensors and throttle timers) is counted, shown, and noticed by the centre: heartbeats stop
// and it raises device_silent. What browsers do in the background: docs/worker.md.
'use strict';
(function (root) {
  const HZ = 25;
  const PERIOD_MS = 1000 / HZ;
  const G = 9.80665;
  const CALIBRATE_S = 10; // time to put the phone where it is worn before "upright" is learned
  const NO_SENSOR_S = 5;

  let deps = null;
  let running = false;
  let st = null; // VDetect state, created once calibrated
  let calibrateAt = 0;
  let timers = [];
  let wakeLock = null;
  let sum = [0, 0, 0, 0];
  let last = [0, 0, 1];
  let t = 0;
  let lastStamp = null;
  const stats = { samples: 0, events: 0, gaps: 0, hiddenMs: 0, hiddenSince: null, sensor: 'waiting' };

  function changed() {
    deps.onChange(status());
  }

  function status() {
    return { running, calibrating: running && Date.now() < calibrateAt, calibrateAt, sensor: stats.sensor, samples: stats.samples, gaps: stats.gaps, hiddenMs: stats.hiddenMs, wakeLock: !!wakeLock };
  }

  function sample(x, y, z) {
    stats.samples++;
    if (!st) {
      if (Date.now() < calibrateAt) return;
      // The detector learns "upright" from its first 2 s (docs/detection.md).
      st = root.VDetect.create({ hz: HZ, sens: 3 });
      changed();
    }
    const e = root.VDetect.step(st, x, y, z);
    if (e) deps.onEvent(e);
  }

  function onMotion(ev) {
    const a = ev.accelerationIncludingGravity;
    if (!running || !a || a.x === null || a.x === undefined) return;
    stats.events++;
    if (stats.sensor !== 'ok') {
      stats.sensor = 'ok';
      changed();
    }
    const dt = ev.interval > 0 ? ev.interval : lastStamp === null ? PERIOD_MS : Math.max(1, ev.timeStamp - lastStamp);
    if (lastStamp !== null && ev.timeStamp - lastStamp > 1000 + 2 * dt) {
      // The browser stopped the sensor for a while: start a fresh period, do not invent samples.
      stats.gaps++;
      sum = [0, 0, 0, 0];
      t = 0;
    }
    lastStamp = ev.timeStamp;
    sum[0] += a.x / G;
    sum[1] += a.y / G;
    sum[2] += a.z / G;
    sum[3]++;
    t += dt;
    while (t >= PERIOD_MS) {
      if (sum[3] > 0) last = [sum[0] / sum[3], sum[1] / sum[3], sum[2] / sum[3]];
      sum = [0, 0, 0, 0];
      t -= PERIOD_MS;
      sample(last[0], last[1], last[2]);
    }
  }

  async function lockScreen() {
    try {
      if (running && root.navigator.wakeLock && !root.document.hidden) {
        wakeLock = await root.navigator.wakeLock.request('screen');
        wakeLock.addEventListener('release', () => {
          wakeLock = null;
          changed();
        });
      }
    } catch {
      wakeLock = null;
    }
    changed();
  }

  function onVisibility() {
    if (!running) return;
    if (root.document.hidden) stats.hiddenSince = Date.now();
    else {
      if (stats.hiddenSince) stats.hiddenMs += Date.now() - stats.hiddenSince;
      stats.hiddenSince = null;
      void lockScreen();
      deps.heartbeat();
    }
    changed();
  }

  const motion = {
    init(d) {
      deps = d;
      root.addEventListener('devicemotion', onMotion);
      root.document.addEventListener('visibilitychange', onVisibility);
    },
    /** iOS asks the worker once, from a tap. */
    async permission() {
      const D = root.DeviceMotionEvent;
      if (D && typeof D.requestPermission === 'function') {
        try {
          return (await D.requestPermission()) === 'granted';
        } catch {
          return false;
        }
      }
      return true;
    },
    start(heartbeatS) {
      if (running) return;
      running = true;
      st = null;
      calibrateAt = Date.now() + CALIBRATE_S * 1000;
      stats.sensor = 'waiting';
      lastStamp = null;
      timers = [
        setTimeout(() => {
          if (stats.sensor === 'waiting') stats.sensor = 'none';
          changed();
        }, NO_SENSOR_S * 1000),
        setTimeout(changed, CALIBRATE_S * 1000),
        setInterval(() => deps.heartbeat(), heartbeatS * 1000),
      ];
      deps.heartbeat();
      void lockScreen();
      changed();
    },
    stop() {
      if (!running) return;
      running = false;
      st = null;
      timers.forEach((x) => {
        clearTimeout(x);
        clearInterval(x);
      });
      timers = [];
      if (wakeLock) void wakeLock.release().catch(() => undefined);
      wakeLock = null;
      changed();
    },
    /** "Stand upright, phone where you wear it": learn upright again in a few seconds. */
    recalibrate() {
      if (!running) return;
      st = null;
      calibrateAt = Date.now() + CALIBRATE_S * 1000;
      timers.push(setTimeout(changed, CALIBRATE_S * 1000));
      changed();
    },
    /** After an alarm the detectors are re-armed (VDetect.reset), as on the pendant. */
    rearm() {
      if (st) root.VDetect.reset(st);
    },
    status,
  };

  root.VigilMotion = motion;
})(window);
