/**
 * Checks a built firmware file against what the Espruino interpreter really offers (ESPRUINO.md §4),
 * with TypeScript's parser: syntax Espruino lacks, library calls it lacks, names used at top level
 * before their definition (Espruino does not hoist), and an estimate of the memory the loaded program
 * takes in JsVars (method in docs/firmware.md "Memory budget").
 */
import ts from 'typescript';

export interface Violation {
  line: number;
  message: string;
}

const FORBIDDEN_GLOBALS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'Proxy', 'Reflect', 'BigInt', 'WeakRef', 'globalThis', 'queueMicrotask', 'structuredClone']);
/** Members Espruino's library lacks, by the object they are called on ('*' = any object). */
const FORBIDDEN_MEMBERS: Record<string, string[]> = {
  Number: ['isNaN', 'isFinite', 'isInteger', 'EPSILON', 'MAX_SAFE_INTEGER', 'parseFloat'],
  Math: ['trunc', 'sign', 'cbrt', 'log2', 'log10', 'hypot', 'fround', 'clz32'],
  Object: ['getOwnPropertyDescriptors', 'getOwnPropertySymbols'],
  Promise: ['allSettled', 'any'],
  '*': ['flat', 'flatMap', 'replaceAll', 'finally', 'at', 'matchAll', 'padEnd', 'trimStart', 'trimEnd'],
};

/** Operators that turn text into a number; Espruino reads "030" as octal 24 (fixtures/probes/numbers). */
const NUMERIC_OPS = new Set([ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.LessThanToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanEqualsToken]);
const TEXT_METHODS = new Set(['substr', 'substring', 'charAt', 'trim', 'toString', 'join', 'toUpperCase', 'toLowerCase']);

/** An expression that is text for sure: a string literal or the result of a string method. */
function isText(n: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(n)) n = n.expression;
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return true;
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && TEXT_METHODS.has(n.expression.name.text);
}

function lineOf(sf: ts.SourceFile, n: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
}

function parse(code: string): ts.SourceFile {
  return ts.createSourceFile('firmware.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
}

/** Syntax and library features Espruino does not have. */
export function checkSyntax(code: string): Violation[] {
  const sf = parse(code);
  const out: Violation[] = [];
  const bad = (n: ts.Node, message: string): void => {
    out.push({ line: lineOf(sf, n), message });
  };
  const diagnostics = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  for (const d of diagnostics) out.push({ line: sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1, message: `syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` });
  const visit = (n: ts.Node): void => {
    if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) bad(n, 'destructuring');
    else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isObjectLiteralExpression(n.left) || ts.isArrayLiteralExpression(n.left))) bad(n, 'destructuring assignment');
    else if (ts.isParameter(n) && n.initializer) bad(n, 'default parameter');
    else if (ts.isParameter(n) && n.dotDotDotToken) bad(n, 'rest parameter');
    else if (ts.isSpreadElement(n) || ts.isSpreadAssignment(n)) bad(n, 'spread');
    else if (ts.isAwaitExpression(n) || ts.isForOfStatement(n) && n.awaitModifier) bad(n, 'async/await');
    else if (ts.isYieldExpression(n)) bad(n, 'generator');
    else if (ts.isLabeledStatement(n)) bad(n, 'label');
    else if ((ts.isBinaryExpression(n) && NUMERIC_OPS.has(n.operatorToken.kind) && (isText(n.left) || isText(n.right))) || (ts.isPrefixUnaryExpression(n) && (n.operator === ts.SyntaxKind.PlusToken || n.operator === ts.SyntaxKind.MinusToken) && isText(n.operand))) bad(n, 'arithmetic on text: Espruino reads "030" as octal 24; convert with parseInt(x, 10)');
    else if (ts.isWithStatement(n)) bad(n, 'with');
    else if (ts.isShorthandPropertyAssignment(n)) bad(n, 'shorthand property (keep object literals explicit)');
    else if (ts.isPrivateIdentifier(n)) bad(n, 'private class field');
    else if (ts.isBigIntLiteral(n)) bad(n, 'BigInt');
    else if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isExportAssignment(n)) bad(n, 'ES module syntax');
    else if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken || n.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskEqualsToken)) bad(n, '** operator');
    else if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isCallExpression(n)) && n.questionDotToken) bad(n, 'optional chaining');
    else if (ts.isIdentifier(n) && FORBIDDEN_GLOBALS.has(n.text) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) && !(ts.isPropertyAssignment(n.parent) && n.parent.name === n)) bad(n, `${n.text} does not exist`);
    else if (ts.isPropertyAccessExpression(n)) {
      const member = n.name.text;
      const on = ts.isIdentifier(n.expression) ? n.expression.text : '';
      if ((FORBIDDEN_MEMBERS[on] ?? []).includes(member) || FORBIDDEN_MEMBERS['*']!.includes(member)) bad(n, `${on ? on + '.' : '.'}${member} does not exist`);
    }
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n)) && n.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) bad(n, 'async function');
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && n.asteriskToken) bad(n, 'generator');
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Names a node reads, skipping property names and the bodies of functions that are not called here. */
function namesRead(n: ts.Node, out: Set<string>, callees: ts.Node[]): void {
  const visit = (x: ts.Node): void => {
    if (ts.isFunctionDeclaration(x)) return;
    if (ts.isFunctionExpression(x) || ts.isArrowFunction(x)) {
      // an immediately invoked function runs now; any other function body runs later
      const p = x.parent;
      const called = (ts.isCallExpression(p) && p.expression === x) || (ts.isParenthesizedExpression(p) && ts.isCallExpression(p.parent) && p.parent.expression === p);
      if (!called) return;
      callees.push(x.body);
      return;
    }
    if (ts.isIdentifier(x)) {
      const p = x.parent;
      const isProperty = (ts.isPropertyAccessExpression(p) && p.name === x) || (ts.isPropertyAssignment(p) && p.name === x) || ts.isVariableDeclaration(p) && p.name === x || ts.isParameter(p);
      if (!isProperty) out.add(x.text);
    }
    ts.forEachChild(x, visit);
  };
  visit(n);
}

