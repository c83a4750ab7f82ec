/**
 * The live map (live-map.ts): where the workers the user may see are now — only what the privacy
 * rules allow (protected: a position of the protection running now; in an alarm: the alarm's;
 * supervisors: only during an alarm) — and the plans and zones of the user's sites. No trail.
 */
import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../../auth/scope';
import { liveMap } from '../../domain/live-map';
import { whereaboutsOnlyInAlarm } from '../../domain/privacy';
import type { RouteContext } from '../context';
import { workerStatuses } from './worker-status';

export function mapRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, config } = ctx;
  const silentAfterMs = config.supervision.heartbeatIntervalS * config.supervision.silentAfterHeartbeats * 1000;

  app.get('/api/console/map', {
    config: { auth: 'any' },
    schema: {
      summary: 'The live map: where the workers you may see are now (protected: positions taken during this protection; in an alarm: the alarm\'s; '
        + 'supervisors: only during an alarm), with the floor plans and zones of your sites; no trail', tags: ['console'],
      response: { 200: { type: 'object', properties: { now: { type: 'integer' }, workers: { type: 'array' }, sites: { type: 'array' }, plans: { type: 'array' }, zones: { type: 'array' } } } },
    },
  }, async (req) => {
    const scope = await scopeOf(req, store);
    const now = ctx.clock.now();
    const statuses = await workerStatuses({ store, sessions: ctx.sessions, positions: ctx.positions, now, silentAfterMs, scope, whereaboutsOnlyInAlarm: whereaboutsOnlyInAlarm(req.user) });
    return liveMap({ store, scope, now, statuses });
  });
}
