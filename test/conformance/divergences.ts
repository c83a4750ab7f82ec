/**
 * Where the stand-in (V8 in a vm context) cannot behave like Espruino, by probe and layout: the
 * line's name and why the firmware does not depend on it. test/conformance/standin.test.ts checks that
 * each still diverges, so a fixed one must be removed here.
 */
export const KNOWN_DIVERGENCES: Record<string, Record<string, string>> = {
  'storage.puck': {
    'empty name': 'Espruino reads an empty name as the first superseded file in flash (its name is zeroed when it is replaced); the stand-in has no flash layout. The firmware names every file.',
  },
  'numbers.puck': {
    '"" + (0.1 + 0.2)': "V8 turns numbers into text its own way when a string is concatenated (print and JSON are Espruino's in the stand-in); the firmware concatenates only integers (screen texts, AT commands, hex).",
    'text with a leading zero as a number': 'V8 reads "030" as 30, Espruino as octal 24 (and "010" as 8). The firmware lint (firmware/tools/espruino-check.ts) refuses arithmetic on text; the firmware converts with parseInt(x, 10). The LED patterns were wrong on real pendants for this reason until December 2026.',
    'text with spaces as a number': 'V8 trims spaces before reading a number, Espruino does not (NaN). Covered by the same lint rule.',
  },
  'language.puck': {
    'for-in order with index keys': 'V8 lists integer keys first, Espruino in insertion order; the firmware iterates (for-in) only over settings objects whose keys are names (settings.js VDef).',
  },
};