/**
 * Top-level names used before the statement that defines them has run (Espruino has no hoisting, so
 * `f(); function f(){}` fails on the device). Calls made at load time are followed into the called
 * function's body, so a call to a function that itself reads a later definition is caught too.
 */
export function checkDefinitionOrder(code: string): Violation[] {
  const sf = parse(code);
  const topFunctions = new Map<string, ts.FunctionDeclaration>();
  const declaredAt = new Map<string, number>();
  sf.statements.forEach((s, i) => {
    if (ts.isFunctionDeclaration(s) && s.name) {
      topFunctions.set(s.name.text, s);
      declaredAt.set(s.name.text, i);
    }
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name) && !declaredAt.has(d.name.text)) declaredAt.set(d.name.text, i);
  });
  const out: Violation[] = [];
  sf.statements.forEach((s, i) => {
    const read = new Set<string>();
    const pending: ts.Node[] = [s];
    const seenBodies = new Set<ts.Node>();
    while (pending.length > 0) {
      const node = pending.pop()!;
      if (seenBodies.has(node)) continue;
      seenBodies.add(node);
      const callees: ts.Node[] = [];
      namesRead(node, read, callees);
      pending.push(...callees);
      // a top-level function called now runs its body now
      ts.forEachChild(node, function calls(x: ts.Node): void {
        if (ts.isFunctionDeclaration(x) || ts.isFunctionExpression(x) || ts.isArrowFunction(x)) return;
        if (ts.isCallExpression(x) && ts.isIdentifier(x.expression)) {
          const f = topFunctions.get(x.expression.text);
          if (f?.body) pending.push(f.body);
        }
        ts.forEachChild(x, calls);
      });
    }
    for (const name of read) {
      const at = declaredAt.get(name);
      if (at !== undefined && at > i) out.push({ line: lineOf(sf, s), message: `'${name}' is used before its definition (line ${lineOf(sf, sf.statements[at]!)})` });
    }
  });
  return out;
}

/** Reserved words and operators Espruino's pretokeniser stores as one byte each (src/jslex.h LEX_R_*, LEX_*). */
const ONE_BYTE_WORDS = new Set(
  ('if else do while for break continue function return var let const this throw try catch finally true false null undefined ' +
    'new in instanceof switch case default delete typeof void debugger class extends super static of').split(' '),
);
const ONE_BYTE_OPERATORS = new Set(['==', '===', '!=', '!==', '<=', '<<', '<<=', '>=', '>>', '>>>', '>>=', '>>>=', '+=', '-=', '++', '--', '*=', '/=', '%=', '&=', '&&', '|=', '||', '^=', '=>', '??']);

/**
 * Length of code once pretokenised, as `make flash` uploads it (espruino CLI `--config PRETOKENISE=2`):
 * reserved words and multi-character operators become one byte, identifiers, numbers and strings stay
 * as they are (a string's quotes become a type and a length byte). Espruino keeps a function's text
 * in this form.
 */
export function tokenisedLength(code: string): number {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, code);
  let n = 0;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const text = scanner.getTokenText();
    n += ONE_BYTE_WORDS.has(text) || ONE_BYTE_OPERATORS.has(text) ? 1 : text.length;
  }
  return n;
}
