/**
 * Configuration files: read (YAML or JSON), validated by JSON Schema with every error reported by path,
 * all at once (the checker is protocol/src/schema.ts, shared with the MQTT payloads and HTTP bodies).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { check, type JsonSchema } from '../protocol/src/schema';

// The checker itself is the protocol's (pure, used for its payloads); config and HTTP use the same one.
export { check, type Checked, formatErrors, pathSegment, type JsonSchema } from '../protocol/src/schema';

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
