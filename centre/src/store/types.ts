/**
 * The centre's store seam. Every method is one atomic operation (its own transaction). One layer
 * implements it (kysely-store.ts: repositories by concern over one typed schema), run on SQLite
 * (embedded) and PostgreSQL (scale-out); both pass the contract suites (test/centre/store-contract.ts,
 * test/web/*-store-contract.ts). Times are epoch milliseconds.
 */
import type { AlarmState, AlarmType, MessageType, PositionPayload, ResolutionReason } from '../../../protocol/src';
import type { EntityKind, EntityMap } from './records';
import type {
  AttemptRecord, Escalation, NewOutboxMessage, OutboxCompletion, OutboxMessage, PositionRecord,
  ResponderToken, Session, SessionFilter, SessionState,
} from './operations';
import type { AuditPage, AuditQuery, ErasureRequest, ErasureResult, PurgeCounts, PurgeRequest, WorkerData } from './ops-records';
import type { AppAction, AppEventInput, AppEventResult, PairingCode, WorkerCredential, WorkerLogin } from './app-records';
import type { AlarmSearch, AlarmStats, FloorPlan, StoreScope, UserScope } from './console-records';
import type { PendantSettingsStore } from '../settings/types';
import type { PushSubscriptionBook } from '../notify/push/subscription';

export type * from './records';
export type * from './operations';
export type * from './app-records';
export type * from './console-records';
export type * from './ops-records';
export { WORKER_CONTACT, ENTITY_KINDS, entitySite, DEFAULT_ORGANISATION } from './records';

/** `auditor`: reads like `readonly`, centre-wide, and reads the audit log (which `readonly` does not). */
export type UserRole = 'admin' | 'supervisor' | 'operator' | 'readonly' | 'auditor';

/**
 * The customer organisation a record belongs to (migrations/organisations.ts). Optional when a
 * record is written: the store then files it under the default organisation (a registry file or an
 * install without organisations); always present when read back.
 */
export interface Owned {
  organisationId?: string;
}

/** A customer of the monitoring company that runs the centre. */
export interface Organisation {
  id: string;
  name: string;
  createdAt: number;
}

export interface Site extends Owned {
  id: string;
  name: string;
  /** Escalation ladder for the site's alarms (a worker's own ladder wins). */
  ladderId?: string | null;
  /** IANA time zone (`Europe/Paris`) for times in messages (session reminders); null = UTC. */
  timeZone?: string | null;
}

export interface Worker extends Owned {
  id: string;
  name: string;
  phone: string | null;
  siteId: string | null;
  ladderId?: string | null;
  /** The worker's team (supervisors are scoped to sites and teams). */
  teamId?: string | null;
  /** Language of messages to the worker (reminders, ladder steps at the worker, the pendant's screen): en, fr, nl, de, es, sv, nb; null = the centre's default. */
  language?: string | null;
}

export type BoardKind = 'puckjs' | 'bangle2' | 'lora' | 'phone';

export interface DeviceRecord extends Owned {
  /** 8 hex digits. */
  id: string;
  /** 32 hex digits. */
  key: string;
  board: BoardKind;
  workerId: string | null;
  siteId: string | null;
  createdAt: number;
  /** Highest counter accepted from the device (-1: none yet). */
  lastCounter: number;
  lastSeenAt: number | null;
  batteryPct: number | null;
}

export interface EventRecord {
  deviceId: string;
  counter: number;
  type: MessageType;
  receivedAt: number;
  gatewayId: string;
  siteId: string;
  rssiDbm: number | null;
  batteryPct: number | null;
  position: PositionPayload | null;
  detail: number;
  ref: number;
  /**
   * True for frames whose rules must run to completion (alarms, pre-alarms, cancels, check-ins,
   * protection changes): stored as unhandled until markEventHandled, so a crash or a store failure
   * between storing and the rules means the rules run again (redelivery or start-up), never a lost alarm.
   */
  mustHandle?: boolean;
}

