/**
 * The operator screen in one call — open alarms, workers with their status (worker-status.ts), the
 * sites and teams to filter by, the server's clock — and the console's settings: map tiles, whether
 * SMS can be sent through the centre, the supervision periods. All within the user's scope.
 */
import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../../auth/scope';
import { whereaboutsOnlyInAlarm } from '../../domain/privacy';
import { alarmView } from '../../domain/views';
import type { RouteContext } from '../context';
import { arrayOf, ref } from '../openapi';
import { workerStatuses } from './worker-status';

const OPEN = ['pending', 'raised', 'acknowledged'] as const;

export function overviewRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, config } = ctx;
  const sup = config.supervision;
  const silentAfterMs = sup.heartbeatIntervalS * sup.silentAfterHeartbeats * 1000;
  const tags = ['console'];

  app.get('/api/console/overview', {
    config: { auth: 'any' },
    schema: {
      summary: 'The operator screen in one call: open alarms (most urgent first), workers with status (alarm, pending, silent, protected, off), '
        + 'battery, last seen and position age, sites and teams — all within your scope', tags,
      response: {
        200: {
          type: 'object',
          properties: {
            now: { type: 'integer', description: 'Server clock, epoch ms' }, alarms: arrayOf(ref('AlarmView')), workers: { type: 'array' }, sites: arrayOf(ref('Site')),
            teams: arrayOf(ref('Team')),
          },
        },
      },
    },
  }, async (req) => {
    const scope = await scopeOf(req, store);
    const now = ctx.clock.now();
    const workersAll = await store.listWorkers();
    const siteVisible = scope.visibleSites(workersAll);
    const open = (await store.listAlarms({ states: [...OPEN], limit: 10_000 })).filter((a) => scope.covers(a));
    const byId = new Map(workersAll.map((w) => [w.id, w]));
    const alarms = await Promise.all(open.map(async (a) => alarmView(a, a.workerId ? byId.get(a.workerId) : undefined, await ctx.positions.describe(a.position ?? null), now)));
    return {
      now,
      alarms,
      workers: await workerStatuses({
        store, sessions: ctx.sessions, positions: ctx.positions, now, silentAfterMs, scope, openAlarms: open, whereaboutsOnlyInAlarm: whereaboutsOnlyInAlarm(req.user),
      }),
      sites: (await store.listSites()).filter((s) => siteVisible(s.id)),
      teams: (await store.listEntities('team')).filter((t) => scope.team(t)),
    };
  });

  app.get('/api/console/settings', {
    config: { auth: 'any' },
    schema: { summary: 'Console settings: map tiles (none = a grid with a scale), whether SMS can be sent through the centre, supervision periods, the key browsers subscribe to alerts with (null: no alerts)', tags, response: { 200: { type: 'object' } } },
  }, async () => ({
    now: ctx.clock.now(),
    map: { tileUrl: config.console.tileUrl, attribution: config.console.tileAttribution, maxZoom: config.console.tileMaxZoom },
    sms: ctx.outbox.channels().has('sms'),
    heartbeatIntervalS: sup.heartbeatIntervalS,
    silentAfterS: silentAfterMs / 1000,
    push: ctx.push ? { publicKey: ctx.push.publicKey } : null,
  }));
}
