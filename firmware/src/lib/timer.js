// Clearing a timer on Espruino (ESPRUINO.md §8, firmware/check/fixtures): clearTimeout(undefined) and
// clearInterval(undefined) throw — on the first press of a button, at boot — and clearTimeout() with no
// argument clears every timer. Ids of finished timers are given out again, so a handle kept after its
// timer ran can clear somebody else's. Every timer here is cleared through VClr, and every handle is
// reset to 0 when its timer is cleared or has run for the last time. (clearTimeout also clears an
// interval: both live in the same list.)
function VClr(t) {
  if (t) clearTimeout(t);
}
