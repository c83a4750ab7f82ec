/**
 * JSON Schema validation shared by config files, MQTT payloads and HTTP bodies.
 * Every error is reported with the path of the offending value, all at once.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

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

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(
    readonly source: string,
    readonly errors: string[],
  ) {
    super(`Invalid configuration in ${source}:\n  - ${errors.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates a configuration object, filling defaults, then (if given) the checks a schema cannot
 * express across fields; throws one ConfigError that lists every problem by path.
 */
export function validateConfig<T>(schema: JsonSchema, value: unknown, source: string, crossCheck?: (config: T) => string[]): T {
  const result = check<T>(schema, value);
  if (!result.ok) throw new ConfigError(source, result.errors);
  const errors = crossCheck ? crossCheck(result.value) : [];
  if (errors.length > 0) throw new ConfigError(source, errors);
  return result.value;
}

const BROKER_URL = { type: 'string', pattern: '^(mqtt|mqtts|ws|wss)://' };

/**
 * The `mqtt:` section of a service that connects to the broker as a client (centre, ARC output):
 * one URL or a list of broker nodes to fail over between, a client id, credentials.
 */
export function mqttClientSchema(defaultClientId: string): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: { oneOf: [BROKER_URL, { type: 'array', minItems: 1, items: BROKER_URL }] },
      clientId: { type: 'string', minLength: 1, default: defaultClientId },
      username: { type: 'string' },
      password: { type: 'string' },
    },
  };
}

/** Reads a YAML (or JSON) configuration file; an unreadable or unparsable file is one plain error. */
export function readConfigFile(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new Error(`Cannot read ${file}: ${(e as Error).message}`);
  }
}
