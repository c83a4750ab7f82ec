/**
 * Reports repository: the console's alarm history (searches) and monthly statistics. Percentiles are
 * nearest-rank over the exact durations, computed here from the same columns on both engines, so
 * SQLite and PostgreSQL give the same figures for the same rows. Every figure is computed per group
 * by the same function (`group`): the whole period, each type, each site — a grouping by customer
 * organisation (issue 21 part 1) is one more key.
 */
import { sql } from 'kysely';
import { ALARM_TYPES, RESOLUTION_REASONS, type ResolutionReason } from '../../../../protocol/src';
import type { Engine, Q } from '../engine';
import { toAlarm } from './alarms';
import type { AckFigures, Alarm, AlarmSearch, AlarmStats, AnswerFigures, StatsGroup, StoreScope } from '../types';

const OPEN = new Set(['pending', 'raised', 'acknowledged']);
const PERSON = new Set<string>(ALARM_TYPES.filter((t) => t.kind === 'person').map((t) => t.name));
/** BS 8484-style targets: acknowledged within 30 s, 60 s, 3 min of being raised (at most, inclusive). */
export const ANSWER_TARGETS_S = [30, 60, 180] as const;

/** Nearest-rank percentile (q in 0..1) of sorted values, rounded to a tenth of a second. */
export function percentile(sortedS: number[], q: number): number | null {
  if (sortedS.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sortedS.length));
  return Math.round(sortedS[rank - 1]! * 10) / 10;
}

interface StatRow {
  organisationId: string;
  type: string;
  state: string;
  siteId: string | null;
  resolution: string | null;
  ackMs: number | null;
}

function group(rows: StatRow[]): StatsGroup {
  const byResolution = Object.fromEntries(RESOLUTION_REASONS.map((r) => [r, 0])) as Record<ResolutionReason, number>;
  const g = { total: 0, cancelled: 0, open: 0, byResolution };
  const acks: number[] = [];
  const answered: AnswerFigures = { personAlarms: 0, within30S: 0, within60S: 0, within180S: 0 };
  for (const r of rows) {
    if (r.state === 'cancelled') {
      g.cancelled++;
      continue;
    }
    g.total++;
    if (OPEN.has(r.state)) g.open++;
    if (r.resolution) g.byResolution[r.resolution as ResolutionReason]++;
    const ackS = r.ackMs === null ? null : Math.max(0, Number(r.ackMs)) / 1000;
    if (ackS !== null) acks.push(ackS);
    // Answer times are the person alarms' (BS 8484 counts lone-worker activations); one never acknowledged misses every target.
    if (!PERSON.has(r.type)) continue;
    answered.personAlarms++;
    if (ackS !== null && ackS <= 30) answered.within30S++;
    if (ackS !== null && ackS <= 60) answered.within60S++;
    if (ackS !== null && ackS <= 180) answered.within180S++;
  }
  acks.sort((a, b) => a - b);
  const ack: AckFigures = { acknowledged: acks.length, p50S: percentile(acks, 0.5), p95S: percentile(acks, 0.95) };
  return { ...g, ...ack, answered };
}

/** The alarms a search selects (no order, no page). */
function searched(q: Q, s: AlarmSearch) {
  return q.selectFrom('alarms')
    .$if(s.from !== undefined, (x) => x.where('createdAt', '>=', s.from!))
    .$if(s.to !== undefined, (x) => x.where('createdAt', '<', s.to!))
    .$if(!!s.workerId, (x) => x.where('workerId', '=', s.workerId!))
    .$if(!!s.siteId, (x) => x.where('siteId', '=', s.siteId!))
    .$if(!!s.types?.length, (x) => x.where('type', 'in', s.types!))
    .$if(!!s.states?.length, (x) => x.where('state', 'in', s.states!))
    .$if(!!s.resolution, (x) => x.where('resolution', '=', s.resolution!))
    .$if(!!s.organisationId, (x) => x.where('organisationId', '=', s.organisationId!))
    .$if(s.scope?.organisationId !== undefined, (x) => x.where('organisationId', '=', s.scope!.organisationId!))
    .$if(s.scope !== undefined && s.scope.sites !== false, (x) => x.where((w) => {
      const parts = [
        ...(s.scope!.siteIds.length ? [w('siteId', 'in', s.scope!.siteIds)] : []),
        ...(s.scope!.workerIds.length ? [w('workerId', 'in', s.scope!.workerIds)] : []),
      ];
      return parts.length ? w.or(parts) : sql<boolean>`1 = 0`;
    }));
}

export function reportRepository(e: Engine) {
  const { db } = e;
  return {
    /** Alarms by creation time, worker, site, type, state, resolution and scope; newest first, with the total. */
    searchAlarms: async (s: AlarmSearch): Promise<{ alarms: Alarm[]; total: number }> => {
      const { n } = await searched(db, s).select((x) => x.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const limit = Math.min(1000, Math.max(1, s.limit ?? 100));
      const rows = await searched(db, s).selectAll().orderBy('createdAt', 'desc').orderBy('number', 'desc').limit(limit).offset(Math.max(0, s.offset ?? 0)).execute();
      return { alarms: rows.map(toAlarm), total: Number(n) };
    },
    /** Counts by type, resolution and site, and time-to-acknowledge percentiles, of the alarms created in [from, to). */
    alarmStats: async (s: { from: number; to: number; siteId?: string; organisationId?: string; scope?: StoreScope }): Promise<AlarmStats> => {
      const rows: StatRow[] = await searched(db, s).select(['organisationId', 'type', 'state', 'siteId', 'resolution',
        sql<number | null>`CASE WHEN acknowledged_at IS NULL THEN NULL ELSE acknowledged_at - COALESCE(raised_at, created_at) END`.as('ackMs')]).execute();
      const by = <K>(key: (r: StatRow) => K): Map<K, StatRow[]> => {
        const m = new Map<K, StatRow[]>();
        for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
        return m;
      };
      // types by name, sites by count (no site last)
      const byType = Object.fromEntries([...by((r) => r.type)].sort(([a], [b]) => a.localeCompare(b)).map(([t, rs]) => [t, group(rs)]));
      const bySite = [...by((r) => r.siteId)].map(([siteId, rs]) => ({ siteId, ...group(rs) }))
        .sort((a, b) => Number(a.siteId === null) - Number(b.siteId === null) || b.total - a.total || String(a.siteId).localeCompare(String(b.siteId)));
      const byOrganisation = [...by((r) => r.organisationId)].map(([organisationId, rs]) => ({ organisationId, ...group(rs) }))
        .sort((a, b) => a.organisationId.localeCompare(b.organisationId));
      return { from: s.from, to: s.to, ...group(rows), byType, bySite, byOrganisation };
    },
  };
}
