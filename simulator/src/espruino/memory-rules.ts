/**
 * How many variables (JsVars) Espruino spends on a value, for code that runs from flash as `make
 * flash` loads it (Storage ".bootcde"). Derived from the interpreter's source (jsutils.h: 32-bit
 * build with 12-bit references on a Puck.js, so a name holds 4 characters, a string's first block 8,
 * each further block 9, a flat string 13 per block after its header) and checked against what the
 * real interpreter used for each snippet in firmware/check/fixtures/memory-snippets.puck.json
 * (test/conformance/memory.test.ts runs every snippet through countJsVars).
 *
 * - A function's code stays in flash: it costs a code name and a flash string (2), whatever its length.
 * - Every name (variable, property, parameter, array index) is a variable; an int32 value is kept in
 *   the name itself, any other value is one more (a float, a boolean, null) or more (strings, objects).
 * - A closure keeps its scope: a link (1), and when it is nested more than one function deep, an
 *   array of the scopes (1 + one per level); each scope object (1 + its names and values) is shared
 *   by every function made in it.
 * - The first use of a built-in class (Uint8Array, Float32Array, ArrayBuffer…) makes its constructor
 *   and prototype real variables: 8.
 */

/** Characters in a name's first block, a string's first block, and every further block. */
export const NAME_CHARS = 4;
export const STRING_CHARS = 8;
export const EXT_CHARS = 9;
/** Above this many bytes an ArrayBuffer is one flat string: a header and 13 bytes per block. */
export const FLAT_BREAK_EVEN = STRING_CHARS + EXT_CHARS;
export const FLAT_BLOCK_BYTES = 13;

export const nameVars = (chars: number): number => (chars <= NAME_CHARS ? 1 : 1 + Math.ceil((chars - NAME_CHARS) / EXT_CHARS));
export const stringVars = (chars: number): number => (chars <= STRING_CHARS ? 1 : 1 + Math.ceil((chars - STRING_CHARS) / EXT_CHARS));
export const bufferVars = (bytes: number): number => (bytes <= FLAT_BREAK_EVEN ? stringVars(bytes) : 1 + Math.ceil(bytes / FLAT_BLOCK_BYTES));

/** A typed array: its view, its ArrayBuffer and the bytes. */
export const typedArrayVars = (bytes: number): number => 2 + bufferVars(bytes);

/** A built-in class used for the first time: constructor and prototype, their names. */
export const BUILTIN_CLASS_VARS = 8;

/** Bookkeeping of one timer in the interpreter's list (index, object, time, callback; an interval's period). */
export const TIMEOUT_VARS = 5;
export const INTERVAL_VARS = 7;

/** An event listener `obj.on(event, fn)`: the hidden "#on<event>" name and its link. */
export const listenerVars = (event: string): number => nameVars(3 + event.length) + 2;

/** A watch (setWatch): index, object, pin, edge, repeat, debounce, callback, last time. */
export const WATCH_VARS = 11;

/** require() of a built-in module the first time: the module cache and its entry. */
export const MODULE_VARS = 5;

/** A value held under a name (variable, property, array element): what it costs beyond the name. */
export function primitiveVars(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff ? 0 : 1;
  if (typeof v === 'string') return stringVars(v.length);
  return 1; // boolean, null
}
