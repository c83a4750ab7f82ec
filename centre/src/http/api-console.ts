/**
 * The console's own API: the operator screen in one call (open alarms, workers with their status,
 * the sites and teams to filter by, the server's clock), the console's settings (map tiles, whether
 * SMS can be sent through the centre), operators' notes on an alarm's timeline, and an SMS to the
 * worker through the centre's modem — refused for a duress alarm (never contact the worker).
 * Floor plans: api-console-plans.ts; history and statistics: api-reports.ts; users: api-users.ts.
 */
import type { ResolvedCentreConfig } from '../config';
import { scopeOf } from '../auth-scope';
import { whereaboutsOnlyInAlarm } from '../privacy';
import type { Outbox } from '../escalation/outbox';
import { type Alarm, WORKER_CONTACT } from '../store/types';
import { alarmView } from '../views';
import type { ApiContext } from './api';
import { OPERATORS } from './api';
import { workerStatuses } from './api-console-overview';
import { registerPlansApi } from './api-console-plans';
import { registerReportsApi } from './api-reports';
import { registerUsersApi } from './api-users';
import { arrayOf, ref } from './openapi';
import { type ApiRequest, HttpError, reply, type Router } from './router';

export interface ConsoleApiExtras {
  config: ResolvedCentreConfig;
  outbox: Outbox;
}

const TEXT = { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 1000 } } };
const OPEN = ['pending', 'raised', 'acknowledged'] as const;

export function registerConsoleApi(router: Router, ctx: ApiContext, extras: ConsoleApiExtras): void {
  const { store } = ctx;
  const { config, outbox } = extras;
  const sup = config.supervision;
  const silentAfterMs = sup.heartbeatIntervalS * sup.silentAfterHeartbeats * 1000;
  const tags = ['console'];

  const visibleAlarm = async (req: ApiRequest): Promise<Alarm> => {
    const alarm = await store.getAlarm(req.params['id']!);
    if (!alarm || !(await scopeOf(req, store)).covers(alarm)) throw new HttpError(404, 'not_found', `Unknown alarm '${req.params['id']}'`);
    return alarm;
  };
  const textOf = (body: unknown): string => {
    const t = body && typeof body === 'object' ? (body as { text?: unknown }).text : undefined;
    if (typeof t !== 'string' || !t.trim()) throw new HttpError(400, 'invalid', 'text: is required');
    if (t.length > 1000) throw new HttpError(400, 'invalid', 'text: at most 1000 characters');
    return t.trim();
  };

  router.add('GET', '/api/console/overview', async (req) => {
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
      workers: await workerStatuses({ store, sessions: ctx.sessions, positions: ctx.positions, now, silentAfterMs, scope, openAlarms: open, whereaboutsOnlyInAlarm: whereaboutsOnlyInAlarm(req.user) }),
      sites: (await store.listSites()).filter((s) => siteVisible(s.id)),
      teams: (await store.listEntities('team')).filter((t) => scope.team(t)),
    };
  }, {
    auth: 'any',
    doc: {
      summary: 'The operator screen in one call: open alarms (most urgent first), workers with status (alarm, pending, silent, protected, off), battery, last seen and position age, sites and teams — all within your scope', tags,
      response: { type: 'object', properties: { now: { type: 'integer', description: 'Server clock, epoch ms' }, alarms: arrayOf(ref('AlarmView')), workers: { type: 'array' }, sites: arrayOf(ref('Site')), teams: arrayOf(ref('Team')) } },
    },
  });

  router.add('GET', '/api/console/settings', () => ({
    now: ctx.clock.now(),
    map: { tileUrl: config.console.tileUrl, attribution: config.console.tileAttribution, maxZoom: config.console.tileMaxZoom },
    sms: outbox.channels().has('sms'),
    heartbeatIntervalS: sup.heartbeatIntervalS,
    silentAfterS: silentAfterMs / 1000,
  }), { auth: 'any', doc: { summary: 'Console settings: map tiles (none = a grid with a scale), whether SMS can be sent through the centre, supervision periods', tags, response: { type: 'object' } } });

  router.add('POST', '/api/alarms/:id/notes', async (req) => {
    const alarm = await visibleAlarm(req);
    const text = textOf(req.body);
    await store.appendAudit({ at: ctx.clock.now(), actor: `user:${req.user!.username}`, action: 'note', entity: 'alarm', entityId: alarm.id, data: { text } });
    return reply(201, { ok: true });
  }, { auth: OPERATORS, doc: { summary: 'Write a note on the alarm\'s timeline ("called the worker: no answer")', params: { id: 'Alarm id' }, body: TEXT, status: 201, response: { type: 'object' } } });

  router.add('POST', '/api/alarms/:id/sms', async (req) => {
    const alarm = await visibleAlarm(req);
    const text = textOf(req.body);
    if (alarm.type === 'duress') throw new HttpError(409, 'duress', 'Duress alarm: never contact the worker');
    if (!outbox.channels().has('sms')) throw new HttpError(409, 'no_sms', 'No SMS modem is configured on the centre');
    const session = alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : undefined;
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    const to = session?.phone ?? worker?.phone;
    if (!to) throw new HttpError(409, 'no_phone', 'No phone number is known for this worker');
    // Not linked to the alarm in the outbox, so a reply is not taken as the worker accepting their own alarm.
    await outbox.enqueue([outbox.message({ channel: 'sms', to, contactName: worker?.name ?? 'worker', contactId: WORKER_CONTACT, data: { workerId: alarm.workerId }, subject: `Alarm ${alarm.number}`, text, priority: alarm.priority })]);
    await store.appendAudit({ at: ctx.clock.now(), actor: `user:${req.user!.username}`, action: 'sms_to_worker', entity: 'alarm', entityId: alarm.id, data: { to, text } });
    return reply(202, { queued: true, to });
  }, {
    auth: OPERATORS,
    doc: { summary: 'Send the worker an SMS through the centre\'s modem (refused for duress)', params: { id: 'Alarm id' }, body: TEXT, status: 202, response: { type: 'object' }, errors: { 409: 'Duress alarm, no SMS modem, or no phone number' } },
  });

  registerPlansApi(router, ctx);
  registerReportsApi(router, ctx);
  registerUsersApi(router, ctx);
}
