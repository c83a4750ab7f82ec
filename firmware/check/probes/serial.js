// boards: puck
// Serial1 as the LoRa board sets it up (D28 RX, D29 TX): what set-up, events and writes return.
t("typeof Serial1", function () { return typeof Serial1; });
t("setup", function () { return Serial1.setup(57600, { rx: D28, tx: D29 }); });
t("on data", function () { return Serial1.on("data", function (d) { }); });
t("write", function () { return Serial1.write("radio tx 00\r\n"); });
t("write number", function () { return Serial1.write(65); });
t("setup bad baud", function () { return Serial1.setup(0, { rx: D28, tx: D29 }); });
print("@@end");
