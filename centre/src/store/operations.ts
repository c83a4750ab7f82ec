/**
 * Records of what the centre is doing: sessions, escalations, the notification outbox and its
 * attempts, responder tokens and positions. Every timer of the centre is derived from one of these
 * rows (a planned end, a next check-in, an escalation's next step), so rebuilding the timers after a
 * restart is reading them back (domain/scheduler.ts).
 */
import type { Channel } from '../notify/types';

export interface CallListEntry {
  name: string;
  phone?: string;
  email?: string;
}

export type SessionKind = 'protection' | 'timed';
export type SessionState = 'active' | 'stopped' | 'expired';

export interface Session {
  /** The customer organisation (the worker's, set by the store when absent). */
  organisationId?: string;
  id: string;
  /** One active session per owner: the worker id, or `device:<id>` for a pendant without a worker. */
  owner: string;
  workerId: string | null;
  deviceId: string | null;
  siteId: string | null;
  kind: SessionKind;
  state: SessionState;
  startedAt: number;
  startedBy: string;
  /** Timed sessions only. */
  plannedEndAt: number | null;
  reminderBeforeS: number;
  reminderSentAt: number | null;
  /** Periodic check-ins (null: none). */
  checkInIntervalS: number | null;
  checkInGraceS: number;
  /** When the next check-in prompt is due. */
  nextCheckInAt: number | null;
  /** Set while a prompt waits for its confirmation (deadline = this + grace). */
  checkInPromptedAt: number | null;
  lastCheckInAt: number | null;
  note: string | null;
  /** The worker's phone for this session (else the worker's registered phone). */
  phone: string | null;
  /** Called first, in this order, if the session ends in an alarm. */
  callList: CallListEntry[];
  endedAt: number | null;
  endedBy: string | null;
  updatedAt: number;
}

export interface SessionFilter {
  states?: SessionState[];
  workerId?: string;
  siteId?: string;
  limit?: number;
}

/** One resolved step of an escalation: who, how, and how long to wait for an answer. */
export interface EscalationTarget {
  /** Stable within the escalation: responder tokens and reply matching use it. */
  key: string;
  contactId: string | null;
  name: string;
  role: 'emergency' | 'call_list' | 'worker' | 'ladder' | 'fallback' | 'supervisor' | 'console';
  channel: Channel;
  address: string;
  timeoutS: number;
  /** The recipient's language as planned (the contact's, or the worker's for the worker and their call list); absent on old rows. */
  language?: string | null;
}

export type EscalationState = 'running' | 'stopped' | 'done';
export type EscalationPhase = 'ladder' | 'broadcast';

export interface Escalation {
  id: string;
  alarmId: string;
  siteId: string | null;
  state: EscalationState;
  phase: EscalationPhase;
  /** Ladder steps, in order (the plan is fixed when the alarm is raised). */
  steps: EscalationTarget[];
  /** Everyone alerted, every round, once the steps are exhausted. */
  broadcast: EscalationTarget[];
  /** Current step index (ladder phase). */
  step: number;
  /** Broadcast rounds sent so far. */
  round: number;
  /** Whether broadcast rounds repeat until acknowledged (person alarms) or run once (technical). */
  repeat: boolean;
  nextAt: number | null;
  /** Bumped by every update: the condition of the next one (two timers or two workers never both advance). */
  version: number;
  startedAt: number;
  updatedAt: number;
  endedAt: number | null;
  endReason: string | null;
  /**
   * Whose rules and timers run it in a cluster: the partition key of its alarm (the device, else the
   * alarm's subject; domain/partition.ts). Null on rows written before the scale-out issue.
   */
  partition?: string | null;
}

export type OutboxState = 'pending' | 'sending' | 'sent' | 'delivered' | 'failed' | 'cancelled';

export interface OutboxMessage {
  id: string;
  alarmId: string | null;
  alarmNumber: string | null;
  escalationId: string | null;
  /** Ladder step index or broadcast round (negative), for the timeline. */
  step: number | null;
  targetKey: string | null;
  channel: Channel;
  to: string;
  contactId: string | null;
  contactName: string;
  subject: string;
  text: string;
  link: string | null;
  /** Structured summary for machine receivers (webhooks). */
  data: Record<string, unknown> | null;
  /** Alarm priority: duress goes out first. */
  priority: number;
  state: OutboxState;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number;
  claimedBy: string | null;
  claimedUntil: number | null;
  createdAt: number;
  sentAt: number | null;
  detail: string | null;
}

export type NewOutboxMessage = Omit<OutboxMessage, 'state' | 'attempts' | 'claimedBy' | 'claimedUntil' | 'sentAt' | 'detail'>;

export interface OutboxCompletion {
  state: 'sent' | 'delivered' | 'failed' | 'pending';
  at: number;
  detail?: string;
  /** For state 'pending' (retry): when. */
  nextAttemptAt?: number;
}

export type AttemptStatus = 'sent' | 'delivered' | 'accepted' | 'rejected' | 'no_answer' | 'failed' | 'skipped' | 'cancelled';

/** The append-only record of every notification attempt and answer. */
export interface AttemptRecord {
  at: number;
  notificationId: string | null;
  alarmId: string | null;
  channel: Channel;
  to: string;
  contactName: string;
  status: AttemptStatus;
  detail: string | null;
}

export interface ResponderToken {
  tokenHash: string;
  alarmId: string;
  targetKey: string;
  contactName: string;
  channel: Channel;
  address: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface PositionRecord {
  deviceId: string;
  workerId: string | null;
  /** When the position was true (receive time minus the beacon's age). */
  at: number;
  kind: 'gps' | 'beacon';
  lat: number | null;
  lon: number | null;
  beaconId: string | null;
  zoneId: string | null;
  rssiDbm: number | null;
}
