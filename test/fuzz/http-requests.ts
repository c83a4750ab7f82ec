/**
 * Hostile HTTP requests, generated from the API's own OpenAPI document: for each operation, its path
 * parameters (known ids, strangers' ids, malformed escapes, traversal, huge), its query, its body —
 * built from the operation's JSON schema so that it gets past validation often, then bent (wrong
 * types, extra and prototype-polluting keys, deep nesting, megabytes) — with any credential, any
 * method and broken framing (half-closed, cut short, pipelined, bare LF).
 */
import fc from 'fast-check';

export type Who = 'none' | 'admin' | 'supervisor' | 'operator' | 'readonly' | 'auditor' | 'worker' | 'garbage';
export const WHO: readonly Who[] = ['none', 'admin', 'supervisor', 'operator', 'readonly', 'auditor', 'worker', 'garbage'];

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; type: string; text: string }
  | { kind: 'deep'; depth: number; array: boolean }
  | { kind: 'big'; kb: number }
  | { kind: 'image'; type: string; bytes: Uint8Array };

export type Framing = 'normal' | 'halfclose' | 'cut' | 'pipelined' | 'bare_lf' | 'chunked' | 'bad_chunked';

export interface HttpInput {
  /** `GET /api/alarms/{id}` as the document names it, or `*` for any path. */
  op: string;
  method?: string;
  who: Who;
  params: string[];
  /** Appended to the path. */
  tail: string;
  query: [string, string][];
  headers: [string, string][];
  body: Body;
  framing: Framing;
}

export interface Operation {
  key: string;
  method: string;
  path: string;
  params: string[];
  roles: 'public' | 'any' | string[];
  query: string[];
  body: Schema | undefined;
  upload: string[] | undefined;
  stream: boolean;
}

export type Schema = Record<string, unknown>;

/** The operations of an OpenAPI 3.1 document, with `$ref`s resolved. */
export function operations(doc: { paths: Record<string, Record<string, Record<string, unknown>>>; components?: { schemas?: Record<string, Schema> } }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(methods)) {
      const params = (op['parameters'] as { name: string; in: string }[] | undefined) ?? [];
      const content = (op['requestBody'] as { content?: Record<string, { schema?: Schema }> } | undefined)?.content ?? {};
      const ok = Object.entries((op['responses'] as Record<string, { content?: Record<string, unknown> }>) ?? {}).find(([s]) => s.startsWith('2'))?.[1];
      ops.push({
        key: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), path,
        params: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => p.name),
        roles: op['x-roles'] as Operation['roles'],
        body: content['application/json']?.schema,
        upload: Object.keys(content).filter((t) => t !== 'application/json').length ? Object.keys(content).filter((t) => t !== 'application/json') : undefined,
        stream: Object.keys(ok?.content ?? {}).includes('text/event-stream'),
      });
    }
  }
  return ops;
}

const HOSTILE_TEXT = [
  '<script>window.__xss=1</script>', '"><img src=x onerror=window.__xss=1>', "'; DROP TABLE alarms; --", '=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)',
  '\t=1', '\r=1', '../../etc/passwd', '\u0000', '\u202e', '\ud800', '𝕍𝕚𝕘𝕚𝕝', 'a'.repeat(70_000), '%s%s%n', '${7*7}', '{{7*7}}', 'null', 'undefined', 'true', '0', '-0', '1e309',
  '__proto__', 'constructor', 'prototype',
];
const PIECES = ['%ZZ', '%', '%C0%AF', '%ED%A0%80', '%00', '%2F', '%2e%2e', '..', '.', '%252F', '%uD800', '\\', '//', '%E2%80%AE', '%FF', '+', ' '];
const HEADER_NAMES = ['content-type', 'content-length', 'transfer-encoding', 'authorization', 'host', 'origin', 'cookie', 'x-forwarded-for', 'accept-encoding', 'range', 'expect', 'connection', 'upgrade', 'x-vigil-signature', 'x-hub-signature-256', 'if-none-match'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png', 'image/svg+xml', 'image/jpeg', 'image/webp', '', 'application/json\u0000'];

/** A fast-check string that a stranger would try. */
export function hostileString(dict: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...dict) },
    { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  );
}

