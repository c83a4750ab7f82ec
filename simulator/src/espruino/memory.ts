/**
 * How many Espruino variables (JsVars) the firmware running on a VirtualBoard holds right now,
 * counted with Espruino's storage rules over everything reachable from the program: its globals,
 * the callbacks it registered (listeners, watches, timers, GATT, scan) and, through V8's inspector,
 * the closure scopes of every function it keeps. Rules (docs/firmware.md "Memory budget"):
 * - a function: 2 + one per parameter + its text (parameters and body) in 12-character blocks:
 *   Espruino keeps function text in variables, in the pretokenised form `make flash` uploads
 *   (`totalPlainText` counts the plain minified text instead);
 * - an object or array: 1 + for each property a name (12 characters per block) and its value;
 * - a string: one block per 12 characters; a number, boolean, null or undefined: 1;
 * - a typed array: 2 (view + buffer) + its bytes in 12-byte blocks;
 * - a closure scope: 1 + for each variable a name and its value.
 * Each value is counted once, however many references it has. Objects of the stand-in itself (the
 * Storage module, built-in functions) are Espruino's native code: one variable per reference.
 */
import inspector from 'node:inspector';
import vm from 'node:vm';
import { compact } from '../../../firmware/tools/build';
import { tokenisedLength } from '../../../firmware/tools/espruino-check';
import type { VirtualBoard } from './board';
import { STATEMENT_COUNTER } from './cost';

export interface JsVarCount {
  /** Function text counted as uploaded by `make flash` (pretokenised). */
  total: number;
  /** Function text counted as plain minified source (code uploaded to RAM without pretokenising). */
  totalPlainText: number;
  functions: number;
  functionVars: number;
  dataVars: number;
  /** Per firmware global (with what hangs off it), and `callbacks` for registered callbacks. */
  byRoot: Record<string, number>;
}

const COUNTER = new RegExp(`${STATEMENT_COUNTER} \\+= \\d+;`, 'g');
const textLength = new Map<string, { plain: number; tokenised: number }>();

/** Length of a function's text as shipped (the stand-in's instrumentation and layout taken out), plain and pretokenised. */
function shippedLength(src: string): { plain: number; tokenised: number } {
  let n = textLength.get(src);
  if (n === undefined) {
    const body = src.slice(Math.max(0, src.indexOf('('))).replace(COUNTER, '');
    const text = compact(`(function${body})`, 'fn.js');
    const inner = text.slice('(function'.length, text.length - ');'.length);
    n = { plain: inner.length, tokenised: tokenisedLength(inner) };
    textLength.set(src, n);
  }
  return n;
}

const blocks = (chars: number): number => Math.max(1, Math.ceil(chars / 12));

type Post = <T>(method: string, params: Record<string, unknown>) => T;

interface RemoteObject {
  type: string;
  subtype?: string;
  description?: string;
  objectId?: string;
  value?: unknown;
}

interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
}

/** An inspector session, and the id of the board's execution context in it. */
function session(contextName: string): { post: Post; close: () => void; contextId: number } {
  const s = new inspector.Session();
  s.connect();
  let contextId: number | undefined;
  s.on('Runtime.executionContextCreated', (m) => {
    const c = (m.params as { context: { id: number; name: string } }).context;
    if (c.name === contextName) contextId = c.id;
  });
  const post: Post = <T>(method: string, params: Record<string, unknown>): T => {
    let out: T | undefined;
    let err: Error | null = null;
    s.post(method, params, (e, r) => {
      err = e;
      out = r as T;
    });
    if (err) throw err as Error;
    if (out === undefined) throw new Error(`inspector ${method} did not answer synchronously`);
    return out;
  };
  post('Runtime.enable', {}); // reports every existing context, synchronously
  if (contextId === undefined) throw new Error(`no inspector context named ${contextName}`);
  return { post, close: () => s.disconnect(), contextId };
}