export interface Alarm extends Owned {
  id: string;
  /** Short number people quote on the phone, unique per centre. */
  number: string;
  type: AlarmType;
  state: AlarmState;
  priority: number;
  siteId: string | null;
  deviceId: string | null;
  workerId: string | null;
  /** Counter of the device frame that started the incident (pre-alarm or first alarm frame). */
  incidentRef: number | null;
  /** Latest device counter of the incident, answered by downlinks. */
  lastCounter: number | null;
  position: PositionPayload | null;
  positionAt: number | null;
  createdAt: number;
  raisedAt: number | null;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolution: ResolutionReason | null;
  comment: string | null;
  /**
   * What the alarm is about, for merging: `device:<id>`, `session:<id>`, `gateway:<site>/<gw>`,
   * `notifier:<channel>`, `integration:<id>`, `input:<site>/<gw>/<input>`. Null on old rows = device.
   */
  subject?: string | null;
  /** Short text for people and receivers ("duress: do not call the worker", the session note). */
  text?: string | null;
  sessionId?: string | null;
}

export type NewAlarm = Omit<Alarm, 'number'>;

export interface AuditEntry {
  at: number;
  /** `user:<name>`, `device:<id>`, `system`. */
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  data?: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  seq: number;
  /** Set when an erasure redacted the entry (its data, actor or entity id); absent otherwise. */
  redactedAt?: number;
}

export interface User {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  passwordHash: string;
  /** Supervisors (and optionally read-only users) see only these sites and teams; null or absent = everything. */
  scope?: UserScope | null;
  /** The customer organisation the user works for (they see only it, whatever their role); null or absent = the centre's own staff (every organisation). */
  organisationId?: string | null;
}

export interface AuthSession {
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

export interface AlarmFilter {
  states?: AlarmState[];
  deviceId?: string;
  siteId?: string;
  limit?: number;
}

export type Patch<T> = Partial<T>;

/** Changes made under a condition: undefined means the condition failed and nothing changed. */
export type Conditional<T> = Promise<T | undefined>;

/**
 * Push subscriptions (Web Push to console users, notify/push/subscription.ts) are part of the seam:
 * putPushSubscription, getPushSubscription, listPushSubscriptions, deletePushSubscription,
 * deleteUserPushSubscriptions, recordPushResult.
 * Pendant settings (settings/types.ts) likewise.
 */
export interface Store extends PushSubscriptionBook, PendantSettingsStore {
  migrate(): Promise<void>;
  close(): Promise<void>;

  // ---- customer organisations (every registry record belongs to one)
  listOrganisations(): Promise<Organisation[]>;
  getOrganisation(id: string): Promise<Organisation | undefined>;
  putOrganisation(o: Organisation, audit?: AuditEntry): Promise<void>;
  /** False when records or users still belong to it. */
  deleteOrganisation(id: string, audit?: AuditEntry): Promise<boolean>;

  // ---- registry: sites, workers, devices, and the other registry records (records.ts)
  upsertSite(site: Site): Promise<void>;
  listSites(): Promise<Site[]>;
  getSite(id: string): Promise<Site | undefined>;
  /** False when the site is still used (workers, devices). */
  deleteSite(id: string): Promise<boolean>;
  upsertWorker(worker: Worker): Promise<void>;
  getWorker(id: string): Promise<Worker | undefined>;
  listWorkers(): Promise<Worker[]>;
  deleteWorker(id: string): Promise<boolean>;

