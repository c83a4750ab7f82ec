/**
 * How many Espruino variables (JsVars) the firmware running on a VirtualBoard holds right now, as the
 * real interpreter counts them when the program runs from flash (`make flash`): every value reachable
 * from the program's globals and from the callbacks it registered (timers, watches, listeners, GATT,
 * scan), each counted once by Espruino's storage rules (memory-rules.ts), closure scopes found through
 * V8's inspector and completed from the source (memory-static.ts: Espruino keeps every name a
 * function declares, V8 only those its closures use), plus the interpreter's own bookkeeping of
 * timers, watches, listeners, required modules and the built-in classes the program uses.
 *
 * Checked against the real interpreter: each snippet of firmware/check/fixtures/memory-snippets.*.json
 * and the built firmware at each moment of fixtures/memory.json (test/conformance/memory.test.ts).
 */
import inspector from 'node:inspector';
import vm from 'node:vm';
import type { VirtualBoard } from './board';
import { bufferVars, INTERVAL_VARS, listenerVars, MODULE_VARS, nameVars, primitiveVars, TIMEOUT_VARS, typedArrayVars, WATCH_VARS } from './memory-rules';
import { analyseFunctions, builtinsUsed, type FnInfo, topLevelNames } from './memory-static';

export interface JsVarCount {
  total: number;
  functions: number;
  functionVars: number;
  dataVars: number;
  /** The interpreter's own: timers, watches, listeners, modules, built-in classes. */
  bookkeepingVars: number;
  /** Per firmware global (with what hangs off it), `callbacks` for registered callbacks, `bookkeeping`. */
  byRoot: Record<string, number>;
}

export interface CountOptions {
  /** Built-in objects already brought to life by something else (the check harness's stand-ins touch E). */
  builtinsAlreadyUsed?: string[];
}

type Post = <T>(method: string, params: Record<string, unknown>) => T;