/** Counts the JsVars the running firmware holds. */
export function countJsVars(board: VirtualBoard): JsVarCount {
  if (!board.context) throw new Error('board not booted');
  const g = board.context as Record<string, unknown>;
  const { post, close, contextId } = session(board.contextName);
  const seen = new Set<unknown>();
  const count: JsVarCount = { total: 0, totalPlainText: 0, functions: 0, functionVars: 0, dataVars: 0, byRoot: {} };
  let plainExtra = 0;
  const probe = g; // the firmware's global: the inspector evaluates there

  /** The closure scopes of a function (not the global scope: walked separately), as [name, value] lists. */
  const closureScopes = (fn: unknown): [string, unknown][][] => {
    probe['__vigilProbe'] = fn;
    const group = 'vigil-memory';
    try {
      const ref = post<{ result: RemoteObject }>('Runtime.evaluate', { expression: 'globalThis.__vigilProbe', objectGroup: group, contextId }).result;
      const props = post<{ internalProperties?: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: ref.objectId, ownProperties: true });
      const scopes = props.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
      if (!scopes) return [];
      const out: [string, unknown][][] = [];
      for (const s of post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: scopes, ownProperties: true }).result) {
        const d = s.value?.description ?? '';
        if (!s.value?.objectId || d.startsWith('Global') || d.startsWith('Script')) continue;
        const vars: [string, unknown][] = [];
        for (const v of post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: s.value.objectId, ownProperties: true }).result) {
          if (!v.value) continue;
          if (v.value.objectId) {
            post('Runtime.callFunctionOn', { objectId: v.value.objectId, functionDeclaration: 'function () { globalThis.__vigilGot = this; }', objectGroup: group });
            vars.push([v.name, probe['__vigilGot']]);
          } else vars.push([v.name, v.value.value]);
        }
        out.push(vars);
      }
      return out;
    } finally {
      post('Runtime.releaseObjectGroup', { objectGroup: group });
      delete probe['__vigilProbe'];
      delete probe['__vigilGot'];
    }
  };

  // A scope is shared by every function made in it: it is known by its variables' names and values.
  const ids = new Map<object, number>();
  const idOf = (x: unknown): string => {
    if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return `${typeof x}:${String(x)}`;
    let id = ids.get(x);
    if (id === undefined) ids.set(x, (id = ids.size + 1));
    return '#' + id;
  };
  const scopesSeen = new Set<string>();

  const realmRoots = vm.runInContext('[Object.prototype, Function.prototype]', board.context) as object[];
  const isFirmwareObject = (v: object): boolean => {
    for (let p = Object.getPrototypeOf(v) as object | null; p; p = Object.getPrototypeOf(p) as object | null) if (realmRoots.includes(p)) return true;
    return false;
  };

  const value = (v: unknown): number => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return typeof v === 'string' ? blocks(v.length) : 1;
    if (seen.has(v)) return 0;
    seen.add(v);
    if (!isFirmwareObject(v)) return 1;
    if (ArrayBuffer.isView(v)) return 2 + blocks(v.byteLength);
    if (Object.prototype.toString.call(v) === '[object ArrayBuffer]') return 1 + blocks((v as ArrayBuffer).byteLength);
    let n = 1;
    if (typeof v === 'function') {
      const src = Function.prototype.toString.call(v);
      const len = shippedLength(src);
      const fnVars = 2 + (v as (...a: unknown[]) => unknown).length + blocks(len.tokenised);
      plainExtra += blocks(len.plain) - blocks(len.tokenised);
      count.functions++;
      count.functionVars += fnVars;
      n = fnVars;
      for (const vars of closureScopes(v)) {
        const key = vars.map(([name, x]) => name + '=' + idOf(x)).join(',');
        if (scopesSeen.has(key)) continue;
        scopesSeen.add(key);
        n += 1;
        for (const [name, x] of vars) n += blocks(name.length) + value(x);
      }
    }
    for (const key of Object.keys(v)) {
      const desc = Object.getOwnPropertyDescriptor(v, key);
      n += blocks(key.length) + (desc && 'value' in desc ? value(desc.value) : 1);
    }
    return n;
  };

  try {
    let total = 0;
    for (const name of Object.getOwnPropertyNames(g)) {
      if (board.builtinGlobals.has(name)) continue;
      const n = blocks(name.length) + value(g[name]);
      count.byRoot[name] = n;
      total += n;
    }
    count.byRoot['callbacks'] = 0;
    for (const cb of board.callbacks()) count.byRoot['callbacks'] += value(cb);
    total += count.byRoot['callbacks'];
    count.total = total;
    count.totalPlainText = total + plainExtra;
    count.dataVars = total - count.functionVars;
    return count;
  } finally {
    close();
  }
}
