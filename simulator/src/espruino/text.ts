/**
 * How Espruino turns values into text and back, as recorded from the real interpreter
 * (firmware/check/fixtures/probes/numbers.puck.txt, language.puck.txt, storage.puck.txt):
 * - numbers: integers as they are; other numbers with at most 11 fractional digits, stopping once
 *   what is left is below 1e-7 of a digit (0.1 + 0.2 prints 0.3, 1/3 prints 0.33333333333), an
 *   exponent only from 1e21 up (10e+20) and below 1e-6 (1e-7);
 * - JSON.stringify: typed arrays as arrays, characters outside printable ASCII as \u00XX, undefined
 *   members left out;
 * - Storage.writeJSON: the same, but keys that are identifiers written without quotes ({a:1});
 * - JSON.parse: Espruino's lexer errors (`Got EOF expected ','`, `Got ID:a expected STRING`,
 *   `Expecting valid value, got EOF`).
 * This is our own code, written from those observations.
 */

const STOP = 1e-7;

/** A number as Espruino prints it (print, JSON). */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n < 0 ? '-Infinity' : 'Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 31) return String(n === 0 ? 0 : n);
  let out = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let exponent = 0;
  if (v >= 1e21) {
    for (; v > 100000; exponent += 5) v /= 100000;
    for (; v > 10; exponent++) v /= 10;
  } else if (v > 0 && v < 1e-6) {
    for (; v < 1e-5; exponent -= 5) v *= 100000;
    for (; v < 1; exponent--) v *= 10;
  }
  if (Math.trunc(v + STOP) === 1 + Math.trunc(v)) v = 1 + Math.trunc(v); // just below an integer: that integer
  let d = 1;
  while (d * 10 <= v) d *= 10;
  while (d >= 1) {
    const digit = Math.trunc(v / d);
    v -= digit * d;
    out += String(digit);
    d /= 10;
  }
  if (v > 0) {
    let frac = '';
    v *= 10;
    for (let i = 0; i < 11 && v > STOP; i++) {
      let digit = Math.trunc(v + 1e-8);
      v = (v - digit) * 10;
      if (digit === 10) digit = 9;
      frac += String(digit);
    }
    if (frac) out += '.' + frac;
  }
  if (exponent) out += 'e' + (exponent > 0 ? '+' : '') + exponent;
  return out;
}

function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) & 255;
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c < 32 || c >= 127) out += '\\u00' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
    else out += s[i];
  }
  return out + '"';
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** JSON.stringify as Espruino writes it; `jsKeys` leaves identifier keys unquoted (Storage.writeJSON). */
export function stringify(value: unknown, jsKeys = false): string | undefined {
  const seen = new Set<unknown>();
  const walk = (v: unknown): string | undefined => {
    if (v === undefined || typeof v === 'function') return undefined;
    if (v === null) return 'null';
    if (typeof v === 'number') return Number.isFinite(v) ? formatNumber(v) : 'null';
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return quote(v);
    if (typeof v !== 'object') return undefined;
    if (seen.has(v)) return undefined;
    seen.add(v);
    try {
      if (ArrayBuffer.isView(v)) return '[' + Array.from(v as unknown as ArrayLike<number>, (x) => walk(x) ?? 'null').join(',') + ']';
      if (Array.isArray(v)) return '[' + v.map((x) => walk(x) ?? 'null').join(',') + ']';
      const parts: string[] = [];
      for (const k of Object.keys(v)) {
        const s = walk((v as Record<string, unknown>)[k]);
        if (s !== undefined) parts.push((jsKeys && IDENT.test(k) ? k : quote(k)) + ':' + s);
      }
      return '{' + parts.join(',') + '}';
    } finally {
      seen.delete(v);
    }
  };
  return walk(value);
}

/**
 * JSON.parse with Espruino's errors; `make` builds objects and arrays in the firmware's realm.
 * `liberal` (Storage.readJSON) also takes identifier keys, as Storage.writeJSON writes them.
 */
export function parse(text: string, make: { object: () => Record<string, unknown>; array: () => unknown[] }, liberal = false): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const token = (): string => {
    ws();
    if (i >= text.length) return 'EOF';
    const c = text[i]!;
    if (c === '"') return 'STRING';
    if (/[0-9-]/.test(c)) return 'NUMBER';
    const id = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i));
    if (id) return id[0] === 'true' || id[0] === 'false' || id[0] === 'null' ? id[0] : `ID:${id[0]}`;
    return `'${c}'`;
  };
  const expect = (want: string): void => {
    const got = token();
    if (got !== want) throw new Error(`Got ${got} expected ${want}`);
    i++;
  };
  const str = (): string => {
    const tok = token();
    if (tok !== 'STRING') throw new Error(`Got ${tok} expected STRING`);
    let j = i + 1;
    let out = '';
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\') {
        const e = text[j + 1];
        if (e === 'u') {
          out += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16) & 255);
          j += 6;
        } else {
          out += { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' }[e!] ?? e;
          j += 2;
        }
      } else out += text[j++];
    }
    if (j >= text.length) throw new Error('Got EOF expected STRING');
    i = j + 1;
    return out;
  };
  const value = (): unknown => {
    const tok = token();
    if (tok === 'STRING') return str();
    if (tok === 'NUMBER') {
      const m = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(i))!;
      i += m[0].length;
      return Number(m[0]);
    }
    if (tok === 'true' || tok === 'false' || tok === 'null') {
      i += tok.length;
      return tok === 'null' ? null : tok === 'true';
    }
    if (tok === "'{'") {
      i++;
      const o = make.object();
      for (;;) {
        if (token() === "'}'") {
          i++;
          return o;
        }
        if (Object.keys(o).length) expect("','");
        const kt = token();
        let k: string;
        if (liberal && kt.startsWith('ID:')) {
          i += kt.length - 3;
          k = kt.slice(3);
        } else k = str();
        expect("':'");
        o[k] = value();
        if (token() !== "'}'" && token() !== "','") expect("','");
      }
    }
    if (tok === "'['") {
      i++;
      const a = make.array();
      for (;;) {
        if (token() === "']'") {
          i++;
          return a;
        }
        if (a.length) expect("','");
        a.push(value());
        if (token() !== "']'" && token() !== "','") expect("','");
      }
    }
    throw new Error(`Expecting valid value, got ${tok}`);
  };
  return value();
}