interface RemoteObject {
  type: string;
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

interface FunctionView {
  location: string | undefined;
  scriptId: string | undefined;
  /** Closure scopes V8 kept, innermost first: [name, value] of the variables closures use. */
  scopes: [string, unknown][][];
}

/** Counts the JsVars the running firmware holds. */
export function countJsVars(board: VirtualBoard, opts: CountOptions = {}): JsVarCount {
  if (!board.context) throw new Error('board not booted');
  const g = board.context as Record<string, unknown>;
  const { post, close, contextId } = session(board.contextName);
  // each script's functions (the program, and anything evaluated in it since), from its source
  post('Debugger.enable', {});
  const scripts = new Map<string, Map<string, FnInfo>>();
  const functionsOf = (scriptId: string): Map<string, FnInfo> => {
    let m = scripts.get(scriptId);
    if (!m) scripts.set(scriptId, (m = analyseFunctions(post<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId }).scriptSource)));
    return m;
  };
  const count: JsVarCount = { total: 0, functions: 0, functionVars: 0, dataVars: 0, bookkeepingVars: 0, byRoot: {} };
  const seen = new Set<unknown>();
  const group = 'vigil-memory';

  const inspect = (fn: unknown): FunctionView => {
    g['__vigilProbe'] = fn;
    try {
      const ref = post<{ result: RemoteObject }>('Runtime.evaluate', { expression: 'globalThis.__vigilProbe', objectGroup: group, contextId }).result;
      const internal = post<{ internalProperties?: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: ref.objectId, ownProperties: true }).internalProperties ?? [];
      const loc = internal.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
      const scopesId = internal.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
      const scopes: [string, unknown][][] = [];
      if (scopesId) {
        for (const s of post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: scopesId, ownProperties: true }).result) {
          const d = s.value?.description ?? '';
          if (!s.value?.objectId || d.startsWith('Global') || d.startsWith('Script')) continue;
          const vars: [string, unknown][] = [];
          for (const v of post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId: s.value.objectId, ownProperties: true }).result) {
            if (!v.value) continue;
            if (v.value.objectId) {
              post('Runtime.callFunctionOn', { objectId: v.value.objectId, functionDeclaration: 'function () { globalThis.__vigilGot = this; }', objectGroup: group });
              vars.push([v.name, g['__vigilGot']]);
            } else vars.push([v.name, v.value.value]);
          }
          scopes.push(vars);
        }
      }
      return { location: loc ? `${loc.lineNumber}:${loc.columnNumber}` : undefined, scriptId: loc?.scriptId, scopes };
    } finally {
      post('Runtime.releaseObjectGroup', { objectGroup: group });
      delete g['__vigilProbe'];
      delete g['__vigilGot'];
    }
  };

  const realmRoots = vm.runInContext('[Object.prototype, Function.prototype]', board.context) as object[];
  const isFirmwareObject = (v: object): boolean => {
    for (let p = Object.getPrototypeOf(v) as object | null; p; p = Object.getPrototypeOf(p) as object | null) if (realmRoots.includes(p)) return true;
    return false;
  };

  // A scope is shared by every function made in it: known by its function and its values.
  const ids = new Map<object, number>();
  const idOf = (x: unknown): string => {
    if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return `${typeof x}:${String(x)}`;
    let id = ids.get(x);
    if (id === undefined) ids.set(x, (id = ids.size + 1));
    return '#' + id;
  };
  const scopesSeen = new Set<string>();

  /** A scope object: 1, and each name it declares with its value (V8's where a closure kept it). */
  const scopeVars = (owner: FnInfo, kept: [string, unknown][] | undefined): number => {
    const values = new Map(kept ?? []);
    const key = `${owner.id}|` + owner.locals.map((n) => n + '=' + idOf(values.get(n))).join(',');
    if (scopesSeen.has(key)) return 0;
    scopesSeen.add(key);
    let n = 1;
    for (const name of owner.locals) n += nameVars(name.length) + (values.has(name) ? value(values.get(name)) : 0);
    return n;
  };

  const functionVars = (fn: (...a: unknown[]) => unknown): number => {
    const view = inspect(fn);
    const info = view.location && view.scriptId ? functionsOf(view.scriptId).get(view.location) : undefined;
    count.functions++;
    if (!info) return 2 + fn.length; // not the program's own (should not happen)
    let own = 1 + info.params.reduce((s, p) => s + nameVars(p.length), 0) + (info.hasBody ? 2 : 0) + (info.exprName ? 1 + primitiveVars(info.exprName) : 0);
    const depth = info.chain.length;
    if (depth > 0) own += 1 + (depth > 1 ? 1 + depth : 0);
    count.functionVars += own;
    let n = own;
    // match each scope V8 kept to the enclosing function that declares its names (innermost first)
    const levels = [...info.chain].reverse();
    const kept = new Map<FnInfo, [string, unknown][]>();
    for (const vars of view.scopes) {
      const owner = levels.find((f) => vars.every(([name]) => f.locals.includes(name)) && !kept.has(f));
      if (owner) kept.set(owner, vars);
    }
    for (const f of levels) n += scopeVars(f, kept.get(f));
    return n;
  };

  /** What a value costs beyond the name that holds it; objects and functions once. */
  function value(v: unknown): number {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return primitiveVars(v);
    if (seen.has(v)) return 0;
    seen.add(v);
    if (!isFirmwareObject(v)) return 1; // the stand-in's own (native) objects
    if (ArrayBuffer.isView(v)) return typedArrayVars(v.byteLength);
    if (Object.prototype.toString.call(v) === '[object ArrayBuffer]') return 1 + bufferVars((v as ArrayBuffer).byteLength);
    let n = typeof v === 'function' ? functionVars(v as (...a: unknown[]) => unknown) : 1;
    if (typeof v !== 'function') count.dataVars += 1;
    for (const key of Object.keys(v)) {
      const desc = Object.getOwnPropertyDescriptor(v, key);
      n += (Array.isArray(v) && /^\d+$/.test(key) ? 1 : nameVars(key.length)) + (desc && 'value' in desc ? value(desc.value) : 1);
    }
    // listeners added with obj.on(): the hidden "#on<event>" member (realm.ts)
    for (const key of Object.getOwnPropertyNames(v)) {
      if (!key.startsWith('#on')) continue;
      const fns = (v as Record<string, unknown[]>)[key]!;
      n += listenerVars(key.slice(3)) + (fns.length > 1 ? 1 : 0);
      for (const f of fns) n += value(f);
    }
    return n;
  }

  try {
    let total = 0;
    const names = new Set([...Object.getOwnPropertyNames(g).filter((n) => !board.builtinGlobals.has(n)), ...topLevelNames(board.instrumentedCode)]);
    for (const name of names) {
      const n = nameVars(name.length) + value(g[name]);
      count.byRoot[name] = n;
      total += n;
    }
    let cb = 0;
    for (const c of board.callbacks()) cb += value(c);
    if (board.servicesObject) cb += value(board.servicesObject);
    count.byRoot['callbacks'] = cb;
    total += cb;
    const already = new Set(opts.builtinsAlreadyUsed ?? []);
    let book = 0;
    for (const t of board.timers.values()) book += t.repeat ? INTERVAL_VARS : TIMEOUT_VARS;
    book += board.watches.length * WATCH_VARS;
    for (const [event, n] of board.listenerCounts()) book += listenerVars(event) + (n > 1 ? 1 : 0);
    book += board.modulesRequired.size * MODULE_VARS;
    const builtins = builtinsUsed(board.code);
    if (board.typedMethodsUsed) builtins['ArrayBufferView'] = 9; // seen at run time (realm.ts): slice is ambiguous in the source
    for (const [name, vars] of Object.entries(builtins)) if (!already.has(name)) book += vars;
    count.byRoot['bookkeeping'] = book;
    count.bookkeepingVars = book;
    count.total = total + book;
    count.dataVars = count.total - count.functionVars - book;
    return count;
  } finally {
    close();
  }
}
