// Pendant settings: Storage "vigil.json" over defaults. `npx vigil device add` prints the line that
// writes id and key; every other setting is optional.
var VSet = (function () {
  var s = require("Storage").readJSON("vigil.json", 1) || {};
  var d = {
    id: "00000000", // device id, 8 hex digits
    key: "", // 128-bit key, 32 hex digits
    co: 0xFFFF, // BLE company id used for Vigil frames
    rep: [2, 4, 8, 15, 30] // alarm repeat backoff, seconds (the last value repeats)
  };
  for (var k in d) if (s[k] === undefined) s[k] = d[k];
  return s;
})();
