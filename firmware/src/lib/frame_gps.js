/* global VFrame */
// GPS positions for frames (SPEC §2.4 position kind 2), only on boards with a GPS receiver: a Puck.js
// has none, and every function costs it RAM.
VFrame.gps = function (lat, lon) {
  // signed 24 bits per axis, degrees/90·2^23 and degrees/180·2^23, clamped to ±(2^23 − 1)
  function i24(a, o, v) {
    v = v > 8388607 ? 8388607 : v < -8388607 ? -8388607 : v;
    if (v < 0) v += 16777216;
    a[o] = (v >> 16) & 255; a[o + 1] = (v >> 8) & 255; a[o + 2] = v & 255;
  }
  var b = new Uint8Array(6);
  i24(b, 0, Math.round(lat / 90 * 8388608));
  i24(b, 3, Math.round(lon / 180 * 8388608));
  return [2, b];
};
