// boards: bangle
// Bangle.js 2 crypto: the global AES.ccmEncrypt (AES_CCM, 2v25+), and how it fails.
var K = new Uint8Array(16), N = new Uint8Array(13), i;
for (i = 0; i < 16; i++) K[i] = i;
for (i = 0; i < 13; i++) N[i] = 0x10 + i;
function hex(b) { var a = new Uint8Array(b), s = "", j; for (j = 0; j < a.length; j++) s += (a[j] < 16 ? "0" : "") + a[j].toString(16); return s; }
t("ccmEncrypt 12 bytes, 4-byte tag", function () { var r = AES.ccmEncrypt(new Uint8Array(12), K, N, 4); return [hex(r.data), hex(r.tag)]; });
t("ccmEncrypt 2 bytes", function () { var r = AES.ccmEncrypt(new Uint8Array([1, 2]), K, N, 4); return [hex(r.data), hex(r.tag)]; });
t("ccmEncrypt result", function () { var r = AES.ccmEncrypt(new Uint8Array(12), K, N, 4); return [typeof r.data, r.data.byteLength, r.tag.byteLength]; });
t("ccmDecrypt round trip", function () { var r = AES.ccmEncrypt(new Uint8Array([7, 8, 9]), K, N, 4); return hex(AES.ccmDecrypt(r.data, K, N, r.tag)); });
t("ccmDecrypt bad tag", function () { var r = AES.ccmEncrypt(new Uint8Array([7, 8, 9]), K, N, 4); return AES.ccmDecrypt(r.data, K, N, new Uint8Array(4)); });
t("missing key", function () { return AES.ccmEncrypt(new Uint8Array(12), undefined, N, 4); });
t("empty key", function () { return AES.ccmEncrypt(new Uint8Array(12), new Uint8Array(0), N, 4); });
t("short key", function () { return AES.ccmEncrypt(new Uint8Array(12), new Uint8Array(8), N, 4); });
t("short nonce", function () { return AES.ccmEncrypt(new Uint8Array(12), K, new Uint8Array(5), 4); });
print("@@end");
