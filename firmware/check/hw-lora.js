// The LoRa board's modem for a Linux build of the interpreter, after hw-puck.js: an RN2483 on Serial1
// answering as Microchip's command reference (DS40001784) says — "ok" to settings, "ok" then
// "radio_tx_ok" to `radio tx`, "ok" then "radio_rx  <hex>" or "radio_err" (watchdog) to `radio rx 0`.
// Uplinks are printed as "@@lora <hex>"; VT.down(hex) queues a downlink for the next receive window.
VT.dl = [];
VT.wdt = 3000;
var Serial1 = {
  setup: function (baud, o) { vtOut("serial", baud); },
  write: function (s) {
    var l = s.trim(), r = ["ok"];
    if (l.indexOf("radio set wdt ") == 0) VT.wdt = parseInt(l.substr(14), 10);
    if (l.indexOf("radio tx ") == 0) { vtOut("lora", l.substr(9)); r.push("radio_tx_ok"); }
    if (l == "radio rx 0") {
      if (VT.dl.length) vtOut("dl", VT.dl[0]);
      r.push(VT.dl.length ? "radio_rx  " + VT.dl.shift() : "radio_err");
    }
    r.forEach(function (a, i) {
      setTimeout(function () { Serial1.emit("data", a + "\r\n"); }, i ? (a == "radio_err" ? VT.wdt : 200) : 20);
    });
  }
};
VT.down = function (hex) { VT.dl.push(hex); };
