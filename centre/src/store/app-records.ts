/**
 * Records of the worker app (issue 11): a worker's own login (a worker is not a console user and
 * never gets a console token), one-time pairing codes an admin hands out as a link or QR code, the
 * phone logins they open, and the idempotency keys of what phones send — so an action a phone
 * retries after a lost answer is done once, and an alarm is never raised twice.
 */
import type { MessageType, PositionPayload } from '../../../protocol/src';

export interface WorkerCredential {
  workerId: string;
  /** Unique among worker logins (console users are a separate name space). */
  username: string;
  passwordHash: string;
  createdAt: number;
  createdBy: string;
}

/** A phone signed in as a worker: the bearer token is stored only as its SHA-256. */
export interface WorkerLogin {
  tokenHash: string;
  workerId: string;
  via: 'password' | 'pairing';
  createdAt: number;
  /** Sliding: pushed forward while the phone keeps using it. */
  expiresAt: number;
}

export interface PairingCode {
  codeHash: string;
  workerId: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  usedAt: number | null;
}

/** An action a phone sent with an idempotency key, and the answer it got. */
export interface AppAction {
  key: string;
  workerId: string;
  action: string;
  at: number;
  /** The device event it became (alarm actions), else null. */
  deviceId: string | null;
  counter: number | null;
  /** HTTP status and body of the answer, replayed for a retry (session actions). */
  status: number | null;
  response: unknown;
}

/** An event of the phone-as-a-device; the store assigns its counter. */
export interface AppEventInput {
  key: string;
  workerId: string;
  deviceId: string;
  type: MessageType;
  at: number;
  siteId: string;
  batteryPct: number | null;
  position: PositionPayload | null;
  /** Alarm type code for pre-alarms and cancels. */
  detail: number;
  /** Key of the event that opened the incident (the pre-alarm); absent = this event opens it. */
  incidentKey?: string;
  /** Alarm frames, pre-alarms and cancels: rules must complete (re-run after a crash). */
  mustHandle: boolean;
}

export type AppEventResult =
  | { verdict: 'new' | 'duplicate' | 'retry'; counter: number; ref: number }
  /** The key belongs to another worker or device. */
  | { verdict: 'foreign' }
  | { verdict: 'unknown_device' };
