/**
 * Configuration of the alarm-receiving-centre output (`npx vigil arc --config arc.yaml`), validated
 * once before anything is opened, every error reported by path. Example and meaning of every
 * setting: docs/arc.md.
 */
import { type JsonSchema, mqttClientSchema, readConfigFile, validateConfig } from '../../common/schema';
import { CODE_KEYS, type CodeKey, type CodeOverride } from './codes';

export interface ArcPathConfig {
  /** e.g. primary, backup: used in logs and in the integration status. */
  name: string;
  transport: 'tcp' | 'udp';
  host: string;
  port: number;
  /** Receiver number (R prefix), hex, when the ARC uses one. */
  receiver?: string;
  /** Line number (L prefix), hex; "0" when unused. */
  line: string;
}

export interface ArcTiming {
  /** How long to wait for ACK/NAK/DUH after sending. */
  ackTimeoutMs: number;
  connectTimeoutMs: number;
  /** Tries on one path before it counts as down and the next path is used. */
  attemptsPerPath: number;
  /** Back-off after every path failed, and between probes of a down path: doubles up to the max. */
  retryInitialMs: number;
  retryMaxMs: number;
  /**
   * Rounds a receiver may refuse one event (NAK or no answer while its NULL polls pass, DUH) before the
   * event is set aside as rejected; between rounds it waits retryInitialMs doubling to retryMaxMs
   * while the events behind it go on.
   */
  refusalsBeforeSetAside: number;
  /** NULL link-test interval per path; 0 disables supervision polling. */
  nullIntervalS: number;
  /** Periodic test report (RP / 602) per account; 0 disables. */
  testIntervalH: number;
  /** Delivered events are kept this long for audit, then pruned. */
  keepDeliveredDays: number;
}

export interface ArcAccounts {
  /** The transmitter's own account: NULL polls and tests that concern no site. */
  transmitter: string;
  /** For alarms whose site and worker have no account. */
  default?: string;
  /** What to do with an alarm that resolves to no account: reject (recorded, status not ok) or ignore. */
  unmapped: 'reject' | 'ignore';
  sites: Record<string, { account?: string; area?: number }>;
  workers: Record<string, { account?: string; user?: number }>;
}

export interface ArcLinkConfig {
  /** Integration id: `vigil/v1/integrations/<id>/status`. */
  id: string;
  format: 'SIA-DCS' | 'ADM-CID';
  key?: string;
  keyFormat: 'hex' | 'text';
  paths: ArcPathConfig[];
  accounts: ArcAccounts;
  timing: ArcTiming;
  extendedData: { position: boolean; text: boolean };
  codes: Partial<Record<CodeKey, CodeOverride>>;
}

export interface ArcMqttConfig {
  url: string | string[];
  clientId: string;
  username?: string;
  password?: string;
}

export interface ArcConfig {
  dataDir: string;
  mqtt: ArcMqttConfig;
  arcs: ArcLinkConfig[];
}

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' };
const account = { type: 'string', pattern: '^[0-9A-F]{3,16}$' };
const hexNumber = { type: 'string', pattern: '^[0-9A-F]{1,6}$' };
const siaCode = { type: 'string', pattern: '^[A-Z]{2}$' };

const pathSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'host', 'port'],
  properties: {
    name: id,
    transport: { enum: ['tcp', 'udp'], default: 'tcp' },
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    receiver: hexNumber,
    line: { ...hexNumber, default: '0' },
  },
};

const codeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    send: { type: 'boolean' },
    sia: siaCode,
    siaRestore: { oneOf: [{ type: 'null' }, siaCode] },
    cid: { type: 'integer', minimum: 100, maximum: 999 },
    cidRestore: { type: 'boolean' },
  },
};

const linkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'format', 'paths', 'accounts'],
  properties: {
    id,
    format: { enum: ['SIA-DCS', 'ADM-CID'] },
    key: { type: 'string', minLength: 1 },
    keyFormat: { enum: ['hex', 'text'], default: 'hex' },
    paths: { type: 'array', minItems: 1, maxItems: 4, items: pathSchema },
    accounts: {
      type: 'object',
      additionalProperties: false,
      required: ['transmitter'],
      properties: {
        transmitter: account,
        default: account,
        unmapped: { enum: ['reject', 'ignore'], default: 'reject' },
        sites: { type: 'object', propertyNames: id, additionalProperties: { type: 'object', additionalProperties: false, properties: { account, area: { type: 'integer', minimum: 0, maximum: 99 } } }, default: {} },
        workers: { type: 'object', propertyNames: id, additionalProperties: { type: 'object', additionalProperties: false, properties: { account, user: { type: 'integer', minimum: 0, maximum: 999 } } }, default: {} },
      },
    },
    timing: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ackTimeoutMs: { type: 'integer', minimum: 50, maximum: 120000, default: 5000 },
        connectTimeoutMs: { type: 'integer', minimum: 50, maximum: 120000, default: 5000 },
        attemptsPerPath: { type: 'integer', minimum: 1, maximum: 20, default: 2 },
        retryInitialMs: { type: 'integer', minimum: 10, maximum: 3600000, default: 2000 },
        retryMaxMs: { type: 'integer', minimum: 10, maximum: 3600000, default: 30000 },
        refusalsBeforeSetAside: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
        nullIntervalS: { type: 'integer', minimum: 0, maximum: 86400, default: 60 },
        testIntervalH: { type: 'integer', minimum: 0, maximum: 168, default: 0 },
        keepDeliveredDays: { type: 'integer', minimum: 1, maximum: 3650, default: 90 },
      },
    },
    extendedData: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { position: { type: 'boolean', default: true }, text: { type: 'boolean', default: true } },
    },
    codes: { type: 'object', additionalProperties: false, default: {}, properties: Object.fromEntries(CODE_KEYS.map((k) => [k, codeSchema])) },
  },
};

export const ARC_CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataDir', 'mqtt', 'arcs'],
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    mqtt: mqttClientSchema('vigil-arc'),
    arcs: { type: 'array', minItems: 1, items: linkSchema },
  },
};

/** The AES key of a link, or undefined for an unencrypted link. */
export function linkKey(link: Pick<ArcLinkConfig, 'key' | 'keyFormat'>): Buffer | undefined {
  if (link.key === undefined) return undefined;
  return link.keyFormat === 'text' ? Buffer.from(link.key, 'latin1') : Buffer.from(link.key, 'hex');
}

/** Checks that the schema cannot express, reported by path like the schema's errors. */
function semanticErrors(config: ArcConfig): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  config.arcs.forEach((link, i) => {
    const at = `arcs.${i}`;
    if (ids.has(link.id)) errors.push(`${at}.id: '${link.id}' is used by another link`);
    ids.add(link.id);
    if (link.key !== undefined) {
      if (link.keyFormat === 'hex' && !/^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48}|[0-9A-Fa-f]{64})$/.test(link.key)) errors.push(`${at}.key: must be 32, 48 or 64 hex digits (AES-128/192/256)`);
      if (link.keyFormat === 'text' && ![16, 24, 32].includes(Buffer.byteLength(link.key, 'latin1'))) errors.push(`${at}.key: must be 16, 24 or 32 characters (AES-128/192/256)`);
    }
    const names = new Set<string>();
    link.paths.forEach((p, j) => {
      if (names.has(p.name)) errors.push(`${at}.paths.${j}.name: '${p.name}' is used by another path`);
      names.add(p.name);
    });
    if (link.timing.retryMaxMs < link.timing.retryInitialMs) errors.push(`${at}.timing.retryMaxMs: must be >= retryInitialMs`);
  });
  return errors;
}

/** Validates (filling defaults); throws one ConfigError listing every problem by path. */
export function validateArcConfig(value: unknown, source: string): ArcConfig {
  return validateConfig<ArcConfig>(ARC_CONFIG_SCHEMA, value, source, semanticErrors);
}

export function loadArcConfig(file: string): ArcConfig {
  const raw = readConfigFile(file);
  return validateArcConfig(raw, file);
}
