// Timers: errors, clearing all, ids and their reuse, a timer's own id inside its callback, intervals.
t("clearTimeout(undefined)", function () { return clearTimeout(undefined); });
t("clearInterval(undefined)", function () { return clearInterval(undefined); });
t("clearTimeout(null)", function () { return clearTimeout(null); });
t("clearTimeout(unknown id)", function () { return clearTimeout(99); });
t("clearTimeout('1') before any timer", function () { return clearTimeout("1"); });
t("setTimeout(not a function)", function () { return setTimeout(1, 10); });
t("setInterval(not a function)", function () { return setInterval(undefined, 10); });
t("changeInterval(unknown)", function () { return changeInterval(42, 10); });
var a = setTimeout(function () { print("a fired"); }, 40);
var b = setTimeout(function () { print("b fired (never: cleared)"); }, 10);
t("first ids", function () { return [a, b]; });
clearTimeout(b);
var c = setTimeout(function () {
  print("c fired");
  t("c's own id while it runs", function () { return clearTimeout(c); });
  var d = setTimeout(function () { print("d fired"); }, 10);
  t("d id", function () { return d; });
}, 20);
t("c reuses b's id", function () { return c; });
var iv = setInterval(function () { print("iv tick"); clearTimeout(iv); }, 15);
t("iv id", function () { return iv; });
var iv2 = setInterval(function () { print("iv2 tick"); clearInterval(iv2); }, 5);
changeInterval(iv2, 25);
var e = setTimeout(function (x, y) { print("e fired with " + x + " " + y); }, 50, "p", 2);
var f = setTimeout(function () { print("f fired (never: all cleared)"); }, 70);
setTimeout(function () {
  t("clearTimeout() clears every timer", function () { return clearTimeout(); });
  setTimeout(function () { print("after clearing all"); print("@@end"); }, 30);
}, 60);