  addDevice(device: DeviceRecord): Promise<void>;
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  listDevices(filter?: { siteId?: string; workerId?: string }): Promise<DeviceRecord[]>;
  /** Re-assigns a device (worker, site); returns the updated device. */
  updateDevice(id: string, patch: Partial<Pick<DeviceRecord, 'workerId' | 'siteId' | 'board'>>): Promise<DeviceRecord | undefined>;
  deleteDevice(id: string): Promise<boolean>;
  /**
   * Idempotent ingest keyed by device + counter; also advances the device's last counter and last-seen.
   * `retry`: stored before but its rules never completed (mustHandle) — run them again.
   * `stale`: the counter is at or below one purged by the retention (an old frame replayed), refused.
   */
  recordEvent(e: EventRecord): Promise<'new' | 'duplicate' | 'retry' | 'stale'>;
  /** recordEvent for many events in one transaction (the group commit of status frames), verdicts in order. */
  recordEvents(events: EventRecord[]): Promise<('new' | 'duplicate' | 'retry' | 'stale')[]>;
  markEventHandled(deviceId: string, counter: number): Promise<void>;
  /** Events stored with mustHandle whose rules never completed (start-up recovery), oldest first. */
  listUnhandledEvents(limit: number): Promise<EventRecord[]>;

  getEntity<K extends EntityKind>(kind: K, id: string): Promise<EntityMap[K] | undefined>;
  listEntities<K extends EntityKind>(kind: K, filter?: { siteId?: string }): Promise<EntityMap[K][]>;
  putEntity<K extends EntityKind>(kind: K, rec: EntityMap[K], audit?: AuditEntry): Promise<void>;
  deleteEntity(kind: EntityKind, id: string, audit?: AuditEntry): Promise<boolean>;
  /** Changes whenever sites, workers, devices or registry records change (from any process). */
  registryVersion(): Promise<number>;

  // ---- alarms
  /**
   * Creates an alarm with the next alarm number and its audit entry, atomically. One open (pending,
   * raised, acknowledged) alarm per subject and type is a constraint of the store: when one exists
   * already — another worker raised it first — nothing is written and that alarm is returned (its id
   * differs from the one given: the caller merges instead of raising).
   */
  createAlarm(alarm: NewAlarm, audit: AuditEntry): Promise<Alarm>;
  getAlarm(id: string): Promise<Alarm | undefined>;
  getAlarmByNumber(number: string): Promise<Alarm | undefined>;
  /** The open (pending, raised or acknowledged) alarm of a device for a type, if any. */
  findOpenAlarm(deviceId: string, type: AlarmType): Promise<Alarm | undefined>;
  /** The open alarm about a subject (alarm.subject) for a type, if any. */
  findOpenAlarmBySubject(subject: string, type: AlarmType): Promise<Alarm | undefined>;
  listAlarms(filter?: AlarmFilter): Promise<Alarm[]>;
  /** Open (raised or acknowledged) alarms of a site: how many and of which types (site state for sirens). */
  siteAlarmSummary(siteId: string): Promise<{ openAlarms: number; types: AlarmType[] }>;
  /**
   * Conditional transition: applies `patch` only when the alarm is in one of `from` states, with its
   * audit entry, atomically. Returns the updated alarm, or undefined when the condition failed.
   */
  updateAlarm(id: string, from: readonly AlarmState[], patch: Patch<Alarm>, audit: AuditEntry | undefined): Promise<Alarm | undefined>;

  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(entity: string, entityId: string): Promise<StoredAuditEntry[]>;

  // ---- sessions (protection mode, timed lone-work sessions, check-ins)
  /** Starts a session unless its owner already has an active one (then returns that one). */
  createWorkSession(s: Session, audit: AuditEntry): Promise<{ created: true; session: Session } | { created: false; session: Session }>;
  getWorkSession(id: string): Promise<Session | undefined>;
  findActiveWorkSession(owner: string): Promise<Session | undefined>;
  listWorkSessions(filter?: SessionFilter): Promise<Session[]>;
  /** Conditional on the session's state, with its audit entry, atomically. */
  updateWorkSession(id: string, from: readonly SessionState[], patch: Patch<Session>, audit: AuditEntry | undefined): Conditional<Session>;