const LIMITS = [0, -1, 1, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER, 86_400 * 365 * 1000];

/** Values that mostly satisfy `schema` (so the handler behind validation runs), sometimes not. */
export function fromSchema(schema: Schema | undefined, dict: readonly string[], refs: Record<string, Schema>, depth = 0): fc.Arbitrary<unknown> {
  const anything = fc.jsonValue({ maxDepth: 2 });
  if (!schema || depth > 4) return anything;
  const ref = schema['$ref'];
  if (typeof ref === 'string') return fromSchema(refs[ref.split('/').pop()!], dict, refs, depth + 1);
  const alts = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (alts) return fc.oneof(...alts.map((s) => fromSchema(s, dict, refs, depth + 1)));
  const en = schema['enum'] as unknown[] | undefined;
  if (en && en.length) return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...en) }, { weight: 1, arbitrary: anything });
  const type = Array.isArray(schema['type']) ? (schema['type'] as string[])[0] : (schema['type'] as string | undefined);
  let typed: fc.Arbitrary<unknown>;
  switch (type) {
    case 'string':
      typed = hostileString(dict);
      break;
    case 'integer':
      typed = fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.constantFrom(...LIMITS));
      break;
    case 'number':
      typed = fc.oneof(fc.double({ min: -200, max: 200, noNaN: true }), fc.constantFrom(...LIMITS));
      break;
    case 'boolean':
      typed = fc.boolean();
      break;
    case 'array':
      typed = fc.array(fromSchema(schema['items'] as Schema | undefined, dict, refs, depth + 1), { maxLength: 4 });
      break;
    case 'object':
    case undefined: {
      const props = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
      const names = Object.keys(props);
      if (names.length === 0) {
        typed = anything;
        break;
      }
      const required = new Set((schema['required'] as string[] | undefined) ?? []);
      typed = fc.tuple(
        fc.record(Object.fromEntries(names.map((n) => [n, fromSchema(props[n], dict, refs, depth + 1)])), { requiredKeys: names.filter((n) => required.has(n) || n === 'id') }),
        fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'x', 'polluted', ...names), anything), { maxLength: 2 }),
      ).map(([o, extra]) => {
        const out: Record<string, unknown> = { ...o };
        for (const [k, v] of extra) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
        return out;
      });
      break;
    }
    default:
      typed = anything;
  }
  return fc.oneof({ weight: 8, arbitrary: typed }, { weight: 1, arbitrary: anything });
}

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
function pngHeader(w: number, h: number): Uint8Array {
  const b = Buffer.alloc(33);
  Buffer.from(PNG_HEAD).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b[24] = 8;
  b[25] = 6;
  return b;
}
const SVG_BOMB = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>';

