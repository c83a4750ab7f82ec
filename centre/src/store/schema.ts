/**
 * The store's typed schema, one for both engines: tables keep their SQL names, columns are seen in
 * camelCase (Kysely's CamelCasePlugin turns `battery_pct` into `batteryPct` both ways), so a record
 * field and its column have one name. What still needs saying per record is in its codec: which
 * columns hold JSON (TEXT on SQLite, JSONB on PostgreSQL) or a flag (0/1 on SQLite, BOOLEAN on
 * PostgreSQL), and the four columns whose names differ from the field (`recipient` is `to`, `body` is
 * `text`, `partition_key` is `partition`).
 */
import type { ColumnType, Generated, Insertable } from 'kysely';

/** JSON text on SQLite, JSONB on PostgreSQL: written as JSON text, read back as text or parsed. */
type Json = ColumnType<unknown, string | null, string | null>;
type JsonNotNull = ColumnType<unknown, string, string>;
/** 0/1 on SQLite (the SQLite connection binds booleans as 0/1), BOOLEAN on PostgreSQL. */
type Flag = ColumnType<boolean | number, boolean, boolean>;
type Ms = number;

export interface Database {
  meta: { key: string; value: number };
  organisations: { id: string; name: string; createdAt: Ms };
  sites: { id: string; name: string; ladderId: string | null; timeZone: string | null; organisationId: Generated<string> };
  workers: { id: string; name: string; phone: string | null; siteId: string | null; ladderId: string | null; teamId: string | null; language: string | null; organisationId: Generated<string> };
  devices: {
    id: string; key: string; board: string; workerId: string | null; siteId: string | null; createdAt: Ms; lastCounter: Generated<number>;
    lastSeenAt: Ms | null; batteryPct: number | null; purgedCounter: Generated<number>; organisationId: Generated<string>;
  };
  events: {
    deviceId: string; counter: number; type: string; receivedAt: Ms; gatewayId: string; siteId: string; rssiDbm: number | null;
    batteryPct: number | null; position: Json; detail: number; ref: number; handled: Flag;
  };
  alarms: {
    id: string; number: number; type: string; state: string; priority: number; siteId: string | null; deviceId: string | null; workerId: string | null;
    incidentRef: number | null; lastCounter: number | null; position: Json; positionAt: Ms | null; createdAt: Ms; raisedAt: Ms | null; updatedAt: Ms;
    acknowledgedAt: Ms | null; acknowledgedBy: string | null; resolvedAt: Ms | null; resolvedBy: string | null; resolution: string | null;
    comment: string | null; subject: string | null; text: string | null; sessionId: string | null; organisationId: Generated<string>;
  };
  audit: { seq: Generated<number>; at: Ms; actor: string; action: string; entity: string; entityId: string; data: Json; redactedAt: Ms | null };
  users: { id: string; username: string; name: string; role: string; passwordHash: string; scope: Json; organisationId: string | null };
  auth_sessions: { tokenHash: string; userId: string; createdAt: Ms; expiresAt: Ms };
  stream_tickets: { ticketHash: string; userId: string; expiresAt: Ms };
  registry: { kind: string; id: string; siteId: string | null; data: JsonNotNull; updatedAt: Ms; organisationId: Generated<string> };
  work_sessions: {
    id: string; owner: string; workerId: string | null; deviceId: string | null; siteId: string | null; kind: string; state: string; startedAt: Ms;
    startedBy: string; plannedEndAt: Ms | null; reminderBeforeS: number; reminderSentAt: Ms | null; checkInIntervalS: number | null; checkInGraceS: number;
    nextCheckInAt: Ms | null; checkInPromptedAt: Ms | null; lastCheckInAt: Ms | null; note: string | null; phone: string | null; callList: JsonNotNull;
    endedAt: Ms | null; endedBy: string | null; updatedAt: Ms; organisationId: Generated<string>;
  };
  escalations: {
    id: string; alarmId: string; siteId: string | null; state: string; phase: string; steps: JsonNotNull; broadcast: JsonNotNull; step: number; round: number;
    repeat: Flag; nextAt: Ms | null; version: number; startedAt: Ms; updatedAt: Ms; endedAt: Ms | null; endReason: string | null; partitionKey: string | null;
  };
  outbox: {
    id: string; alarmId: string | null; alarmNumber: string | null; escalationId: string | null; step: number | null; targetKey: string | null; channel: string;
    recipient: string; contactId: string | null; contactName: string; subject: string; body: string; link: string | null; data: Json; priority: number;
    state: string; attempts: number; maxAttempts: number; nextAttemptAt: Ms; claimedBy: string | null; claimedUntil: Ms | null; createdAt: Ms;
    sentAt: Ms | null; detail: string | null;
  };
  attempts: {
    seq: Generated<number>; at: Ms; notificationId: string | null; alarmId: string | null; channel: string; recipient: string; contactName: string;
    status: string; detail: string | null; redactedAt: Ms | null;
  };
  responder_tokens: {
    tokenHash: string; alarmId: string; targetKey: string; contactName: string; channel: string; address: string; createdAt: Ms; expiresAt: Ms; revokedAt: Ms | null;
  };
  secrets: { name: string; value: Buffer };
  positions: {
    deviceId: string; workerId: string | null; at: Ms; kind: 'gps' | 'beacon'; lat: number | null; lon: number | null; beaconId: string | null; zoneId: string | null; rssiDbm: number | null;
  };
  worker_credentials: { workerId: string; username: string; passwordHash: string; createdAt: Ms; createdBy: string };
  worker_logins: { tokenHash: string; workerId: string; via: string; createdAt: Ms; expiresAt: Ms };
  pairing_codes: { codeHash: string; workerId: string; createdAt: Ms; createdBy: string; expiresAt: Ms; usedAt: Ms | null };
  app_actions: { key: string; workerId: string; action: string; at: Ms; deviceId: string | null; counter: number | null; status: number | null; response: Json };
  floor_plans: { siteId: string; floor: string; contentType: string; widthM: number; heightM: number; image: Buffer; updatedAt: Ms; updatedBy: string };
  push_subscriptions: {
    id: string; userId: string; endpoint: string; p256dh: string; auth: string; language: string; label: string | null; createdAt: Ms; lastSuccessAt: Ms | null;
    failures: Generated<number>;
  };
  device_settings: {
    deviceId: string; name: string; desired: number | null; desiredAt: Ms | null; desiredBy: string | null; sentFrom: number | null;
    sentCounter: number | null; sentAt: Ms | null; reported: number | null; reportedAt: Ms | null;
  };
  device_firmware: { deviceId: string; firmware: string; settingsHash: string; at: Ms; counter: number; ackHash: string | null; ackCounter: number | null };
}

