/** Centre configuration (YAML), validated once at start with every error reported by path. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type JsonSchema, validateConfig } from '../../common/schema';

export interface CentreConfig {
  dataDir: string;
  mqtt: { url: string | string[]; clientId: string; username?: string; password?: string };
  http: { host: string; port: number };
}

export const CENTRE_CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataDir', 'mqtt', 'http'],
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { oneOf: [{ type: 'string', pattern: '^(mqtt|mqtts|ws|wss)://' }, { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(mqtt|mqtts|ws|wss)://' } }] },
        clientId: { type: 'string', minLength: 1, default: 'vigil-centre' },
        username: { type: 'string' },
        password: { type: 'string' },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
      },
      default: {},
    },
  },
};

export function loadCentreConfig(file: string): CentreConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read ${file}: ${(e as Error).message}`);
  }
  return validateConfig<CentreConfig>(CENTRE_CONFIG_SCHEMA, raw, file);
}
