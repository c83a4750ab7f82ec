/**
 * The centre's store seam. Every method is one atomic operation (its own transaction), so the same
 * interface is implemented on SQLite (embedded) and PostgreSQL (scale-out) and both pass one
 * contract suite (test/centre/store-contract.ts). Times are epoch milliseconds.
 */
import type { AlarmState, AlarmType, MessageType, PositionPayload, ResolutionReason } from '../../../protocol/src';

export type UserRole = 'admin' | 'supervisor' | 'operator' | 'readonly';

export interface Site {
  id: string;
  name: string;
}

export interface Worker {
  id: string;
  name: string;
  phone: string | null;
  siteId: string | null;
}

export type BoardKind = 'puckjs' | 'bangle2' | 'lora' | 'phone';

export interface DeviceRecord {
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
}

export interface Alarm {
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
}

export interface User {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  passwordHash: string;
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
  limit?: number;
}

export type Patch<T> = Partial<T>;

export interface Store {
  migrate(): Promise<void>;
  close(): Promise<void>;

  upsertSite(site: Site): Promise<void>;
  listSites(): Promise<Site[]>;
  upsertWorker(worker: Worker): Promise<void>;
  getWorker(id: string): Promise<Worker | undefined>;
  listWorkers(): Promise<Worker[]>;

  addDevice(device: DeviceRecord): Promise<void>;
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  listDevices(filter?: { siteId?: string }): Promise<DeviceRecord[]>;
  /** Idempotent ingest keyed by device + counter; also advances the device's last counter and last-seen. */
  recordEvent(e: EventRecord): Promise<'new' | 'duplicate'>;

  /** Creates an alarm with the next alarm number and its audit entry, atomically. */
  createAlarm(alarm: NewAlarm, audit: AuditEntry): Promise<Alarm>;
  getAlarm(id: string): Promise<Alarm | undefined>;
  /** The open (pending, raised or acknowledged) alarm of a device for a type, if any. */
  findOpenAlarm(deviceId: string, type: AlarmType): Promise<Alarm | undefined>;
  listAlarms(filter?: AlarmFilter): Promise<Alarm[]>;
  /**
   * Conditional transition: applies `patch` only when the alarm is in one of `from` states, with its
   * audit entry, atomically. Returns the updated alarm, or undefined when the condition failed.
   */
  updateAlarm(id: string, from: readonly AlarmState[], patch: Patch<Alarm>, audit: AuditEntry | undefined): Promise<Alarm | undefined>;

  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(entity: string, entityId: string): Promise<StoredAuditEntry[]>;

  createUser(user: User): Promise<void>;
  getUserByName(username: string): Promise<User | undefined>;
  getUser(id: string): Promise<User | undefined>;
  createSession(s: AuthSession): Promise<void>;
  getSession(tokenHash: string): Promise<AuthSession | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
}
