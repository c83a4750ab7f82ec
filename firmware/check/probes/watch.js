// Watches that can be made without a pin changing level (the Linux build has no GPIO): ids, errors.
t("clearWatch(undefined)", function () { return clearWatch(undefined); });
t("clearWatch(unknown id)", function () { return clearWatch(99); });
t("setWatch(not a function)", function () { return setWatch(1, D4, { edge: "rising" }); });
var w1 = setWatch(function () { }, D4, { edge: "both", repeat: true, debounce: 25 });
var w2 = setWatch(function () { }, D5, { edge: "rising" });
t("watch ids", function () { return [w1, w2]; });
t("clearWatch(w1)", function () { return clearWatch(w1); });
t("clearWatch(w1) again", function () { return clearWatch(w1); });
t("clearWatch() clears all", function () { return clearWatch(); });
t("clearWatch(w2) after all", function () { return clearWatch(w2); });
print("@@end");
