/**
 * JSON Schema checks: the payloads of the MQTT contract here, and through common/schema.ts the
 * configuration files and HTTP bodies. Pure (Ajv, no I/O), so the protocol needs nothing of ours:
 * every error is reported with the path of the offending value, all at once.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true });
addFormats(ajv);

export type JsonSchema = Record<string, unknown>;

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function compile(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Validates (and fills defaults into) `value`; never throws on bad input. */
export function check<T>(schema: JsonSchema, value: unknown): Checked<T> {
  const fn = compile(schema);
  if (fn(value)) return { ok: true, value: value as T };
  return { ok: false, errors: formatErrors(fn.errors ?? []) };
}

/** A key as a path segment: plain names as they are, anything else (empty, dots, spaces) quoted. */
export function pathSegment(key: string): string {
  return /^[\w$@-]+$/.test(key) ? key : JSON.stringify(key);
}

export function formatErrors(errors: ErrorObject[]): string[] {
  const out = errors.map((e) => {
    // JSON pointer: `/a/b~1c` → `a."b/c"`.
    const path = e.instancePath === '' ? '(root)' : e.instancePath.slice(1).split('/').map((p) => pathSegment(p.replace(/~1/g, '/').replace(/~0/g, '~'))).join('.');
    switch (e.keyword) {
      case 'required':
        return `${path === '(root)' ? '' : path + '.'}${pathSegment(String(e.params['missingProperty']))}: is required`;
      case 'additionalProperties':
        return `${path === '(root)' ? '' : path + '.'}${pathSegment(String(e.params['additionalProperty']))}: is not a known setting`;
      case 'enum':
        return `${path}: must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      default:
        return `${path}: ${e.message ?? e.keyword}`;
    }
  });
  return [...new Set(out)];
}
