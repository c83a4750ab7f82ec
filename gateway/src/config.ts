/**
 * Gateway configuration (YAML), validated once before anything is opened: the JSON Schema first,
 * then the rules a schema cannot say (unique ids, files that must exist, `embedded` needing a TCP
 * listener). Every problem is reported at once, with its path. The annotated example is in
 * docs/gateway.md.
 */
import { accessSync, constants } from 'node:fs';
import { type JsonSchema, readConfigFile, validateConfig } from '../../common/schema';
import { ALARM_TYPE_NAMES } from '../../protocol/src';
import type { BrokerUser } from './broker/broker';
import type { SiteIoConfig } from './siteio/site-io';

export interface GatewayConfig {
  siteId: string;
  gatewayId: string;
  dataDir: string;
  /** Broker the gateway publishes to: `embedded` (its own), or the centre's URL(s). */
  mqtt: { url: string | string[]; username?: string; password?: string; caFile?: string };
  /** Embedded broker; absent when the gateway uses a remote broker only. */
  broker?: {
    tcp?: { host: string; port: number };
    ws?: { host: string; port: number };
    tls?: { host: string; port: number; certFile: string; keyFile: string };
    users: BrokerUser[];
    /** `sqlite` (default): sessions and queued messages survive restarts, in `<dataDir>/broker.db`. */
    persistence?: 'sqlite' | 'memory';
  };
  heartbeatS: number;
  transports: TransportConfig[];
  siteIo?: SiteIoConfig[];
  /** Prometheus text endpoint (`/metrics`) and a JSON health summary (`/health`). */
  metrics?: { host: string; port: number };
  forward?: { maxQueued?: number; window?: number };
  storage?: { synchronous?: 'NORMAL' | 'FULL' };
}

export type BleTransportConfig = { type: 'ble'; id: string; companyId?: number; hciDevice?: number; gattTimeoutMs?: number };
export type LoraTransportConfig = {
  type: 'lora'; id: string; path: string; modem: 'rn2483' | 'rak3172'; baudRate?: number;
  frequencyHz?: number; spreadingFactor?: number; bandwidthKhz?: 125 | 250 | 500; codingRate?: '4/5' | '4/6' | '4/7' | '4/8'; txPowerDbm?: number;
  rxWindowMs?: number; downlinkHoldS?: number;
};
export type TransportConfig = BleTransportConfig | LoraTransportConfig;

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' };
const port = { type: 'integer', minimum: 0, maximum: 65535 };
const listener = { type: 'object', additionalProperties: false, required: ['port'], properties: { host: { type: 'string', default: '0.0.0.0' }, port } };
const alarmTypes = { type: 'array', minItems: 1, items: { enum: [...ALARM_TYPE_NAMES] } };

const bleSchema = {
  type: 'object', additionalProperties: false, required: ['type', 'id'],
  properties: { type: { const: 'ble' }, id, companyId: { type: 'integer', minimum: 0, maximum: 65535 }, hciDevice: { type: 'integer', minimum: 0, maximum: 15 }, gattTimeoutMs: { type: 'integer', minimum: 500, maximum: 60000 } },
};
const loraSchema = {
  type: 'object', additionalProperties: false, required: ['type', 'id', 'path', 'modem'],
  properties: {
    type: { const: 'lora' }, id, path: { type: 'string', minLength: 1 }, modem: { enum: ['rn2483', 'rak3172'] },
    baudRate: { enum: [9600, 19200, 38400, 57600, 115200] },
    frequencyHz: { type: 'integer', minimum: 137000000, maximum: 1020000000 },
    spreadingFactor: { type: 'integer', minimum: 7, maximum: 12 },
    bandwidthKhz: { enum: [125, 250, 500] },
    codingRate: { enum: ['4/5', '4/6', '4/7', '4/8'] },
    txPowerDbm: { type: 'integer', minimum: -3, maximum: 22 },
    rxWindowMs: { type: 'integer', minimum: 100, maximum: 30000 },
    downlinkHoldS: { type: 'integer', minimum: 1, maximum: 3600 },
  },
};
const siteIoSchema = {
  type: 'object', additionalProperties: false, required: ['id'],
  properties: {
    id,
    tcp: { type: 'object', additionalProperties: false, required: ['host'], properties: { host: { type: 'string', minLength: 1 }, port: { ...port, default: 502 } } },
    rtu: {
      type: 'object', additionalProperties: false, required: ['path'],
      properties: { path: { type: 'string', minLength: 1 }, baudRate: { type: 'integer', default: 9600 }, parity: { enum: ['none', 'even', 'odd'], default: 'none' }, dataBits: { enum: [7, 8], default: 8 }, stopBits: { enum: [1, 2], default: 1 } },
    },
    unitId: { type: 'integer', minimum: 0, maximum: 247, default: 1 },
    pollMs: { type: 'integer', minimum: 50, maximum: 60000, default: 200 },
    timeoutMs: { type: 'integer', minimum: 50, maximum: 30000, default: 1000 },
    outputs: {
      type: 'array', default: [],
      items: {
        type: 'object', additionalProperties: false, required: ['id', 'coil', 'when'],
        properties: { id, coil: { type: 'integer', minimum: 0, maximum: 65535 }, when: { oneOf: [{ const: 'any' }, alarmTypes] }, activeLow: { type: 'boolean' } },
      },
    },
    inputs: {
      type: 'array', default: [],
      items: {
        type: 'object', additionalProperties: false, required: ['id', 'discreteInput'],
        properties: { id, discreteInput: { type: 'integer', minimum: 0, maximum: 65535 }, activeLow: { type: 'boolean' }, debounceMs: { type: 'integer', minimum: 0, maximum: 10000, default: 100 } },
      },
    },
  },
};

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
        caFile: { type: 'string', minLength: 1 },
      },
    },
    broker: {
      type: 'object',
      additionalProperties: false,
      required: ['users'],
      properties: {
        tcp: listener,
        ws: listener,
        tls: { type: 'object', additionalProperties: false, required: ['port', 'certFile', 'keyFile'], properties: { host: { type: 'string', default: '0.0.0.0' }, port, certFile: { type: 'string' }, keyFile: { type: 'string' } } },
        persistence: { enum: ['sqlite', 'memory'], default: 'sqlite' },
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
    transports: { type: 'array', default: [], items: { oneOf: [bleSchema, loraSchema] } },
    siteIo: { type: 'array', default: [], items: siteIoSchema },
    metrics: listener,
    forward: { type: 'object', additionalProperties: false, properties: { maxQueued: { type: 'integer', minimum: 1000 }, window: { type: 'integer', minimum: 1, maximum: 1000 } } },
    storage: { type: 'object', additionalProperties: false, properties: { synchronous: { enum: ['NORMAL', 'FULL'] } } },
  },
};

