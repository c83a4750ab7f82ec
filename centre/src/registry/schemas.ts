/**
 * JSON Schemas of the registry records as the API and `vigil centre import` accept them. Optional
 * fields default to null, so a stored record always has every field.
 */
import type { JsonSchema } from '../../../common/schema';

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' };
/** The customer organisation (issue 21 part 1): absent = the caller's, or the organisation of the record's site, or `default`. */
const organisationId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' };
const nullableId = { type: ['string', 'null'], pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', default: null };
const text = (max: number): JsonSchema => ({ type: 'string', minLength: 1, maxLength: max });
const nullable = (max: number): JsonSchema => ({ type: ['string', 'null'], maxLength: max, default: null });
const phone = { type: ['string', 'null'], pattern: '^\\+?[0-9 ().-]{3,30}$', default: null };
const num = { type: ['number', 'null'], default: null };
/** The languages messages are written in (centre/web/shared/i18n/notify.*.json). */
const language = { type: ['string', 'null'], enum: ['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb', null], default: null };
/** An IANA zone name (`Europe/Paris`, `UTC`); checked against the runtime's zone list when the site is saved. */
const timeZone = { type: ['string', 'null'], pattern: '^(UTC|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+){1,2})$', default: null };
const channel = { enum: ['sms', 'voice', 'email', 'webhook', 'console'] };
const step = {
  type: 'object', additionalProperties: false, required: ['contactId', 'channel'],
  properties: { contactId: { type: 'string', pattern: '^(@worker|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$' }, channel, timeoutS: { type: 'integer', minimum: 1, maximum: 3600, default: 120 } },
};
/** A step or null (a type union rather than oneOf, so the step's defaults still apply). */
const optionalStep = { ...step, type: ['object', 'null'], default: null };
const obj = (required: string[], properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', additionalProperties: false, required, properties: { ...properties, organisationId } });

export const REGISTRY_SCHEMAS = {
  // A customer organisation (issue 21 part 1): the other records name theirs by `organisationId`.
  organisation: { type: 'object', additionalProperties: false, required: ['id', 'name'], properties: { id, name: text(100) } },
  site: obj(['id', 'name'], { id, name: text(100), ladderId: nullableId, timeZone }),
  worker: obj(['id', 'name'], { id, name: text(100), phone, siteId: nullableId, ladderId: nullableId, teamId: nullableId, language }),
  team: obj(['id', 'name'], { id, name: text(100), siteId: nullableId }),
  device: obj([], { workerId: nullableId, siteId: nullableId }),
  deviceNew: obj(['board'], {
    board: { enum: ['puckjs', 'bangle2', 'lora', 'phone'] }, workerId: nullableId, siteId: nullableId,
    deviceId: { type: 'string', pattern: '^[0-9a-f]{8}$' }, key: { type: 'string', pattern: '^[0-9a-f]{32}$' },
  }),
  contact: obj(['id', 'name'], {
    id, name: text(100), kind: { enum: ['person', 'supervisor', 'monitoring_centre', 'police'], default: 'person' }, siteId: nullableId, phone,
    email: { type: ['string', 'null'], format: 'email', default: null }, webhookUrl: { type: ['string', 'null'], pattern: '^https?://', maxLength: 500, default: null },
    language: { type: ['string', 'null'], pattern: '^[a-z]{2}$', default: null },
  }),
  ladder: obj(['id', 'name', 'steps'], { id, name: text(100), steps: { type: 'array', maxItems: 20, items: step }, fallback: optionalStep }),
  // x, y: the zone's centre on the floor plan (metres); w, h: its extent, drawn as a rectangle when given.
  zone: obj(['id', 'siteId', 'name'], {
    id, siteId: id, name: text(100), floor: nullable(20), lat: { ...num, minimum: -90, maximum: 90 }, lon: { ...num, minimum: -180, maximum: 180 }, x: num, y: num,
    w: { ...num, minimum: 0 }, h: { ...num, minimum: 0 },
  }),
  beacon: obj(['id', 'siteId'], { id: { type: 'string', pattern: '^[0-9]{1,10}$' }, siteId: id, zoneId: nullableId, name: nullable(100) }),
  gateway: obj(['siteId', 'gatewayId'], { siteId: id, gatewayId: id, name: nullable(100) }),
  input: obj(['siteId', 'gatewayId', 'inputId', 'name'], { siteId: id, gatewayId: id, inputId: id, name: text(100), zoneId: nullableId, workerId: nullableId }),
} satisfies Record<string, JsonSchema>;

export type RegistrySchemaName = keyof typeof REGISTRY_SCHEMAS;
