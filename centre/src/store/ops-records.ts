/**
 * What running Vigil as a service asks of the store (issue 21): the audit view's searches, the
 * retention of every record kind, and one person's data — its export (GDPR article 15) and its
 * erasure (article 17) that keeps the alarm statistics. docs/centre.md "Retention and people's data".
 */
import type { Alarm, AuditEntry, Session, StoredAuditEntry, Worker } from './types';
import type { AttemptRecord, PositionRecord } from './operations';

export interface AuditQuery {
  /** at >= from (epoch ms). */
  from?: number;
  /** at < to (epoch ms). */
  to?: number;
  /** `user:olga` exactly; a bare name (`olga`) matches it under any kind (`user:olga`, `worker:olga`, `contact:olga`). */
  actor?: string;
  actions?: string[];
  entity?: string;
  entityId?: string;
  /**
   * Only what concerns this customer organisation: entries about its records (alarms and their
   * escalations, sessions, workers, devices, sites, registry records, users) and entries its users
   * made. Entries about a record since deleted are no longer attributed to it.
   */
  organisationId?: string;
  /** Newest first; at most 1,000 per page (default 100). */
  limit?: number;
  offset?: number;
}

export interface AuditPage {
  entries: StoredAuditEntry[];
  total: number;
}

/**
 * Record kinds with a retention of their own: each a cutoff (epoch ms, older goes) or null (kept).
 * Open alarms, active sessions and anything an open alarm still needs are never purged.
 */
export interface RetentionCutoffs {
  positions: number | null;
  /** Device frames (their counters stay refused as stale). */
  events: number | null;
  /** Notifications: their delivery attempts, outbox rows and responder links. */
  notifications: number | null;
  /** Closed alarms, with their escalation, notifications and responder links (their audit entries follow `audit`). */
  alarms: number | null;
  /** Ended sessions no kept alarm refers to. */
  sessions: number | null;
  audit: number | null;
}

export type RetentionKind = keyof RetentionCutoffs;
export const RETENTION_KINDS: readonly RetentionKind[] = ['positions', 'events', 'notifications', 'alarms', 'sessions', 'audit'];

/** Cutoffs by kind (absent or null: kept) and, for expired logins and stream tickets, the time now. */
export type PurgeRequest = Partial<RetentionCutoffs> & { now?: number };

/** Rows deleted by one purge, by kind (plus expired logins and links). */
export type PurgeCounts = Record<RetentionKind | 'logins', number>;

/** Everything the centre holds about one worker (GDPR article 15), as the store has it. */
export interface WorkerData {
  workerId: string;
  /** The registry record; null once deleted (alarms and sessions may remain). */
  worker: Worker | null;
  /** The worker-app login: user name and when it was set (never the password hash). */
  appLogin: { username: string; createdAt: number; createdBy: string } | null;
  /** Phones signed in as the worker (no tokens). */
  appSessions: { via: string; createdAt: number; expiresAt: number }[];
  appActions: { at: number; action: string; deviceId: string | null }[];
  devices: { id: string; board: string; createdAt: number; lastSeenAt: number | null }[];
  sessions: Session[];
  alarms: Alarm[];
  positions: PositionRecord[];
  /** Messages sent to the worker (ladder steps at the worker, session reminders, operators' SMS). */
  notifications: { at: number; channel: string; to: string; subject: string; text: string; state: string; alarmId: string | null }[];
  attempts: (AttemptRecord & { seq: number })[];
  /** Entries about the worker, their alarms and sessions, and what they did themselves. */
  audit: StoredAuditEntry[];
}

/** What an erasure changed, by kind (the numbers only: the audit entry of the erasure carries them). */
export interface ErasureCounts {
  alarms: number;
  sessions: number;
  positions: number;
  events: number;
  notifications: number;
  attempts: number;
  responderLinks: number;
  audit: number;
  appRecords: number;
  devices: number;
  inputs: number;
  worker: number;
  /** Other people's records whose free text named the person (alarms, sessions, audit entries). */
  freeText: number;
}

export type ErasureResult =
  | { ok: true; counts: ErasureCounts }
  | { ok: false; code: 'open_alarm' | 'active_session'; message: string };

export interface ErasureRequest {
  workerId: string;
  at: number;
  /** The random name the person's alarm and session rows carry afterwards (one per erasure, linked to nothing). */
  pseudonym: string;
  /** The audit entry of the erasure, written in the same transaction (its data gets the counts). */
  audit: AuditEntry;
}

/** BS 8484-style answer times: of the person alarms raised, how many were acknowledged within each target. */
export interface AnswerFigures {
  /** Person alarms (SOS, fall, duress, …; not technical ones) raised in the period, cancelled pre-alarms not counted. */
  personAlarms: number;
  within30S: number;
  within60S: number;
  within180S: number;
}
