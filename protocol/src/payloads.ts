/**
 * JSON Schemas of every MQTT payload (SPEC §7.2). Every boundary validates with `checkPayload`:
 * gateways on what they receive from the centre, the centre on what gateways send.
 */
import { check, type Checked, type JsonSchema } from './schema';
import { ALARM_STATES, ALARM_TYPE_NAMES, type AlarmState, type AlarmType, RESOLUTION_REASONS, type ResolutionReason } from './alarms';
import type { UplinkMessage } from './uplink';
import { DOWNLINK_COMMANDS, type DownlinkCommand, MESSAGE_TYPES, type MessageType } from './layout';
import { SETTINGS, type SettingName } from './settings';

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' };
const deviceId = { type: 'string', pattern: '^[0-9a-f]{8}$' };
const epochMs = { type: 'integer', minimum: 0 };
const uint32 = { type: 'integer', minimum: 0, maximum: 4294967295 };

export type TransportKind = 'ble' | 'lora';

export interface PositionPayload {
  kind: 'beacon' | 'gps';
  beaconId?: number;
  rssiDbm?: number;
  ageS?: number;
  lat?: number;
  lon?: number;
}

const positionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { enum: ['beacon', 'gps'] },
    beaconId: uint32,
    rssiDbm: { type: 'integer', minimum: -128, maximum: 127 },
    ageS: { type: 'integer', minimum: 0, maximum: 255 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
  },
};

export interface UplinkPayload {
  v: 1;
  siteId: string;
  gatewayId: string;
  transport: TransportKind;
  rssiDbm: number | null;
  snrDb: number | null;
  receivedAt: number;
  /** The frame exactly as received, hex; the centre verifies it again with its own key. */
  frame: string;
  /** What the gateway decoded, for integrators and logs; the centre does not trust it. */
  decoded: { deviceId: string; counter: number; type: MessageType; batteryPct: number | null; position: PositionPayload | null };
}

export interface DownlinkPayload {
  v: 1;
  deviceId: string;
  counter: number;
  command: DownlinkCommand;
  param: number;
  /** The setting a `setting` command changes (SPEC §4.2.1); param is then its value on the wire. */
  setting?: SettingName;
}

export interface KeyringPayload {
  v: 1;
  siteId: string;
  at: number;
  devices: { deviceId: string; key: string; lastCounter?: number }[];
}

export interface GatewayStatusPayload {
  v: 1;
  siteId: string;
  gatewayId: string;
  online: boolean;
  at: number;
  version?: string;
  transports?: Record<string, { state: string; detail?: string }>;
  counters?: Record<string, number>;
  heartbeatS?: number;
}

export interface InputPayload {
  v: 1;
  siteId: string;
  gatewayId: string;
  inputId: string;
  active: boolean;
  at: number;
}

export interface SiteStatePayload {
  v: 1;
  siteId: string;
  openAlarms: number;
  types: AlarmType[];
  at: number;
}

export interface AlarmPayload {
  v: 1;
  id: string;
  number: string;
  type: AlarmType;
  state: AlarmState;
  priority: number;
  siteId: string | null;
  deviceId: string | null;
  workerId: string | null;
  raisedAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  resolution: ResolutionReason | null;
  /** Last known position while the alarm is open (never outside an alarm: privacy). */
  position?: PositionPayload | null;
  positionAt?: number | null;
  /** Short free text for receivers (e.g. "fall, no cancel within 20 s"). */
  text?: string;
}

/** Health of an integration (an alarm-receiving-centre link, a webhook relay…). */
export interface IntegrationStatusPayload {
  v: 1;
  integrationId: string;
  kind: string;
  ok: boolean;
  at: number;
  detail?: string;
  /** Per path or channel, e.g. {primary: {state: 'up'}, backup: {state: 'down', detail: 'timeout'}}. */
  paths?: Record<string, { state: string; detail?: string }>;
}

export interface CentreStatusPayload {
  v: 1;
  online: boolean;
  at: number;
  instance?: string;
}

