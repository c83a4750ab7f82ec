/** Gateway configuration (YAML), validated once before anything is opened; errors listed by path. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type JsonSchema, validateConfig } from '../../common/schema';
import type { BrokerUser } from './broker/broker';

export interface GatewayConfig {
  siteId: string;
  gatewayId: string;
  dataDir: string;
  /** Broker the gateway publishes to: `embedded` (its own), or the centre's URL(s). */
  mqtt: { url: string | string[]; username?: string; password?: string };
  /** Embedded broker; absent when the gateway uses a remote broker only. */
  broker?: {
    tcp?: { host: string; port: number };
    ws?: { host: string; port: number };
    tls?: { host: string; port: number; certFile: string; keyFile: string };
    users: BrokerUser[];
  };
  heartbeatS: number;
  transports: TransportConfig[];
}

export type TransportConfig =
  | { type: 'ble'; id: string; companyId?: number }
  | { type: 'lora'; id: string; path: string; modem: 'rn2483' | 'rak3172'; baudRate?: number; frequencyHz?: number; spreadingFactor?: number };

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' };
const listener = { type: 'object', additionalProperties: false, required: ['port'], properties: { host: { type: 'string', default: '0.0.0.0' }, port: { type: 'integer', minimum: 0, maximum: 65535 } } };

export const GATEWAY_CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['siteId', 'gatewayId', 'dataDir', 'mqtt'],
  properties: {
    siteId: id,
    gatewayId: id,
    dataDir: { type: 'string', minLength: 1 },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { oneOf: [{ type: 'string', pattern: '^((mqtt|mqtts|ws|wss)://|embedded$)' }, { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(mqtt|mqtts|ws|wss)://' } }] },
        username: { type: 'string' },
        password: { type: 'string' },
      },
    },
    broker: {
      type: 'object',
      additionalProperties: false,
      required: ['users'],
      properties: {
        tcp: listener,
        ws: listener,
        tls: { type: 'object', additionalProperties: false, required: ['port', 'certFile', 'keyFile'], properties: { host: { type: 'string', default: '0.0.0.0' }, port: { type: 'integer', minimum: 0, maximum: 65535 }, certFile: { type: 'string' }, keyFile: { type: 'string' } } },
        users: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['username', 'passwordHash', 'role'],
            properties: {
              username: { type: 'string', minLength: 1 },
              passwordHash: { type: 'string', pattern: '^scrypt\\$' },
              role: { enum: ['gateway', 'centre', 'console', 'integrator'] },
              siteId: id,
              gatewayId: id,
            },
          },
        },
      },
    },
    heartbeatS: { type: 'integer', minimum: 5, maximum: 3600, default: 30 },
    transports: {
      type: 'array',
      default: [],
      items: {
        oneOf: [
          { type: 'object', additionalProperties: false, required: ['type', 'id'], properties: { type: { const: 'ble' }, id, companyId: { type: 'integer', minimum: 0, maximum: 65535 } } },
          {
            type: 'object', additionalProperties: false, required: ['type', 'id', 'path', 'modem'],
            properties: {
              type: { const: 'lora' }, id, path: { type: 'string', minLength: 1 }, modem: { enum: ['rn2483', 'rak3172'] },
              baudRate: { type: 'integer' }, frequencyHz: { type: 'integer', minimum: 137000000, maximum: 1020000000 }, spreadingFactor: { type: 'integer', minimum: 7, maximum: 12 },
            },
          },
        ],
      },
    },
  },
};

export function loadGatewayConfig(file: string): GatewayConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read ${file}: ${(e as Error).message}`);
  }
  return validateConfig<GatewayConfig>(GATEWAY_CONFIG_SCHEMA, raw, file);
}
