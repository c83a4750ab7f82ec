/**
 * Renames local variables, parameters and inner function names to the shortest free names, scope by
 * scope, with TypeScript's binder deciding what refers to what. Globals (VApp, VSet, …), properties
 * and everything the stand-in or a device console may call by name are kept. Espruino keeps function
 * text in RAM, so shorter names are memory (ESPRUINO.md §4).
 */
import ts from 'typescript';

const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'implements import in instanceof interface let new null package private protected public return static super switch this ' +
    'throw true try typeof var void while with yield arguments eval undefined NaN Infinity of get set async await').split(' '),
);
const FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$';
const NEXT = FIRST + '0123456789';

function* names(): Generator<string> {
  for (let len = 1; ; len++) {
    const idx = new Array<number>(len).fill(0);
    for (;;) {
      let s = FIRST[idx[0]!]!;
      for (let i = 1; i < len; i++) s += NEXT[idx[i]!]!;
      if (!RESERVED.has(s)) yield s;
      let k = len - 1;
      while (k >= 0) {
        idx[k]!++;
        if (idx[k]! < (k === 0 ? FIRST.length : NEXT.length)) break;
        idx[k] = 0;
        k--;
      }
      if (k < 0) break;
    }
  }
}

function isFunctionLike(n: ts.Node): n is ts.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n) || ts.isConstructorDeclaration(n);
}

/** The function whose scope a local declaration belongs to, or undefined for a global. */
function scopeOf(decl: ts.Declaration): ts.Node | undefined {
  let n: ts.Node | undefined = ts.isFunctionDeclaration(decl) ? decl.parent : decl;
  if (ts.isParameter(decl)) return decl.parent;
  while (n && !isFunctionLike(n) && !ts.isSourceFile(n)) n = n.parent;
  return n && isFunctionLike(n) ? n : undefined;
}

export function mangle(code: string): string {
  const fileName = '/firmware.js';
  const host = ts.createCompilerHost({ allowJs: true, noLib: true, noResolve: true });
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang) => (name === fileName ? ts.createSourceFile(name, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS) : original(name, lang));
  const program = ts.createProgram([fileName], { allowJs: true, noLib: true, noResolve: true, types: [] }, host);
  const sf = program.getSourceFile(fileName)!;
  const checker = program.getTypeChecker();

  // Every identifier that is a reference to a symbol, and for local symbols the scope they live in.
  const refs = new Map<ts.Symbol, ts.Identifier[]>();
  const localScope = new Map<ts.Symbol, ts.Node>();
  const scopeRefs = new Map<ts.Node, Set<ts.Symbol | string>>();
  const scopes: ts.Node[] = [];
  const freeNames = new Set<string>();

  const visit = (n: ts.Node, enclosing: ts.Node[]): void => {
    if (isFunctionLike(n)) {
      scopes.push(n);
      scopeRefs.set(n, new Set());
      enclosing = [...enclosing, n];
    }
    if (ts.isIdentifier(n)) {
      const sym = checker.getSymbolAtLocation(n);
      const key: ts.Symbol | string = sym ?? n.text;
      const isPropertyName = (ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) || (ts.isPropertyAssignment(n.parent) && n.parent.name === n);
      if (!isPropertyName) {
        if (sym) {
          refs.set(sym, [...(refs.get(sym) ?? []), n]);
          const decls = sym.declarations ?? [];
          const renamable = decls.length > 0 && decls.every((d) => ts.isVariableDeclaration(d) || ts.isParameter(d) || ts.isFunctionDeclaration(d));
          if (renamable && !localScope.has(sym)) {
            const s = scopeOf(decls[0]!);
            if (s && decls.every((d) => scopeOf(d) === s)) localScope.set(sym, s);
          }
        } else freeNames.add(n.text);
        for (const f of enclosing) scopeRefs.get(f)!.add(key);
      }
    }
    ts.forEachChild(n, (c) => visit(c, enclosing));
  };
  visit(sf, []);

  const finalName = new Map<ts.Symbol, string>();
  const nameOf = (k: ts.Symbol | string): string => (typeof k === 'string' ? k : (finalName.get(k) ?? k.name));
  // Outer scopes first, so inner scopes know which outer names they must not shadow.
  for (const scope of scopes) {
    const locals = [...localScope.entries()].filter(([, s]) => s === scope).map(([sym]) => sym);
    if (locals.length === 0) continue;
    const forbidden = new Set<string>(freeNames);
    for (const k of scopeRefs.get(scope)!) {
      if (typeof k !== 'string' && localScope.has(k) && localScope.get(k) !== scope) {
        // declared in a nested scope: that scope picks its own names later, unless it is outside us
        let inside = false;
        for (let p: ts.Node | undefined = localScope.get(k); p; p = p.parent) if (p === scope) inside = true;
        if (inside) continue;
      }
      if (typeof k !== 'string' && localScope.get(k) === scope) continue;
      forbidden.add(nameOf(k));
    }
    // Most used first, so they get the shortest names.
    locals.sort((a, b) => (refs.get(b)?.length ?? 0) - (refs.get(a)?.length ?? 0));
    const gen = names();
    for (const sym of locals) {
      let name = gen.next().value as string;
      while (forbidden.has(name)) name = gen.next().value as string;
      finalName.set(sym, name);
    }
  }

  const edits: { start: number; end: number; text: string }[] = [];
  for (const [sym, name] of finalName) for (const id of refs.get(sym) ?? []) edits.push({ start: id.getStart(sf), end: id.end, text: name });
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
