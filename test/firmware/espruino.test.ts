/**
 * The dist files against what Espruino offers (ESPRUINO.md §4): syntax and library it lacks, names
 * used at top level before their definition (no hoisting), and the memory model on the running
 * program (docs/firmware.md "Memory budget"; its evidence: test/conformance/memory.test.ts).
 */
import { FIRMWARE_BOARDS, loadDist } from '../../firmware/tools/build';
import { checkDefinitionOrder, checkSyntax, tokenisedLength } from '../../firmware/tools/espruino-check';
import { mangle } from '../../firmware/tools/mangle';
import { countJsVars } from '../../simulator/src/espruino/memory';
import { PROFILES } from '../../simulator/src/espruino/profiles';
import { boot, hold, LYING, UPRIGHT } from './helpers';

describe('Espruino checks on the dist files', () => {
  it.each(FIRMWARE_BOARDS)('%s uses only what Espruino has, defined before use', (board) => {
    const code = loadDist(board);
    expect(checkSyntax(code)).toEqual([]);
    expect(checkDefinitionOrder(code)).toEqual([]);
  });

  it('catches what Espruino lacks', () => {
    const bad = [
      ['var {a} = o;', 'destructuring'],
      ['[a, b] = [b, a];', 'destructuring assignment'],
      ['function f(a = 1) {}', 'default parameter'],
      ['function f(...a) {}', 'rest parameter'],
      ['f(...a);', 'spread'],
      ['async function f() { await g(); }', 'async'],
      ['var x = a?.b;', 'optional chaining'],
      ['var x = 2 ** 8;', '** operator'],
      ['var m = new Map();', 'Map does not exist'],
      ['var s = Symbol("x");', 'Symbol does not exist'],
      ['l: for (;;) break l;', 'label'],
      ['function* g() { yield 1; }', 'generator'],
      ['var t = Math.trunc(x);', 'Math.trunc does not exist'],
      ['var x = a.flat();', '.flat does not exist'],
      ['var x = {a};', 'shorthand property'],
    ];
    for (const [code, message] of bad) expect(checkSyntax(code!).map((v) => v.message).join('; ')).toContain(message!);
    expect(checkSyntax('var o = { get: 1 }; o.set = 2; var m = { Map: 1 }; m.Map;')).toEqual([]);
  });

  it('catches a name used at top level before its definition, also through a call', () => {
    expect(checkDefinitionOrder('f();\nfunction f() {}')).toEqual([{ line: 1, message: "'f' is used before its definition (line 2)" }]);
    expect(checkDefinitionOrder('function g() { return X; }\nvar a = g();\nvar X = 1;').map((v) => v.line)).toEqual([2]);
    expect(checkDefinitionOrder('var V = (function () { return W.x; })();\nvar W = {};').map((v) => v.line)).toEqual([1]);
    expect(checkDefinitionOrder('function g() { return X; }\nvar X = 1;\ng();')).toEqual([]); // called after X exists
  });

  it('shortens local names without changing behaviour or touching globals and properties', () => {
    const src = 'var G = (function () { var count = 0, step = 2; function add(value) { count += value * step; return count; } return { add: add, count: function () { return count; } }; })();';
    const out = mangle(src);
    expect(out.length).toBeLessThan(src.length - 20);
    expect(out).toContain('var G = ');
    expect(out).toContain('add: ');
    expect(out).toContain('count: ');
    expect(out).not.toContain('value');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const G = new Function(`${out}; return G;`)() as { add: (v: number) => number };
    expect(G.add(3)).toBe(6);
    expect(G.add(1)).toBe(8);
  });

  it('counts pretokenised text the way the pretokeniser stores it', () => {
    expect(tokenisedLength('function f(a){return a===undefined;}')).toBe(1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1);
  });
});

describe('memory (the model and its evidence: test/conformance/memory.test.ts)', () => {
  it.each(['puckjs', 'lora'] as const)('%s: booted, in a pre-alarm and in an alarm, the running program is counted', (board) => {
    const rig = boot({ board, settings: { tiltS: 5, scan: 60 } });
    rig.clock.advance(5000);
    const booted = countJsVars(rig.board);
    hold(rig, 3, UPRIGHT);
    hold(rig, 6, LYING);
    const pending = countJsVars(rig.board);
    hold(rig, 25, LYING);
    const alarm = countJsVars(rig.board);
    console.log(`${board}: ${booted.total} booted, ${pending.total} pre-alarm, ${alarm.total} alarm of ${PROFILES.puckjs.jsVars}; ${booted.functions} functions; ${JSON.stringify(booted.byRoot)}`);
    expect(rig.board.errors).toEqual([]);
    // an alarm holds the incident and its frame on air: more than a quiet pendant
    expect(alarm.total).toBeGreaterThan(booted.total);
    expect(Math.max(booted.total, pending.total, alarm.total)).toBeLessThan(0.6 * PROFILES.puckjs.jsVars);
  });

  it('counts closures, shared values once, and the stand-in\'s own objects as native', () => {
    const rig = boot();
    const base = countJsVars(rig.board).total;
    rig.board.evaluate('var VBig = new Uint8Array(1200);');
    // name (4 characters: 1 block), view and ArrayBuffer, a flat string of 1,200 bytes: header + 93 blocks
    expect(countJsVars(rig.board).total - base).toBe(1 + 2 + 1 + 93);
    const withBig = countJsVars(rig.board).total;
    rig.board.evaluate('var VFn = (function () { var kept = "x".repeat(120); return function () { return kept; }; })();');
    // name, function, its code in flash (2), scope link, scope, the variable's name and its string
    expect(countJsVars(rig.board).total - withBig).toBe(1 + 1 + 2 + 1 + 1 + 1 + (1 + Math.ceil(112 / 9)));
    const withFn = countJsVars(rig.board).total;
    rig.board.evaluate('var VSame = VFn;'); // a second reference costs only its name
    expect(countJsVars(rig.board).total - withFn).toBe(2);
    rig.board.evaluate('var VCr = require("crypto");'); // native: one variable, not the stand-in's code
    expect(countJsVars(rig.board).total - withFn - 2).toBe(1 + 1);
  });
});
