/**
 * `make firmware`: one single-file program per board in firmware/dist/<board>.js, made of the shared
 * library files and the board files in dependency order, minified: comments and whitespace go and
 * local names are shortened (mangle.ts), because Espruino keeps function source text in RAM
 * (ESPRUINO.md §4); globals and properties keep their names; one top-level statement per line.
 * The simulator and the tests run these exact files.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { mangle } from './mangle';

export const FIRMWARE_DIR = join(__dirname, '..');
export const SRC_DIR = join(FIRMWARE_DIR, 'src');
export const DIST_DIR = join(FIRMWARE_DIR, 'dist');

export const FIRMWARE_BOARDS = ['puckjs', 'bangle2', 'lora'] as const;
export type FirmwareBoard = (typeof FIRMWARE_BOARDS)[number];

const SHARED = ['lib/timer.js', 'lib/frame.js', 'lib/settings.js', 'lib/counter.js', 'lib/detect.js', 'lib/beacon.js', 'lib/app.js'];

/** Boards with a GPS receiver (they carry lib/frame_gps.js). */
export const FIRMWARE_GPS: Record<FirmwareBoard, boolean> = { puckjs: false, bangle2: true, lora: false };

/** Source files per board, in load order (Espruino does not hoist: definitions come first). */
export const BOARD_SOURCES: Record<FirmwareBoard, string[]> = {
  puckjs: ['lib/ccm_ecb.js', ...SHARED, 'lib/radio_ble.js', 'boards/puck_hw.js', 'boards/puckjs.js'],
  bangle2: ['lib/ccm_native.js', ...SHARED.slice(0, 2), 'lib/frame_gps.js', ...SHARED.slice(2), 'lib/radio_ble.js', 'boards/bangle2.js'],
  lora: ['lib/ccm_ecb.js', ...SHARED, 'lib/radio_lora.js', 'boards/puck_hw.js', 'boards/lora.js'],
};

const WORD = /[\w$]/;

/** Whether two tokens written next to each other would read as something else. */
function needsSpace(prev: string, next: string): boolean {
  const a = prev[prev.length - 1]!;
  const b = next[0]!;
  if (WORD.test(a) && WORD.test(b)) return true;
  if ((a === '+' || a === '-') && b === a) return true; // a + +b, a - -b
  if (a === '/' && (b === '/' || b === '*')) return true;
  if (/^\d+$/.test(prev) && b === '.') return true; // 1 .toString()
  return false;
}

function joinTokens(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2020, true, ts.LanguageVariant.Standard, text);
  let out = '';
  let prev = '';
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const tok = scanner.getTokenText();
    if (prev !== '' && needsSpace(prev, tok)) out += ' ';
    out += tok;
    prev = tok;
  }
  return out;
}

/**
 * Removes comments and whitespace without changing tokens. Regular expressions and template
 * substitutions are refused: a token-level pass cannot tell them from division reliably, and the
 * firmware does not need them.
 */
export function compact(source: string, fileName: string): string {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2020, true, ts.ScriptKind.JS);
  const visit = (n: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(n) || ts.isTemplateExpression(n)) {
      const { line } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
      throw new Error(`${fileName}:${line + 1}: regular expressions and template substitutions are not allowed in firmware`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const printed = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed }).printFile(sf);
  const clean = ts.createSourceFile(fileName, printed, ts.ScriptTarget.ES2020, true, ts.ScriptKind.JS);
  return clean.statements.map((s) => joinTokens(printed.slice(s.getStart(clean), s.end))).join('\n');
}

export interface BuiltFirmware {
  board: FirmwareBoard;
  code: string;
  sources: string[];
}

export function buildFirmware(board: FirmwareBoard): BuiltFirmware {
  const sources = BOARD_SOURCES[board];
  const parts = sources.map((rel) => compact(readFileSync(join(SRC_DIR, rel), 'utf8'), rel));
  const header = `// Vigil pendant firmware for ${board}; built from ${sources.join(', ')}. Settings: Storage "vigil.json".`;
  return { board, code: header + '\n' + mangle(parts.join('\n')) + '\n', sources };
}

export function distPath(board: FirmwareBoard): string {
  return join(DIST_DIR, `${board}.js`);
}

export function buildAll(): BuiltFirmware[] {
  mkdirSync(DIST_DIR, { recursive: true });
  return FIRMWARE_BOARDS.map((board) => {
    const built = buildFirmware(board);
    writeFileSync(distPath(board), built.code);
    return built;
  });
}

/** The dist file for a board, rebuilt first when it is missing or older than a source file or this tool. */
export function loadDist(board: FirmwareBoard): string {
  const out = distPath(board);
  const inputs = [...BOARD_SOURCES[board].map((rel) => join(SRC_DIR, rel)), __filename, join(__dirname, 'mangle.ts')];
  const stale = !existsSync(out) || inputs.some((f) => existsSync(f) && statSync(f).mtimeMs > statSync(out).mtimeMs);
  if (stale) {
    mkdirSync(DIST_DIR, { recursive: true });
    writeFileSync(out, buildFirmware(board).code);
  }
  return readFileSync(out, 'utf8');
}

if (require.main === module) {
  for (const b of buildAll()) console.log(`firmware/dist/${b.board}.js  ${b.code.length} bytes  (${b.sources.length} sources)`);
}
