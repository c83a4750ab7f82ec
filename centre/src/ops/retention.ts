/**
 * Retention: how long each kind of record is kept (docs/centre.md "Retention"), turned into the
 * store's cutoffs and applied by the scheduler every hour (`retention` timer). The policy is resolved
 * per customer organisation (`retentionFor(config, tenantId)`): today every record has the centre's
 * policy; with tenants (issue 21 part 1) an organisation's own settings override it kind by kind, and
 * the purge runs once per organisation with its cutoffs.
 */
import type { Logger } from '../../../common/log';
import type { PurgeCounts, RetentionCutoffs, Store } from '../store/types';

const DAY = 86_400_000;

/** The `retention` section of the centre's config: days per record kind; null keeps that kind for ever. */
export interface RetentionConfig {
  positionsDays: number;
  eventsDays: number;
  /** Notifications: delivery attempts, outbox rows, responder links. */
  attemptsDays: number;
  /** InfluxDB's own retention policy (telemetry/influx.ts), not purged here. */
  telemetryDays: number;
  alarmsDays: number | null;
  sessionsDays: number | null;
  auditDays: number | null;
}

export type RetentionPolicy = Omit<RetentionConfig, 'telemetryDays'>;

/** The policy for one organisation's records; `tenantId` is where an organisation's override will apply. */
export function retentionFor(config: RetentionConfig, _tenantId?: string): RetentionPolicy {
  const { positionsDays, eventsDays, attemptsDays, alarmsDays, sessionsDays, auditDays } = config;
  return { positionsDays, eventsDays, attemptsDays, alarmsDays, sessionsDays, auditDays };
}

export function cutoffs(p: RetentionPolicy, now: number): RetentionCutoffs {
  const before = (days: number | null): number | null => (days === null ? null : now - days * DAY);
  return {
    positions: before(p.positionsDays), events: before(p.eventsDays), notifications: before(p.attemptsDays),
    alarms: before(p.alarmsDays), sessions: before(p.sessionsDays), audit: before(p.auditDays),
  };
}

/** One purge of every kind; failures are logged and reported (the next hour tries again), never thrown at the scheduler. */
export async function applyRetention(ctx: { store: Store; log: Logger; config: RetentionConfig }, now: number): Promise<PurgeCounts | undefined> {
  try {
    const n = await ctx.store.purge({ ...cutoffs(retentionFor(ctx.config), now), now });
    const app = await ctx.store.purgeApp(now - ctx.config.eventsDays * DAY, now);
    if (Object.values(n).some((v) => v > 0) || app > 0) ctx.log.info('retention purge', { ...n, app });
    return n;
  } catch (e) {
    ctx.log.error('retention purge failed', { error: e as Error });
    return undefined;
  }
}
