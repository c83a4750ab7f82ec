/**
 * `make firmware`: one single-file program per board in firmware/dist/<board>.js, made of the shared
 * library files and the board file in dependency order, with comments and indentation removed (the
 * interpreter keeps function source in RAM). The simulator and the tests run these exact files.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export const FIRMWARE_DIR = join(__dirname, '..');
export const SRC_DIR = join(FIRMWARE_DIR, 'src');
export const DIST_DIR = join(FIRMWARE_DIR, 'dist');

export const FIRMWARE_BOARDS = ['puckjs', 'bangle2', 'lora'] as const;
export type FirmwareBoard = (typeof FIRMWARE_BOARDS)[number];

/** Source files per board, in load order (Espruino does not hoist: definitions come first). */
export const BOARD_SOURCES: Record<FirmwareBoard, string[]> = {
  puckjs: ['lib/ccm_ecb.js', 'lib/frame.js', 'lib/settings.js', 'lib/counter.js', 'boards/puckjs.js'],
  bangle2: ['lib/ccm_native.js', 'lib/frame.js', 'lib/settings.js', 'lib/counter.js', 'boards/puckjs.js'],
  lora: ['lib/ccm_ecb.js', 'lib/frame.js', 'lib/settings.js', 'lib/counter.js', 'boards/puckjs.js'],
};

/** Removes comments and indentation without changing tokens (the printer keeps ASI-relevant newlines). */
export function compact(source: string, fileName: string): string {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2020, false, ts.ScriptKind.JS);
  const printed = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed }).printFile(sf);
  return printed
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join('\n');
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
  return { board, code: header + '\n' + parts.join('\n') + '\n', sources };
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

/** The dist file for a board, rebuilt first when it is missing or older than a source file. */
export function loadDist(board: FirmwareBoard): string {
  const out = distPath(board);
  const stale = !existsSync(out) || BOARD_SOURCES[board].some((rel) => statSync(join(SRC_DIR, rel)).mtimeMs > statSync(out).mtimeMs);
  if (stale) {
    mkdirSync(DIST_DIR, { recursive: true });
    writeFileSync(out, buildFirmware(board).code);
  }
  return readFileSync(out, 'utf8');
}

if (require.main === module) {
  for (const b of buildAll()) console.log(`firmware/dist/${b.board}.js  ${b.code.length} bytes  (${b.sources.length} sources)`);
}