export type Table = keyof Database;

/**
 * Column names only: JSON read back as objects (PostgreSQL's JSONB) keeps its own keys — an HTTP
 * answer replayed to a phone, a webhook's data — exactly as they were written.
 */
export const CAMEL_CASE = { maintainNestedObjectKeys: true } as const;

/** How a record differs from its row: JSON and flag columns, and columns named otherwise than the field. */
export interface Codec<T extends Table> {
  json?: readonly string[];
  flags?: readonly string[];
  /** column → field */
  rename?: Readonly<Record<string, string>>;
  /** Columns that are not fields of the record (a sequence, a counter kept for the store itself). */
  hidden?: readonly string[];
  /** The table, for typing only. */
  table?: T;
}

export function codec<T extends Table>(table: T, c: Omit<Codec<T>, 'table'> = {}): Codec<T> {
  return { ...c, table };
}

/** A row as read (camelCase keys) to the record. JSON arrives as text from SQLite and parsed from PostgreSQL. */
export function decode<R>(c: Codec<Table>, row: object): R {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (c.hidden?.includes(k)) continue;
    const field = c.rename?.[k] ?? k;
    if (v === null || v === undefined) out[field] = null;
    else if (c.json?.includes(k)) out[field] = typeof v === 'string' ? JSON.parse(v) : v;
    else if (c.flags?.includes(k)) out[field] = v === true || v === 1;
    else out[field] = v;
  }
  return out as R;
}

/** A record (or part of one) to the row to write: JSON as text, renamed fields to their columns. */
export function encode<T extends Table>(c: Codec<T>, rec: object): Insertable<Database[T]> {
  const out: Record<string, unknown> = {};
  const columnOf = (f: string): string => Object.entries(c.rename ?? {}).find(([, field]) => field === f)?.[0] ?? f;
  for (const [f, v] of Object.entries(rec)) {
    if (v === undefined) continue;
    const col = columnOf(f);
    out[col] = c.json?.includes(col) && v !== null ? JSON.stringify(v) : v;
  }
  return out as Insertable<Database[T]>;
}

/** A copy of `o` without `keys` (fields an update must never change, the key of an upsert). */
export function omit<T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}
