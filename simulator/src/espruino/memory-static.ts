/**
 * What memory.ts needs to know about each function of the running program that V8 does not tell:
 * its parameters' names, whether it has a body, its own name (a named function expression keeps it),
 * and the functions it is nested in with every name each declares (Espruino keeps all of a
 * function's parameters and `var`s in its scope, V8 only those a closure uses). Functions are keyed
 * by where their parameter list opens, which is what V8's [[FunctionLocation]] reports.
 */
import ts from 'typescript';

export interface FnInfo {
  id: number;
  params: string[];
  hasBody: boolean;
  exprName: string | undefined;
  /** Enclosing functions, outermost first. */
  chain: FnInfo[];
  /** Every name this function's scope holds: parameters, vars, function declarations. */
  locals: string[];
}

type FnNode = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

const isFn = (n: ts.Node): n is FnNode => ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n);

/** Names a function declares in its own scope (not in nested functions). */
function declaredLocals(fn: FnNode): string[] {
  const out = new Set<string>();
  for (const p of fn.parameters) if (ts.isIdentifier(p.name)) out.add(p.name.text);
  const visit = (n: ts.Node): void => {
    if (n !== fn && isFn(n)) {
      if (ts.isFunctionDeclaration(n) && n.name) out.add(n.name.text);
      return;
    }
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) out.add(n.name.text);
    ts.forEachChild(n, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  return [...out];
}

const cache = new Map<string, Map<string, FnInfo>>();

/** Every function in `code`, by `line:column` (0-based) of the `(` that opens its parameters. */
export function analyseFunctions(code: string): Map<string, FnInfo> {
  const hit = cache.get(code);
  if (hit) return hit;
  const sf = ts.createSourceFile('fw.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const out = new Map<string, FnInfo>();
  let next = 1;
  const visit = (n: ts.Node, chain: FnInfo[]): void => {
    if (isFn(n)) {
      const body = n.body;
      const info: FnInfo = {
        id: next++,
        params: n.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '?')),
        hasBody: body !== undefined && (!ts.isBlock(body) || body.statements.length > 0),
        exprName: ts.isFunctionExpression(n) && n.name ? n.name.text : undefined,
        chain,
        locals: declaredLocals(n),
      };
      const open = n.parameters.pos - 1;
      const { line, character } = sf.getLineAndCharacterOfPosition(open);
      out.set(`${line}:${character}`, info);
      ts.forEachChild(n, (c) => visit(c, [...chain, info]));
      return;
    }
    ts.forEachChild(n, (c) => visit(c, chain));
  };
  visit(sf, []);
  cache.set(code, out);
  return out;
}

/** Names declared at the top level (`var a;` with no value never reaches a vm context's global object). */
export function topLevelNames(code: string): string[] {
  const sf = ts.createSourceFile('fw.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const out = new Set<string>();
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) out.add(d.name.text);
    if (ts.isFunctionDeclaration(s) && s.name) out.add(s.name.text);
  }
  return [...out];
}

const ARRAY_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'forEach', 'map', 'filter', 'reduce', 'some', 'every', 'concat', 'sort', 'reverse']);
const STRING_METHODS = new Set(['substr', 'substring', 'charCodeAt', 'charAt', 'split', 'trim', 'toUpperCase', 'toLowerCase']);
const TYPED_METHODS = new Set(['set', 'subarray']);
const TYPED_CLASSES = /^((Uint8|Int8|Uint16|Int16|Uint32|Int32|Float32|Float64)Array|ArrayBuffer|DataView)$/;

/**
 * The built-in classes and objects the program brings to life, with what each costs once
 * (fixtures/memory-snippets.puck.json): constructing a typed array (8 for its class, 9 more for
 * ArrayBufferView once a typed-array method is used), calling an array, string or number method (8),
 * String.fromCharCode alone (3), Math or JSON (2), E (3). Read from the code, not from a run: a
 * method name says which class it belongs to (push is an Array's, substr a String's, toString(16) a
 * Number's, set a typed array's).
 */
export function builtinsUsed(code: string): Record<string, number> {
  const sf = ts.createSourceFile('fw.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const out: Record<string, number> = {};
  const use = (name: string, vars: number): void => {
    out[name] = Math.max(out[name] ?? 0, vars);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && TYPED_CLASSES.test(n.expression.text)) use(n.expression.text, 8);
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const m = n.expression.name.text;
      const on = n.expression.expression;
      if (ts.isIdentifier(on) && on.text === 'String' && m === 'fromCharCode') use('String', 3);
      else if (ARRAY_METHODS.has(m)) use('Array', 8);
      else if (STRING_METHODS.has(m)) use('String', 8);
      else if (m === 'toString' && n.arguments.length > 0) use('Number', 8);
      else if (TYPED_METHODS.has(m)) use('ArrayBufferView', 9);
    }
    if (ts.isIdentifier(n) && (n.text === 'Math' || n.text === 'JSON') && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) use(n.text, 2);
    if (ts.isIdentifier(n) && n.text === 'E' && ts.isPropertyAccessExpression(n.parent) && n.parent.expression === n) use('E', 3);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