  // ---- escalations and the notification outbox
  /**
   * Starts the escalation of an alarm with its first notifications and audit entries in one
   * transaction. One escalation per alarm: when it exists already, nothing is written and the
   * existing one is returned with created = false.
   */
  createEscalation(e: Escalation, outbox: NewOutboxMessage[], audit: AuditEntry[]): Promise<{ created: boolean; escalation: Escalation }>;
  getEscalation(id: string): Promise<Escalation | undefined>;
  getEscalationByAlarm(alarmId: string): Promise<Escalation | undefined>;
  listEscalations(filter?: { states?: Escalation['state'][] }): Promise<Escalation[]>;
  /**
   * The step change of an escalation and the notifications it sends, atomically, only if the
   * escalation is still at `version` (the store bumps it). With `cancelPending`, notifications of the
   * escalation not yet sent are cancelled in the same transaction.
   */
  updateEscalation(id: string, version: number, patch: Patch<Escalation>, outbox: NewOutboxMessage[], audit: AuditEntry[], opts?: { cancelPending?: boolean }): Conditional<Escalation>;

  /** Queues notifications that belong to no escalation (session reminders). */
  enqueue(messages: NewOutboxMessage[]): Promise<void>;
  /**
   * Takes up to `limit` due notifications (priority first) for `leaseMs`; duress goes out first. Rows
   * claimed by one caller are never handed to another until the lease runs out (workers claim
   * concurrently). `channels`: only those (a worker without an SMS modem leaves SMS to one with).
   */
  claimOutbox(opts: { now: number; limit: number; leaseMs: number; by: string; channels?: readonly OutboxMessage['channel'][] }): Promise<OutboxMessage[]>;
  /**
   * Re-claims notifications left `sending` by a process that died: those whose lease expired, or —
   * when a lone centre restarts (`all`) — every one not claimed by `by`, or — in a cluster — every one
   * claimed by a worker known to have died (`deadClaimers`). The caller resends them (at-least-once
   * channels) or completes them as failed (at-most-once channels).
   */
  reclaimAbandoned(opts: { now: number; by: string; leaseMs: number; all?: boolean; deadClaimers?: readonly string[]; channels?: readonly OutboxMessage['channel'][] }): Promise<OutboxMessage[]>;
  /** Records the outcome of a claimed notification and its attempt, if the claim is still ours. */
  completeOutbox(id: string, by: string, done: OutboxCompletion, attempt: AttemptRecord | undefined): Promise<boolean>;
  getOutbox(id: string): Promise<OutboxMessage | undefined>;
  listOutbox(filter: { alarmId?: string; escalationId?: string; states?: OutboxMessage['state'][] }): Promise<OutboxMessage[]>;
  /** The latest notification sent to `address` on `channel` whose alarm is still open (reply matching). */
  findReplyTarget(channel: OutboxMessage['channel'], address: string, alarmNumber?: string): Promise<OutboxMessage | undefined>;
  recordAttempt(a: AttemptRecord): Promise<void>;
  listAttempts(alarmId: string): Promise<(AttemptRecord & { seq: number })[]>;

  // ---- responder tokens (the /r/<token> page) and secrets
  putResponderToken(t: ResponderToken): Promise<void>;
  getResponderToken(tokenHash: string): Promise<ResponderToken | undefined>;
  revokeResponderTokens(alarmId: string, at: number): Promise<void>;
  /** A random secret created once per installation and shared by all centre processes. */
  secret(name: string): Promise<Buffer>;

  // ---- positions and retention
  addPosition(p: PositionRecord): Promise<void>;
  latestPosition(deviceId: string): Promise<PositionRecord | undefined>;
  /** Deletes what is older than each kind's cutoff (ops-records.ts), never what an open alarm or active session needs. */
  purge(req: PurgeRequest): Promise<PurgeCounts>;

  // ---- the audit view and people's data (ops-records.ts)
  /** Audit entries by time, actor, action and entity; newest first, with the total. */
  searchAudit(q: AuditQuery): Promise<AuditPage>;
  /** Everything held about a worker (GDPR article 15), whether or not the registry still has them. */
  workerData(workerId: string): Promise<WorkerData>;
  /** Erases a worker (GDPR article 17) keeping the alarm statistics, with its audit entry, in one transaction. */
  eraseWorker(r: ErasureRequest): Promise<ErasureResult>;

