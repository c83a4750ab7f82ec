// digitalPulse as the LED patterns use it: an array of times, a single time, bad arguments.
t("array of times", function () { return digitalPulse(D1, 1, [100, 150, 100]); });
t("one time", function () { return digitalPulse(D2, 1, 50); });
t("negative time", function () { return digitalPulse(D2, 1, -5); });
t("no pin", function () { return digitalPulse(undefined, 1, 10); });
t("empty array", function () { return digitalPulse(D3, 1, []); });
setTimeout(function () { print("@@end"); }, 600);
