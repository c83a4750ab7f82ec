/**
 * The firmware's JavaScript realm made to behave like Espruino's where V8 differs and the difference
 * can be reached (recorded: firmware/check/fixtures/probes/language.puck.txt, syntax.puck.txt):
 * Math.round rounds halves away from zero; String.fromCharCode keeps the low byte; a typed array's
 * slice is a plain Array and its set() writes what fits; an ArrayBuffer has a length; JSON is
 * Espruino's (text.ts); Map, Set and the like do not exist; eval refuses the syntax Espruino rejects,
 * with Espruino's messages, and does not hoist. What cannot be reached (for-in order of index keys,
 * V8's own number-to-text and ReferenceError wording) is listed in test/conformance/divergences.ts.
 */
import vm from 'node:vm';
import ts from 'typescript';
import { checkDefinitionOrder } from '../../../firmware/tools/espruino-check';
import { parse, stringify } from './text';

/** Globals Espruino does not have (V8 does). */
const ABSENT = ['Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'Proxy', 'Reflect', 'BigInt', 'WeakRef', 'FinalizationRegistry', 'queueMicrotask', 'structuredClone', 'SharedArrayBuffer', 'Atomics'];

/** The first construct Espruino 2v29 rejects, with the message it gives, or undefined. */
export function espruinoRejects(code: string): string | undefined {
  const sf = ts.createSourceFile('eval.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) {
      const first = n.elements.find((e) => ts.isBindingElement(e) && ts.isIdentifier(e.name));
      found = `"${first && ts.isBindingElement(first) ? first.name.getText(sf) : '?'}" is not defined`;
    } else if (ts.isParameter(n) && n.initializer) found = "Got '=' expected ','";
    else if (ts.isParameter(n) && n.dotDotDotToken) found = "Got '.' expected ID";
    else if (ts.isSpreadElement(n) || ts.isSpreadAssignment(n)) found = "Got '.' expected EOF";
    else if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isCallExpression(n)) && n.questionDotToken) found = "Got '.' expected EOF";
    else if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken || n.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskEqualsToken)) found = "Got '*' expected EOF";
    else if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n)) && n.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) found = '"async" is not defined';
    else if (ts.isIdentifier(n) && ABSENT.includes(n.text) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) found = `"${n.text}" is not defined`;
    ts.forEachChild(n, visit);
  };
  visit(sf);
  if (found) return found;
  const early = checkDefinitionOrder(code)[0];
  return early ? `"${/'([^']+)'/.exec(early.message)?.[1] ?? '?'}" is not defined` : undefined;
}

/**
 * Every Espruino object has on/emit/removeListener/removeAllListeners (Object.prototype); the
 * listeners live in a hidden "#on<event>" member (a function, or an array of them), as Espruino keeps
 * them (memory.ts counts them there). Objects of the stand-in itself (Puck, NRF, E…) have their own.
 */
function installEvents(proto: Record<string, unknown>): void {
  type Obj = Record<string, unknown>;
  const key = (e: unknown): string => '#on' + String(e);
  const list = (o: Obj, e: unknown): ((...a: unknown[]) => unknown)[] => (o[key(e)] as ((...a: unknown[]) => unknown)[] | undefined) ?? [];
  const set = (o: Obj, e: unknown, fns: unknown[]): void => {
    if (fns.length) Object.defineProperty(o, key(e), { value: fns, enumerable: false, configurable: true, writable: true });
    else delete o[key(e)];
  };
  const define = (name: string, fn: (this: Obj, ...a: unknown[]) => unknown): void => {
    Object.defineProperty(proto, name, { value: fn, enumerable: false, configurable: true, writable: true });
  };
  define('on', function (e, fn) {
    set(this, e, [...list(this, e), fn]);
  });
  define('emit', function (e, ...args) {
    for (const fn of list(this, e)) fn.apply(this, args);
  });
  define('removeListener', function (e, fn) {
    set(this, e, list(this, e).filter((f) => f !== fn));
  });
  define('removeAllListeners', function (e) {
    if (e === undefined) for (const k of Object.getOwnPropertyNames(this)) if (k.startsWith('#on')) delete this[k];
    else set(this, e, []);
  });
}

/** Objects and arrays made in the firmware's realm (what the firmware gets must be its own). */
export function realmMakers(R: { Object: ObjectConstructor; Array: ArrayConstructor }): { object: () => Record<string, unknown>; array: () => unknown[] } {
  return { object: () => new R.Object() as Record<string, unknown>, array: () => new R.Array() };
}

export function installRealm(context: vm.Context, g: Record<string, unknown>, onTypedMethod: () => void = () => undefined): void {
  for (const name of ABSENT) delete g[name];
  const R = vm.runInContext('({ Math: Math, String: String, Object: Object, Array: Array, ArrayBuffer: ArrayBuffer, TypedArray: Object.getPrototypeOf(Uint8Array) })', context) as {
    Math: Math;
    String: StringConstructor;
    Object: ObjectConstructor;
    Array: ArrayConstructor;
    ArrayBuffer: ArrayBufferConstructor;
    TypedArray: { prototype: Record<string, unknown> };
  };
  R.Math.round = (x: number): number => (x >= 0 ? Math.floor(x + 0.5) : -Math.floor(-x + 0.5));
  R.String.fromCharCode = (...codes: number[]): string => String.fromCharCode(...codes.map((c) => Number(c) & 255));
  const typedSlice = R.TypedArray.prototype['slice'] as (this: ArrayLike<number>, a?: number, b?: number) => ArrayLike<number>;
  R.TypedArray.prototype['slice'] = function (this: ArrayLike<number>, a?: number, b?: number): unknown[] {
    onTypedMethod();
    return R.Array.from(typedSlice.call(this, a, b));
  };
  const typedSet = R.TypedArray.prototype['set'] as (this: { length: number }, src: ArrayLike<number>, offset?: number) => void;
  R.TypedArray.prototype['set'] = function (this: { length: number }, src: ArrayLike<number>, offset = 0): void {
    onTypedMethod();
    const room = Math.max(0, this.length - offset);
    typedSet.call(this, src.length > room ? Array.prototype.slice.call(src, 0, room) : src, offset);
  };
  Object.defineProperty(R.ArrayBuffer.prototype, 'length', { get(this: ArrayBuffer) { return this.byteLength; }, configurable: true });
  installEvents(R.Object.prototype as unknown as Record<string, unknown>);
  g['JSON'] = {
    stringify: (v: unknown) => stringify(v),
    parse: (text: unknown) => parse(String(text), realmMakers(R)),
  };
  g['eval'] = (code: unknown): unknown => {
    const text = String(code);
    const rejected = espruinoRejects(text);
    if (rejected) throw new Error(rejected);
    return vm.runInContext(text, context);
  };
}
