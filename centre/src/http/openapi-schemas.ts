/**
 * Named schemas of the OpenAPI document (`#/components/schemas/<name>`): what the API answers with.
 * Registry records reuse the very schemas the API validates bodies with (registry/schemas.ts).
 */
import { ALARM_STATES, ALARM_TYPE_NAMES, RESOLUTION_REASONS } from '../../../protocol/src';
import type { JsonSchema } from '../../../common/schema';
import { REGISTRY_SCHEMAS } from '../registry/schemas';

const str = { type: 'string' };
const nstr = { type: ['string', 'null'] };
const int = { type: 'integer' };
const nint = { type: ['integer', 'null'] };
const nnum = { type: ['number', 'null'] };
const ms = (what: string): JsonSchema => ({ type: ['integer', 'null'], description: `${what}, epoch milliseconds` });
const obj = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema => ({ type: 'object', required, properties });

const place = obj({ label: str, zoneId: nstr, zoneName: nstr, floor: nstr, lat: nnum, lon: nnum, x: nnum, y: nnum });
const position = {
  type: ['object', 'null'], description: 'GPS fix or beacon, as the pendant reported it',
  properties: { kind: { enum: ['gps', 'beacon'] }, lat: { type: 'number' }, lon: { type: 'number' }, beaconId: int, rssiDbm: int, ageS: int },
};

const alarm = obj({
  id: str, number: { type: 'string', description: 'Short number people quote on the phone' }, type: { enum: [...ALARM_TYPE_NAMES] }, state: { enum: [...ALARM_STATES] },
  priority: { type: 'integer', description: '1 (duress) … 5 (low battery)' }, siteId: nstr, deviceId: nstr, workerId: nstr,
  position, positionAt: ms('When the position was taken'), createdAt: ms('Created'), raisedAt: ms('Raised (after the pre-alarm)'), updatedAt: ms('Last change'),
  acknowledgedAt: ms('Acknowledged'), acknowledgedBy: nstr, resolvedAt: ms('Resolved'), resolvedBy: nstr,
  resolution: { enum: [...RESOLUTION_REASONS, null] }, comment: nstr, text: nstr, sessionId: nstr, organisationId: str,
}, ['id', 'number', 'type', 'state', 'priority', 'createdAt']);

export const COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
  Error: obj({ error: obj({ code: str, message: str }) }),
  Place: place,
  Alarm: alarm,
  AlarmView: {
    allOf: [{ $ref: '#/components/schemas/Alarm' }, obj({
      worker: { type: ['object', 'null'], properties: { id: str, name: str, phone: nstr } }, place: { anyOf: [{ $ref: '#/components/schemas/Place' }, { type: 'null' }] },
      positionAgeS: nint,
    })],
  },
  AuditEntry: obj({
    seq: int, at: int, actor: { type: 'string', description: '`user:<name>`, `device:<id>`, `contact:<name>`, `system`' }, action: str, entity: str, entityId: str,
    data: { type: 'object' },
  }, ['seq', 'at', 'actor', 'action']),
  Attempt: obj({
    seq: int, at: int, channel: str, to: str, contactName: str, status: { enum: ['sent', 'delivered', 'accepted', 'rejected', 'no_answer', 'failed', 'skipped'] },
    detail: nstr,
  }, ['at', 'channel', 'contactName', 'status']),
  Session: obj({
    id: str, workerId: nstr, deviceId: nstr, siteId: nstr, kind: { enum: ['protection', 'timed'] }, state: { enum: ['active', 'stopped', 'expired'] },
    startedAt: int, plannedEndAt: nint, checkInIntervalS: nint, nextCheckInAt: nint, lastCheckInAt: nint, note: nstr, phone: nstr,
    callList: { type: 'array', items: obj({ name: str, phone: str, email: str }, ['name']) }, endedAt: nint, organisationId: str,
  }, ['id', 'kind', 'state', 'startedAt']),
  Organisation: obj({ id: str, name: str, createdAt: int }),
  User: obj({
    id: str, username: str, name: str, role: { enum: ['admin', 'supervisor', 'operator', 'readonly', 'auditor'] },
    scope: {
      type: ['object', 'null'], description: 'Sites and teams a supervisor (or a scoped read-only user) sees; null = all',
      properties: { siteIds: { type: 'array', items: str }, teamIds: { type: 'array', items: str } },
    },
    organisationId: { type: ['string', 'null'], description: 'The customer organisation the user works for (they see only it); null = the centre\'s own staff' },
  }, ['id', 'username', 'name', 'role']),
  Site: REGISTRY_SCHEMAS.site,
  Team: REGISTRY_SCHEMAS.team,
  Worker: REGISTRY_SCHEMAS.worker,
  Device: obj({
    id: { type: 'string', description: '8 hex digits' }, board: { enum: ['puckjs', 'bangle2', 'lora', 'phone'] }, workerId: nstr, siteId: nstr, createdAt: int,
    lastCounter: int, lastSeenAt: nint, batteryPct: nint,
    organisationId: str,
  }, ['id', 'board']),
  Contact: REGISTRY_SCHEMAS.contact,
  Ladder: REGISTRY_SCHEMAS.ladder,
  Zone: REGISTRY_SCHEMAS.zone,
  Beacon: REGISTRY_SCHEMAS.beacon,
  Input: REGISTRY_SCHEMAS.input,
  Gateway: obj({ id: str, siteId: str, gatewayId: str, name: nstr, online: { type: ['boolean', 'null'] }, lastSeenAt: nint, heartbeatS: nint, organisationId: str }, ['id', 'siteId', 'gatewayId']),
};
