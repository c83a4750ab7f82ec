// boards: puck
// Puck.js crypto: require("crypto").AES ECB and CBC (the firmware builds CCM from them), and how it fails.
var A = require("crypto").AES, K = new Uint8Array(16), i;
for (i = 0; i < 16; i++) K[i] = i;
function hex(b) { var a = new Uint8Array(b), s = "", j; for (j = 0; j < a.length; j++) s += (a[j] < 16 ? "0" : "") + a[j].toString(16); return s; }
t("ECB one block", function () { return hex(A.encrypt(new Uint8Array(16), K, { mode: "ECB" })); });
t("ECB two blocks", function () { return hex(A.encrypt(new Uint8Array(32), K, { mode: "ECB" })); });
t("ECB returns", function () { var r = A.encrypt(new Uint8Array(16), K, { mode: "ECB" }); return [typeof r, r.byteLength, r.length]; });
t("ECB partial block", function () { return hex(A.encrypt(new Uint8Array(5), K, { mode: "ECB" })); });
t("CBC zero iv", function () { return hex(A.encrypt(new Uint8Array(32), K, { mode: "CBC", iv: new Uint8Array(16) })); });
t("CBC no iv", function () { return hex(A.encrypt(new Uint8Array(16), K, { mode: "CBC" })); });
t("decrypt ECB", function () { return hex(A.decrypt(A.encrypt(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]), K, { mode: "ECB" }), K, { mode: "ECB" })); });
t("string key", function () { return hex(A.encrypt(new Uint8Array(16), "0123456789abcdef", { mode: "ECB" })); });
t("missing key", function () { return hex(A.encrypt(new Uint8Array(16), undefined, { mode: "ECB" })); });
t("empty key", function () { return hex(A.encrypt(new Uint8Array(16), new Uint8Array(0), { mode: "ECB" })); });
t("short key", function () { return hex(A.encrypt(new Uint8Array(16), new Uint8Array(8), { mode: "ECB" })); });
t("24-byte key", function () { return hex(A.encrypt(new Uint8Array(16), new Uint8Array(24), { mode: "ECB" })); });
t("unknown mode", function () { return hex(A.encrypt(new Uint8Array(16), K, { mode: "XYZ" })); });
t("no global AES on a Puck", function () { return typeof AES; });
print("@@end");
