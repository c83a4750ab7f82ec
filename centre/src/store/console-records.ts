/**
 * What the console and its reports keep and ask of the store: user scopes (a supervisor's sites and
 * teams), site floor plans, alarm searches and monthly statistics. Statistics are computed by the
 * store (one query per figure), so the SQLite and PostgreSQL stores give the same numbers for the
 * same rows (contract: test/web/console-store.test.ts).
 */
import type { AlarmState, AlarmType, ResolutionReason } from '../../../protocol/src';
import type { AnswerFigures } from './ops-records';

/** The sites and teams a supervisor (or a scoped read-only user) may see and act on. */
export interface UserScope {
  siteIds: string[];
  teamIds: string[];
}

/** A team of workers (a crew, a shift) under a supervisor; optionally bound to one site. */
export interface Team {
  organisationId?: string;
  id: string;
  name: string;
  siteId: string | null;
}

/** An image of one floor of a site; zone coordinates (metres) are placed on it by its size in metres. */
export interface FloorPlan {
  siteId: string;
  floor: string;
  contentType: string;
  /** Width and height of the drawing in metres: zone x (east) and y (north, from the bottom-left corner) map onto it. */
  widthM: number;
  heightM: number;
  bytes: number;
  updatedAt: number;
  updatedBy: string;
}

/**
 * Who may be seen: alarms of these sites OR of these workers (a team's workers may work on several
 * sites). Absent = everything.
 */
export interface StoreScope {
  siteIds: string[];
  workerIds: string[];
  /** Only this customer organisation's records (then siteIds/workerIds restrict further only when `sites`). */
  organisationId?: string;
  /** False: the organisation alone restricts (its admin, operators…); siteIds/workerIds are ignored. */
  sites?: boolean;
}

export interface AlarmSearch {
  /** createdAt >= from (epoch ms). */
  from?: number;
  /** createdAt < to (epoch ms). */
  to?: number;
  workerId?: string;
  siteId?: string;
  types?: AlarmType[];
  states?: AlarmState[];
  resolution?: ResolutionReason;
  /** Only this customer organisation's alarms (a filter; the scope's organisation restricts anyway). */
  organisationId?: string;
  scope?: StoreScope;
  /** Newest first; at most 1,000 per page (default 100). */
  limit?: number;
  offset?: number;
}

export interface AckFigures {
  /** Alarms acknowledged (by anyone) whose time to acknowledge is known. */
  acknowledged: number;
  /** Nearest-rank percentiles of acknowledgedAt − (raisedAt, else createdAt), seconds; null without data. */
  p50S: number | null;
  p95S: number | null;
}

export interface StatsGroup extends AckFigures {
  /** Alarms created in the period, cancelled pre-alarms not counted. */
  total: number;
  /** Pre-alarms the worker cancelled (not alarms, shown apart). */
  cancelled: number;
  /** Still open (pending, raised, acknowledged). */
  open: number;
  byResolution: Record<ResolutionReason, number>;
  /** Acknowledged within 30 s / 60 s / 3 min (BS 8484 style), of the person alarms. */
  answered: AnswerFigures;
}

export interface AlarmStats extends StatsGroup {
  from: number;
  to: number;
  byType: Partial<Record<AlarmType, StatsGroup>>;
  /** Per site (`null`: alarms without a site, e.g. a notification channel failing). */
  bySite: (StatsGroup & { siteId: string | null })[];
  /** Per customer organisation (issue 21 part 1). */
  byOrganisation: (StatsGroup & { organisationId: string })[];
}