export const imageBody: fc.Arbitrary<Body> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([w, h]) => ({ kind: 'image' as const, type: 'image/png', bytes: pngHeader(w, h) })),
  fc.constant<Body>({ kind: 'image', type: 'image/svg+xml', bytes: new TextEncoder().encode(SVG_BOMB) }),
  fc.constant<Body>({ kind: 'image', type: 'image/svg+xml', bytes: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1"><script>window.__xss=1</script></svg>') }),
  fc.tuple(fc.constantFrom('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml', 'image/gif'), fc.uint8Array({ maxLength: 64 })).map(([type, bytes]) => ({ kind: 'image' as const, type, bytes })),
);

export function requestArbitrary(ops: Operation[], dict: readonly string[], refs: Record<string, Schema>): fc.Arbitrary<HttpInput> {
  const param = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...dict) }, { weight: 2, arbitrary: fc.constantFrom(...PIECES) }, { weight: 2, arbitrary: fc.string({ maxLength: 16 }) }, { weight: 1, arbitrary: fc.constantFrom('a'.repeat(3000), '%41'.repeat(2000)) });
  const perOp = (op: Operation | undefined): fc.Arbitrary<HttpInput> => {
    const body: fc.Arbitrary<Body> = op?.upload
      ? fc.oneof({ weight: 4, arbitrary: imageBody }, { weight: 1, arbitrary: fc.constant<Body>({ kind: 'big', kb: 6000 }) })
      : fc.oneof(
          { weight: op?.body ? 8 : 1, arbitrary: fromSchema(op?.body, dict, refs).map((value): Body => ({ kind: 'json', value })) },
          { weight: 2, arbitrary: fc.constant<Body>({ kind: 'none' }) },
          { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.string({ maxLength: 40 })).map(([type, text]): Body => ({ kind: 'text', type, text })) },
          { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10, max: 20_000 }), fc.boolean()).map(([depth, array]): Body => ({ kind: 'deep', depth, array })) },
          { weight: 1, arbitrary: fc.constantFrom(1, 63, 65, 200, 2000).map((kb): Body => ({ kind: 'big', kb })) },
        );
    return fc.record({
      op: fc.constant(op?.key ?? '*'),
      method: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'PROPFIND', 'get', 'G\u00e9T') }),
      // Half the time someone the route lets in (so its handler runs), else anyone.
      who: fc.oneof(fc.constantFrom(...WHO), fc.constantFrom(...permitted(op))),
      params: fc.array(param, { minLength: op?.params.length ?? 0, maxLength: op?.params.length ?? 3 }),
      tail: fc.oneof({ weight: 10, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//', '/..', '/%2e%2e/%2e%2e/etc/passwd', '%00', '%ZZ', '.json', '?', '#x', '/;a', '%20', '/x'.repeat(500)) }),
      query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(op?.query.length ? op.query : ['state'])), fc.string({ maxLength: 8 })), hostileString(dict)), { maxLength: 3 }),
      headers: fc.oneof({ weight: 6, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...HEADER_NAMES), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('chunked', '-1', '99999999999', 'gzip', 'Bearer', 'Bearer ' + 'x'.repeat(5000), 'x'.repeat(20_000)))), { maxLength: 3 }) }),
      body,
      framing: fc.oneof({ weight: 20, arbitrary: fc.constant<Framing>('normal') }, { weight: 1, arbitrary: fc.constantFrom<Framing>('halfclose', 'cut', 'pipelined', 'bare_lf', 'chunked', 'bad_chunked') }),
    });
  };
  return fc.oneof({ weight: 15, arbitrary: fc.constantFrom(...ops).chain(perOp) }, { weight: 1, arbitrary: perOp(undefined) });
}

/** Who the route lets in, as the document says (the worker app's routes: a worker). */
export function permitted(op: Operation | undefined): Who[] {
  if (!op || op.roles === 'public') return op?.path.startsWith('/api/app/') && !/\/(login|pair)$/.test(op.path) ? ['worker'] : ['none'];
  if (op.roles === 'any') return ['admin', 'supervisor', 'operator', 'readonly', 'auditor'];
  return op.roles.filter((r): r is Who => (WHO as readonly string[]).includes(r));
}

/** The body's bytes and media type. */
export function bodyBytes(b: Body): { bytes: Buffer; type: string | undefined } {
  switch (b.kind) {
    case 'none':
      return { bytes: Buffer.alloc(0), type: undefined };
    case 'json':
      return { bytes: Buffer.from(JSON.stringify(b.value) ?? 'null'), type: 'application/json' };
    case 'text':
      return { bytes: Buffer.from(b.text), type: b.type };
    case 'deep':
      return { bytes: Buffer.from(b.array ? '['.repeat(b.depth) + ']'.repeat(b.depth) : '{"a":'.repeat(b.depth) + '1' + '}'.repeat(b.depth)), type: 'application/json' };
    case 'big':
      return { bytes: Buffer.alloc(b.kb * 1024, 0x20), type: 'application/json' };
    case 'image':
      return { bytes: Buffer.from(b.bytes), type: b.type };
  }
}
