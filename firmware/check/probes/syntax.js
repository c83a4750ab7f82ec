// Syntax the interpreter rejects (the firmware lint forbids it: firmware/tools/espruino-check.ts).
function src(code) { return function () { return eval(code); }; }
t("destructuring", src("var o={a:1}; var {a} = o; a"));
t("array destructuring", src("var [x, y] = [1, 2]; x"));
t("default parameter", src("(function (a = 1) { return a; })()"));
t("rest parameter", src("(function (...r) { return r.length; })(1, 2)"));
t("spread", src("Math.max(...[1, 2])"));
t("optional chaining", src("var o = {}; o?.a"));
t("exponent", src("2 ** 3"));
t("arrow function", src("[1, 2].map(x => x * 2)"));
t("template literal", src("var v = 1; `a${v}`"));
t("let and const", src("let a = 1; const b = 2; a + b"));
t("Map", src("new Map()"));
t("class", src("class A { f() { return 1; } } new A().f()"));
t("async function", src("async function f() { return 1; } typeof f"));
t("for-of", src("var s = 0; for (var v of [1, 2]) s += v; s"));
t("use before definition (no hoisting)", src("var r = g(); function g() { return 5; } r"));
print("@@end");
