/**
 * A deterministic CPU cost model for firmware running in the stand-in. Espruino interprets source
 * text, so time goes with the number of statements executed: the firmware is instrumented at load
 * with a statement counter (each block adds its statement count on entry; a loop iteration counts
 * one more for its test and step), and each board profile charges a cost per statement plus the cost of the slow
 * native calls (crypto, flash writes). While a handler is "still running" in this model the board is
 * busy, and accelerometer samples that arrive meanwhile are held like the real drivers do: only the
 * newest is delivered when the handler ends, the ones it overwrote are dropped (ESPRUINO.md §1:
 * Puck.js reads INT1 from the idle loop, Bangle.js keeps one sample and a flag; no FIFO).
 */
import ts from 'typescript';

/** The global the instrumented code increments. */
export const STATEMENT_COUNTER = '__vigilStatements';

export interface CostProfile {
  /** Interpreter time per statement executed, µs. */
  statementUs: number;
  /** One AES call (ECB/CBC/CCM) through the JS wrapper, ms, plus per 16-byte block. */
  aesCallMs: number;
  aesBlockMs: number;
  /** Writing to flash, ms per byte (nRF52 word write ≈ 41 µs per 4 bytes), and erasing a 4 KB page. */
  flashByteMs: number;
  flashPageEraseMs: number;
}

const cache = new Map<string, string>();

/** The firmware with a statement counter in every block; cached per source text. */
export function instrument(code: string): string {
  const hit = cache.get(code);
  if (hit !== undefined) return hit;
  const sf = ts.createSourceFile('firmware.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const transformer: ts.TransformerFactory<ts.SourceFile> = (ctx) => {
    const f = ctx.factory;
    const count = (n: number): ts.Statement =>
      f.createExpressionStatement(f.createBinaryExpression(f.createIdentifier(STATEMENT_COUNTER), ts.SyntaxKind.PlusEqualsToken, f.createNumericLiteral(n)));
    const counted = (stmts: readonly ts.Statement[]): ts.Statement[] => (stmts.length === 0 ? [...stmts] : [count(stmts.length), ...stmts]);
    const asBlock = (s: ts.Statement): ts.Statement => (ts.isBlock(s) || ts.isIfStatement(s) ? s : f.createBlock([count(1), s], true));
    const loopBody = (s: ts.Statement): ts.Statement => f.createBlock([count(1), ...(ts.isBlock(s) ? s.statements : [count(1), s])], true);
    const visit = (node: ts.Node): ts.Node => {
      const n = ts.visitEachChild(node, visit, ctx);
      if (ts.isBlock(n)) return f.updateBlock(n, counted(n.statements));
      if (ts.isCaseClause(n)) return f.updateCaseClause(n, n.expression, counted(n.statements));
      if (ts.isDefaultClause(n)) return f.updateDefaultClause(n, counted(n.statements));
      if (ts.isIfStatement(n)) return f.updateIfStatement(n, n.expression, asBlock(n.thenStatement), n.elseStatement && asBlock(n.elseStatement));
      if (ts.isForStatement(n)) return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, loopBody(n.statement));
      if (ts.isForInStatement(n)) return f.updateForInStatement(n, n.initializer, n.expression, loopBody(n.statement));
      if (ts.isForOfStatement(n)) return f.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, loopBody(n.statement));
      if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, loopBody(n.statement));
      if (ts.isDoStatement(n)) return f.updateDoStatement(n, loopBody(n.statement), n.expression);
      return n;
    };
    return (file) => {
      const body = ts.visitEachChild(file, visit, ctx);
      return ctx.factory.updateSourceFile(body, counted(body.statements));
    };
  };
  const out = ts.transform(sf, [transformer]);
  const text = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed }).printFile(out.transformed[0]!);
  out.dispose();
  cache.set(code, text);
  return text;
}
