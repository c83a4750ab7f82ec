// The alarm sound, made by the page itself (WebAudio: no file to load, nothing to fail to fetch).
// Browsers keep audio off until the user has clicked the page: until then <body data-sound="blocked">
// and the console shows a banner asking for one click. A new alarm plays at once; while any alarm waits
// for acknowledgement the sound repeats every 10 s (a duress alarm more urgently), so none goes unnoticed.
let ctx = null;
let beeps = 0;
let repeatTimer = null;

function state() {
  const s = !ctx ? 'blocked' : ctx.state === 'running' ? 'on' : 'blocked';
  document.body.dataset.sound = s;
  document.body.dataset.beeps = String(beeps);
  return s;
}

/** Call from a click (or the login): creates or resumes the audio context. */
export function unlockSound() {
  try {
    if (!ctx) ctx = new AudioContext();
    if (ctx.state !== 'running') void ctx.resume().then(state, state);
  } catch {
    ctx = null;
  }
  return state();
}

export function soundState() {
  return state();
}

/** Two-tone alarm pattern (high-low, three times); urgent = faster and higher (duress). */
export function beep(urgent = false) {
  beeps++;
  if (!ctx || ctx.state !== 'running') return state();
  const now = ctx.currentTime;
  const gain = ctx.createGain();
  gain.connect(ctx.destination);
  gain.gain.setValueAtTime(0.0001, now);
  const step = urgent ? 0.14 : 0.22;
  for (let i = 0; i < 6; i++) {
    const osc = ctx.createOscillator();
    osc.type = 'square';
    osc.frequency.value = (i % 2 ? 660 : 880) * (urgent ? 1.25 : 1);
    osc.connect(gain);
    const at = now + i * step;
    gain.gain.setValueAtTime(0.18, at);
    gain.gain.setValueAtTime(0.0001, at + step * 0.85);
    osc.start(at);
    osc.stop(at + step * 0.9);
  }
  return state();
}

/** Keeps sounding every `everyMs` while `waiting()` says an alarm waits for acknowledgement. */
export function keepSounding(waiting, everyMs = 10000) {
  clearInterval(repeatTimer);
  repeatTimer = setInterval(() => {
    const w = waiting();
    if (w) beep(w === 'urgent');
  }, everyMs);
}
