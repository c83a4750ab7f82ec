// How numbers become text: print, string concatenation and JSON (Espruino has its own formatting).
t("0.1 + 0.2", function () { return 0.1 + 0.2; });
t("\"\" + (0.1 + 0.2)", function () { return "" + (0.1 + 0.2); });
t("1 / 3", function () { return 1 / 3; });
t("a time of day", function () { return 1765120000.123456; });
t("\"\" + a time of day", function () { return "" + 1765120000.125; });
t("small", function () { return [0.001, 0.000123, 1e-7]; });
t("large", function () { return [1e21, 123456789012345, 2147483648]; });
t("Float32 0.1", function () { var f = new Float32Array(1); f[0] = 0.1; return f[0]; });
t("negative zero", function () { return -0; });
t("NaN and Infinity", function () { return ["" + NaN, "" + Infinity, JSON.stringify([NaN])]; });
t("text with a leading zero as a number", function () { return ["030" * 10, "010" * 1, "008" * 1, "-010" * 1, "030" - 0]; });
t("text as a number", function () { return ["0x10" * 1, "1e2" * 1, "0.5" * 1, "" * 1]; });
t("text with spaces as a number", function () { return "" + (" 12 " * 1); });
t("parseInt of a leading zero", function () { return [parseInt("030"), parseInt("030", 10), parseInt("08")]; });
print("@@end");
