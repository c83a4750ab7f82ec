/* global VSet, VDef, VFrame, VApp, VClr */
// LoRa P2P carriage through a modem on Serial1 (D28 RX, D29 TX): the same 24-byte frame as BLE, then
// an RX window of rxMs for the downlink (the gateway answers inside it). Two real command sets:
// RN2483 (Microchip DS40001784: `mac pause`, `radio set …`, `radio tx <hex>` -> ok, radio_tx_ok |
// radio_err; `radio rx 0` ends with `radio_rx  <hex>` or radio_err when the watchdog `radio set wdt`
// expires) and RAK3172 with RUI3 (`AT+NWM=0` P2P mode, `AT+P2P=freq:sf:bw:cr:preamble:power`,
// `AT+PSEND=<hex>` -> OK, +EVT:TXP2P DONE; `AT+PRECV=<ms>` -> +EVT:RXP2P:<rssi>:<snr>:<hex> or
// +EVT:RXP2P RECEIVE TIMEOUT). One command at a time, each waits for its answer or a timeout.
// Defaults 869.525 MHz (g3 sub-band, 10 % duty cycle), SF9, BW125, CR4/5, 14 dBm. Every uplink is
// followed by its receive window, at least 9x the uplink's airtime (24 bytes ≈ 60 symbols): the next
// uplink can never break the 10 % duty cycle. Set-up runs once at load; only the chosen modem's reply
// parser is kept.
VDef({ modem: "rn2483", freq: 869525000, sf: 9, bw: 125, cr: 5, pwr: 14, rxMs: 3000 });
var VRadio = (function () {
  var C = VSet, rn = C.modem != "rak3172", q = [], job, buf = "", to, line;
  C.rxMs = Math.round(Math.max(C.rxMs, 9 * 60 * Math.pow(2, C.sf) / C.bw));

  // kind 0: a setting (ends on any reply), 1: transmit, 2: receive window, 3: a setting that restarts
  // the modem (ends on the line after its OK, or 1.5 s)
  function put(c, k, first) {
    if (first) q.unshift([c, k]);
    else q.push([c, k]);
    next();
  }

  function next() {
    if (job || !q.length) return;
    job = q.shift();
    Serial1.write(job[0] + "\r\n");
    to = setTimeout(fin, job[1] == 2 ? C.rxMs + 2000 : job[1] == 3 ? 1500 : 5000);
  }

  function fin() {
    VClr(to);
    to = 0;
    job = undefined;
    next();
  }

  // A reply: rx = the hex of a received packet, tx = transmitted, ok = an intermediate "ok".
  function got(rx, tx, ok) {
    if (!job || (ok && job[1])) return;
    if (rx) VApp.down(VFrame.unhex(rx));
    if (tx) put(rn ? "radio rx 0" : "AT+PRECV=" + C.rxMs, 2, 1);
    fin();
  }

  Serial1.setup(rn ? 57600 : 115200, { rx: D28, tx: D29 });
  Serial1.on("data", function (s) {
    buf += s;
    for (var i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      var l = buf.substr(0, i).trim();
      buf = buf.substr(i + 1);
      if (l) line(l);
    }
  });

  if (rn) {
    line = function (l) {
      got(l.substr(0, 10) == "radio_rx  " && l.substr(10), l == "radio_tx_ok", l == "ok");
    };
    ["mac pause", "radio set mod lora", "radio set freq " + C.freq, "radio set sf sf" + C.sf, "radio set bw " + C.bw, "radio set cr 4/" + C.cr,
      "radio set pwr " + C.pwr, "radio set crc on", "radio set wdt " + C.rxMs].forEach(function (c) { put(c, 0); });
  } else {
    line = function (l) {
      got(l.indexOf("+EVT:RXP2P:") == 0 && l.substr(l.lastIndexOf(":") + 1), l == "+EVT:TXP2P DONE", l == "OK");
    };
    put("AT+NWM=0", 3); // switching from LoRaWAN restarts the module
    put("AT+P2P=" + [C.freq, C.sf, C.bw, C.cr - 5, 8, C.pwr].join(":"), 0);
    put("AT+LPM=1", 0); // sleep between commands
  }
  "modem freq sf bw cr pwr".split(" ").forEach(function (k) {
    delete C[k]; // used once: the memory is worth more
  });
  return {
    tx: function (f) {
      if (q.length < 12) put((rn ? "radio tx " : "AT+PSEND=") + VFrame.hex(f), 1); // a stuck modem must not fill the memory
    },
    keep: next, // nothing to do: LoRa sends only frames
    idle: next
  };
})();
