// The pre-alarm and cancel rules of the pendant (firmware/src/lib/app.js, docs/firmware.md), on the
// phone. An alarm starts with a cancel window — the worker's own setting for the Alarm button
// (0–45 s), the centre's pre-alarm (20 s) for a fall, man-down or no-motion the phone detected —
// during which the phone warns every 2 s; the centre holds a pending alarm meanwhile and raises it
// itself if the phone goes quiet. Cancel ends it (nothing is raised); "send now" or the end of the
// window raises it, with the phone's position taken at that moment only. Upright again / moving
// again cancel a pending man-down / no-motion by themselves. After a cancel the detectors are not
// re-armed: a man-down stays latched until the worker is upright again (it does not fire again and
// again while they carry on lying there); after an alarm they are.
'use strict';
(function (root) {
  const { saved, newKey, vibrate } = root.VigilUtil;
  // VDetect events (docs/detection.md) and the alarm types they start.
  const DETECTED = { 1: 'fall', 2: 'man_down', 3: 'no_motion' };
  const ENDS = { 4: 'man_down', 5: 'no_motion' };

  let deps = null;
  let incident = null; // {key, type, source: 'button'|'detector', endsAt, stage: 'countdown'|'locating'}
  let endTimer = null;
  let warnTimer = null;

  function changed() {
    saved.set('incident', incident);
    deps.onChange(incident);
  }

  function warn() {
    clearTimeout(warnTimer);
    if (!incident || incident.stage !== 'countdown') return;
    vibrate([300, 150, 300]);
    warnTimer = setTimeout(warn, 2000);
  }

  function begin(type, source, windowS, resumedKey) {
    incident = { key: resumedKey || newKey(), type, source, endsAt: Date.now() + windowS * 1000, stage: 'countdown' };
    if (!resumedKey) deps.send({ kind: 'pre_alarm', alarmType: type, key: incident.key });
    clearTimeout(endTimer);
    endTimer = setTimeout(raise, windowS * 1000);
    warn();
    changed();
  }

  /** The window is over, or "send now": the alarm goes with the position of this moment. */
  async function raise() {
    const i = incident;
    if (!i || i.stage !== 'countdown') return;
    clearTimeout(endTimer);
    i.stage = 'locating';
    changed();
    const position = await deps.position();
    if (incident !== i) return;
    const alarmKey = newKey();
    deps.send({ kind: 'alarm', alarmType: i.type, key: alarmKey, ...(i.source === 'button' && i.noPre ? {} : { incidentKey: i.key }), ...(position ? { position } : {}) }, { at: Date.now(), type: i.type, positionSent: !!position, accuracyM: position ? position.accuracyM : null });
    incident = null;
    deps.rearm();
    changed();
  }

  const flow = {
    init(d) {
      deps = d;
      // A reload during a cancel window starts a fresh window (like a pendant rebooting in a pre-alarm).
      const was = saved.get('incident', null);
      if (was && was.stage === 'countdown') begin(was.type, was.source, was.source === 'button' ? Math.max(5, deps.countdownS()) : deps.preAlarmS(), was.key);
      else if (was) {
        incident = Object.assign(was, { stage: 'countdown' });
        void raise();
      }
    },
    get incident() {
      return incident;
    },
    /** The Alarm button. With no cancel window the alarm goes at once. */
    button() {
      if (incident) return flow.now();
      const s = deps.countdownS();
      if (s <= 0) {
        incident = { key: newKey(), type: 'sos', source: 'button', endsAt: Date.now(), stage: 'countdown', noPre: true };
        return raise();
      }
      begin('sos', 'button', s);
    },
    /** A VDetect event from the phone's own sensors (protection on). */
    detected(e) {
      if (DETECTED[e]) {
        if (!incident) begin(DETECTED[e], 'detector', deps.preAlarmS());
      } else if (ENDS[e] && incident && incident.stage === 'countdown' && incident.type === ENDS[e]) {
        flow.cancel(true);
      }
    },
    /** Cancel during the window: a pre-alarm not yet sent is taken back, else the centre is told. */
    cancel(byDetector) {
      const i = incident;
      if (!i || i.stage !== 'countdown') return false;
      clearTimeout(endTimer);
      clearTimeout(warnTimer);
      incident = null;
      if (!deps.unsend(i.key)) deps.send({ kind: 'cancel', alarmType: i.type, key: newKey(), incidentKey: i.key });
      if (!byDetector) vibrate(100);
      changed();
      return true;
    },
    /** "Send now". */
    now() {
      return raise();
    },
  };

  root.VigilFlow = flow;
})(window);
