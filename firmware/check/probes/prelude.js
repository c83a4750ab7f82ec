// Prepended to every probe, in the real interpreter and in the stand-in alike. t(name, f) prints
// "name = value" or "name threw message"; values are printed the same way whatever the engine.
print("@@begin");
function t(name, f) {
  try {
    var v = f();
    print(name + " = " + (v === undefined ? "undefined" : typeof v == "string" ? JSON.stringify(v) : v && v.buffer ? "typed[" + v.join(",") + "]" : JSON.stringify(v)));
  } catch (e) {
    print(name + " threw " + e.message);
  }
}