export const PAYLOAD_SCHEMAS: Record<string, JsonSchema> = {
  uplink: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'siteId', 'gatewayId', 'transport', 'rssiDbm', 'snrDb', 'receivedAt', 'frame', 'decoded'],
    properties: {
      v: { const: 1 },
      siteId: id,
      gatewayId: id,
      transport: { enum: ['ble', 'lora'] },
      rssiDbm: { type: ['number', 'null'] },
      snrDb: { type: ['number', 'null'] },
      receivedAt: epochMs,
      frame: { type: 'string', pattern: '^[0-9a-f]{48}$' },
      decoded: {
        type: 'object',
        additionalProperties: false,
        required: ['deviceId', 'counter', 'type', 'batteryPct', 'position'],
        properties: {
          deviceId,
          counter: uint32,
          type: { enum: MESSAGE_TYPES.map((t) => t.name) },
          batteryPct: { type: ['integer', 'null'], minimum: 0, maximum: 100 },
          position: { oneOf: [{ type: 'null' }, positionSchema] },
        },
      },
    },
  },
  downlink: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'deviceId', 'counter', 'command', 'param'],
    properties: {
      v: { const: 1 },
      deviceId,
      counter: uint32,
      command: { enum: DOWNLINK_COMMANDS.map((c) => c.name) },
      param: { type: 'integer', minimum: 0, maximum: 65535 },
      setting: { enum: SETTINGS.map((s) => s.name) },
    },
  },
  keyring: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'siteId', 'at', 'devices'],
    properties: {
      v: { const: 1 },
      siteId: id,
      at: epochMs,
      devices: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['deviceId', 'key'],
          properties: { deviceId, key: { type: 'string', pattern: '^[0-9a-f]{32}$' }, lastCounter: uint32 },
        },
      },
    },
  },
  gatewayStatus: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'siteId', 'gatewayId', 'online', 'at'],
    properties: {
      v: { const: 1 },
      siteId: id,
      gatewayId: id,
      online: { type: 'boolean' },
      at: epochMs,
      version: { type: 'string' },
      transports: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['state'],
          properties: { state: { type: 'string' }, detail: { type: 'string' } },
        },
      },
      counters: { type: 'object', additionalProperties: { type: 'number' } },
      heartbeatS: { type: 'integer', minimum: 1 },
    },
  },
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'siteId', 'gatewayId', 'inputId', 'active', 'at'],
    properties: { v: { const: 1 }, siteId: id, gatewayId: id, inputId: id, active: { type: 'boolean' }, at: epochMs },
  },
  siteState: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'siteId', 'openAlarms', 'types', 'at'],
    properties: {
      v: { const: 1 },
      siteId: id,
      openAlarms: { type: 'integer', minimum: 0 },
      types: { type: 'array', items: { enum: [...ALARM_TYPE_NAMES] } },
      at: epochMs,
    },
  },
  alarm: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'id', 'number', 'type', 'state', 'priority', 'siteId', 'deviceId', 'workerId', 'raisedAt', 'updatedAt', 'acknowledgedAt', 'resolvedAt', 'resolution'],
    properties: {
      v: { const: 1 },
      id,
      number: { type: 'string' },
      type: { enum: [...ALARM_TYPE_NAMES] },
      state: { enum: [...ALARM_STATES] },
      priority: { type: 'integer', minimum: 1 },
      siteId: { oneOf: [{ type: 'null' }, id] },
      deviceId: { oneOf: [{ type: 'null' }, deviceId] },
      workerId: { oneOf: [{ type: 'null' }, id] },
      raisedAt: epochMs,
      updatedAt: epochMs,
      acknowledgedAt: { oneOf: [{ type: 'null' }, epochMs] },
      resolvedAt: { oneOf: [{ type: 'null' }, epochMs] },
      resolution: { oneOf: [{ type: 'null' }, { enum: [...RESOLUTION_REASONS] }] },
      position: { oneOf: [{ type: 'null' }, positionSchema] },
      positionAt: { oneOf: [{ type: 'null' }, epochMs] },
      text: { type: 'string', maxLength: 256 },
    },
  },
  integrationStatus: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'integrationId', 'kind', 'ok', 'at'],
    properties: {
      v: { const: 1 },
      integrationId: id,
      kind: { type: 'string', minLength: 1, maxLength: 32 },
      ok: { type: 'boolean' },
      at: epochMs,
      detail: { type: 'string', maxLength: 512 },
      paths: {
        type: 'object',
        additionalProperties: { type: 'object', additionalProperties: false, required: ['state'], properties: { state: { type: 'string' }, detail: { type: 'string' } } },
      },
    },
  },
  centreStatus: {
    type: 'object',
    additionalProperties: false,
    required: ['v', 'online', 'at'],
    properties: { v: { const: 1 }, online: { type: 'boolean' }, at: epochMs, instance: { type: 'string' } },
  },
};

export interface PayloadTypes {
  uplink: UplinkPayload;
  downlink: DownlinkPayload;
  keyring: KeyringPayload;
  gatewayStatus: GatewayStatusPayload;
  input: InputPayload;
  siteState: SiteStatePayload;
  alarm: AlarmPayload;
  centreStatus: CentreStatusPayload;
  integrationStatus: IntegrationStatusPayload;
}

/** Parses and validates an MQTT payload. Bad JSON or a schema violation is a value, never a throw. */
export function parsePayload<K extends keyof PayloadTypes>(name: K, raw: Uint8Array | string): Checked<PayloadTypes[K]> {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  } catch {
    return { ok: false, errors: ['(root): not valid JSON'] };
  }
  return check<PayloadTypes[K]>(PAYLOAD_SCHEMAS[name]!, value);
}

/** The position of a decoded frame as it travels in JSON payloads. */
export function positionPayload(msg: UplinkMessage): PositionPayload | null {
  const p = msg.position;
  if (!p) return null;
  return p.kind === 'beacon' ? { kind: 'beacon', beaconId: p.beaconId, rssiDbm: p.rssiDbm, ageS: p.ageS } : { kind: 'gps', lat: p.lat, lon: p.lon };
}