/** Rules across fields; run only on a config that matches the schema. */
export function crossCheck(c: GatewayConfig): string[] {
  const errors: string[] = [];
  const seen = new Map<string, string>();
  const unique = (value: string, path: string, what: string): void => {
    const first = seen.get(`${what}:${value}`);
    if (first) errors.push(`${path}: ${what} '${value}' is already used at ${first}`);
    else seen.set(`${what}:${value}`, path);
  };
  c.transports.forEach((t, i) => unique(t.id, `transports.${i}.id`, 'id'));
  (c.siteIo ?? []).forEach((m, i) => {
    unique(m.id, `siteIo.${i}.id`, 'id');
    m.outputs.forEach((o, j) => unique(`${m.id}/${o.coil}`, `siteIo.${i}.outputs.${j}.coil`, 'coil'));
    [...m.outputs, ...m.inputs].forEach((x, j) => unique(`${m.id}/${x.id}`, `siteIo.${i}.${j < m.outputs.length ? `outputs.${j}` : `inputs.${j - m.outputs.length}`}.id`, 'point id'));
    if (m.outputs.length + m.inputs.length === 0) errors.push(`siteIo.${i}: has neither outputs nor inputs`);
    if (('tcp' in m) === ('rtu' in m)) errors.push(`siteIo.${i}: needs exactly one of tcp (Modbus/TCP) or rtu (serial)`);
  });
  const paths = new Map<string, string>();
  c.transports.forEach((t, i) => {
    if (t.type !== 'lora') return;
    const first = paths.get(t.path);
    if (first) errors.push(`transports.${i}.path: ${t.path} is already used by ${first}`);
    paths.set(t.path, `transports.${i}`);
  });
  if (c.mqtt.url === 'embedded' && !c.broker?.tcp) errors.push("mqtt.url: 'embedded' needs broker.tcp (the gateway connects to its own broker over TCP)");
  if (c.broker && !c.broker.tcp && !c.broker.ws && !c.broker.tls) errors.push('broker: needs at least one listener (tcp, ws or tls)');
  const readable = (file: string | undefined, path: string): void => {
    if (file === undefined) return;
    try {
      accessSync(file, constants.R_OK);
    } catch {
      errors.push(`${path}: cannot read ${file}`);
    }
  };
  readable(c.mqtt.caFile, 'mqtt.caFile');
  readable(c.broker?.tls?.certFile, 'broker.tls.certFile');
  readable(c.broker?.tls?.keyFile, 'broker.tls.keyFile');
  return errors;
}

/** Validates a parsed config, filling defaults; throws one ConfigError listing every problem. */
export function validateGatewayConfig(raw: unknown, source: string): GatewayConfig {
  return validateConfig<GatewayConfig>(GATEWAY_CONFIG_SCHEMA, raw, source, crossCheck);
}

export function loadGatewayConfig(file: string): GatewayConfig {
  const raw = readConfigFile(file);
  return validateGatewayConfig(raw, file);
}