  // ---- users and logins
  createUser(user: User): Promise<void>;
  getUserByName(username: string): Promise<User | undefined>;
  getUser(id: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  createSession(s: AuthSession): Promise<void>;
  getSession(tokenHash: string): Promise<AuthSession | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** A one-time ticket for the live stream (EventSource cannot send a header), valid on every worker. */
  putStreamTicket(t: StreamTicket): Promise<void>;
  /** Redeems a ticket once: its user if it exists and has not expired at `now`; it is gone afterwards. */
  takeStreamTicket(ticketHash: string, now: number): Promise<string | undefined>;

  // ---- the worker app (app-records.ts): worker logins, pairing codes, idempotent phone actions
  /** Creates or replaces the worker's login; false when the user name belongs to another worker. */
  putWorkerCredential(c: WorkerCredential): Promise<boolean>;
  getWorkerCredential(by: { workerId: string } | { username: string }): Promise<WorkerCredential | undefined>;
  /** Removes the worker's login, every phone signed in as the worker and their unused pairing codes. */
  deleteWorkerCredential(workerId: string): Promise<boolean>;
  revokeWorkerLogins(workerId: string): Promise<number>;
  createWorkerLogin(l: WorkerLogin): Promise<void>;
  getWorkerLogin(tokenHash: string): Promise<WorkerLogin | undefined>;
  touchWorkerLogin(tokenHash: string, expiresAt: number): Promise<void>;
  deleteWorkerLogin(tokenHash: string): Promise<void>;
  createPairingCode(p: PairingCode): Promise<void>;
  /** Marks an unused, unexpired code used and returns it; undefined for any other code (once only). */
  redeemPairingCode(codeHash: string, at: number): Conditional<PairingCode>;
  getAppAction(key: string): Promise<AppAction | undefined>;
  /** Records the answer to a keyed action; a key already recorded keeps its first answer (returns false). */
  putAppAction(a: AppAction): Promise<boolean>;
  /**
   * A phone event, idempotent on its key: a new key gets the device's next counter and is stored as a
   * device event (like a radio frame) in one transaction; a known key returns what it got the first time.
   */
  recordAppEvent(e: AppEventInput): Promise<AppEventResult>;
  /** Retention of the app's own records: keys older than `before`, expired logins and pairing codes. */
  purgeApp(before: number, now: number): Promise<number>;

  // ---- the console (console-records.ts): users' changes, floor plans, history and statistics
  /** Changes a user's name, role, scope or password hash; returns the user (undefined if unknown). */
  updateUser(id: string, patch: Partial<Pick<User, 'name' | 'role' | 'scope' | 'passwordHash' | 'organisationId'>>): Promise<User | undefined>;
  /** Deletes the user and every login of theirs. */
  deleteUser(id: string): Promise<boolean>;
  /** Ends the user's logins (all, or all but one): after a password change or reset. */
  deleteUserSessions(userId: string, exceptTokenHash?: string): Promise<number>;
  putFloorPlan(plan: Omit<FloorPlan, 'bytes'>, image: Buffer): Promise<void>;
  listFloorPlans(siteId?: string): Promise<FloorPlan[]>;
  getFloorPlanImage(siteId: string, floor: string): Promise<{ plan: FloorPlan; image: Buffer } | undefined>;
  deleteFloorPlan(siteId: string, floor: string): Promise<boolean>;
  /** Alarms by creation time, worker, site, type, state, resolution and scope; newest first, with the total. */
  searchAlarms(q: AlarmSearch): Promise<{ alarms: Alarm[]; total: number }>;
  /** Counts by type, resolution and site, and time-to-acknowledge percentiles, of the alarms created in [from, to). */
  alarmStats(q: { from: number; to: number; siteId?: string; organisationId?: string; scope?: StoreScope }): Promise<AlarmStats>;
}

export interface StreamTicket {
  ticketHash: string;
  userId: string;
  expiresAt: number;
}
