/**
 * The centre's REST API: logins, alarms and their timelines. The live stream is in api-console-stream.ts; registry, sessions
 * and escalation routes are in api-registry.ts, api-sessions.ts and api-escalation.ts.
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { AlarmService } from '../alarms';
import type { Auth } from '../auth';
import { publicUser } from '../auth';
import type { EscalationEngine } from '../escalation/engine';
import type { ResponderTokens } from '../escalation/tokens';
import type { LiveHub } from '../live';
import type { Notifier } from '../notify/types';
import type { Positions } from '../positions';
import type { Registry } from '../registry';
import type { RegistryAdmin } from '../registry-admin';
import type { SessionService } from '../sessions';
import type { Alarm, Store } from '../store/types';
import { alarmView } from '../views';
import { scopeOf } from '../auth-scope';
import { registerStreamApi } from './api-console-stream';
import { registerEscalationApi } from './api-escalation';
import { registerRegistryApi } from './api-registry';
import { registerSessionApi } from './api-sessions';
import { arrayOf, listOf, ref, registerOpenApi } from './openapi';
import { type ApiRequest, HttpError, type Router } from './router';

export const OPERATORS = ['admin', 'supervisor', 'operator'] as const;

export interface ApiContext {
  store: Store;
  auth: Auth;
  alarms: AlarmService;
  live: LiveHub;
  log: Logger;
  clock: Clock;
  sessions: SessionService;
  admin: RegistryAdmin;
  registry: Registry;
  escalation: EscalationEngine;
  tokens: ResponderTokens;
  positions: Positions;
  notifiers: Notifier[];
  /** A device was re-assigned or removed: caches forget it at once. */
  devicesChanged: (deviceId: string) => void;
  health: () => Record<string, unknown>;
}

export function field(body: unknown, name: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

export function registerApi(router: Router, ctx: ApiContext): void {
  const { store, auth, alarms } = ctx;

  router.add('GET', '/api/health', () => ({ ok: true, ...ctx.health() }), {
    doc: { summary: 'Health: MQTT connection, ingest and outbox counters, timers, notification channels', tags: ['meta'], response: { type: 'object' } },
  });

  router.add('POST', '/api/login', async (req) => {
    const username = field(req.body, 'username');
    const password = field(req.body, 'password');
    if (typeof username !== 'string' || typeof password !== 'string') throw new HttpError(400, 'invalid', 'username and password are required');
    if (auth.limited(req.clientKey, username)) throw new HttpError(429, 'too_many_attempts', 'Too many failed logins; wait a few minutes');
    const result = await auth.login(req.clientKey, username, password);
    if (!result) throw new HttpError(401, 'bad_credentials', 'Wrong user name or password');
    return result;
  }, {
    doc: {
      summary: 'Log in: a bearer token for the Authorization header (never a cookie, so no cross-site request can use it)', tags: ['auth'],
      body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } },
      response: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'integer' }, user: ref('User') } },
      errors: { 401: 'Wrong user name or password', 429: 'Too many failed logins from this client or for this user name' },
    },
  });

  router.add('POST', '/api/logout', async (req) => {
    await auth.logout(req.token!);
    return undefined;
  }, { auth: 'any', doc: { summary: 'Log out: the token stops working at once', tags: ['auth'] } });

  router.add('GET', '/api/me', (req) => publicUser(req.user!), { auth: 'any', doc: { summary: 'Who is logged in', tags: ['auth'], response: ref('User') } });

  /** The alarm, if it exists and the user's scope covers it (else a 404 that reveals nothing). */
  const visibleAlarm = async (req: ApiRequest): Promise<Alarm> => {
    const alarm = await store.getAlarm(req.params['id']!);
    if (!alarm || !(await scopeOf(req, store)).covers(alarm)) throw new HttpError(404, 'not_found', `Unknown alarm '${req.params['id']}'`);
    return alarm;
  };

  const views = async (list: Alarm[]) => {
    const workers = new Map((await store.listWorkers()).map((w) => [w.id, w]));
    const now = ctx.clock.now();
    return Promise.all(list.map(async (a) => alarmView(a, a.workerId ? workers.get(a.workerId) : undefined, await ctx.positions.describe(a.position ?? null), now)));
  };

  /** `?state=open` (default) or `all`; `?number=1042` finds the alarm a caller quotes; `?siteId=`. */
  router.add('GET', '/api/alarms', async (req) => {
    const scope = await scopeOf(req, store);
    const number = req.query.get('number');
    if (number !== null) {
      const a = await store.getAlarmByNumber(number);
      return { alarms: await views(a && scope.covers(a) ? [a] : []) };
    }
    const state = req.query.get('state') ?? 'open';
    const siteId = req.query.get('siteId') ?? undefined;
    const list = await store.listAlarms({ ...(state === 'all' ? {} : { states: ['pending', 'raised', 'acknowledged'] }), ...(siteId ? { siteId } : {}) });
    return { alarms: await views(list.filter((a) => scope.covers(a))) };
  }, {
    auth: 'any',
    doc: {
      summary: 'Alarms (open by default), most urgent first: priority, then age', response: listOf('alarms', ref('AlarmView')),
      query: { state: { description: '`open` (default) or `all`', schema: { enum: ['open', 'all'] } }, siteId: { description: 'Only this site' }, number: { description: 'The alarm with this short number' } },
    },
  });

  /** The alarm with its lifecycle timeline (audit), every notification attempt and answer, and its escalation with its own timeline. */
  router.add('GET', '/api/alarms/:id', async (req) => {
    const alarm = await visibleAlarm(req);
    const [view] = await views([alarm]);
    const esc = await store.getEscalationByAlarm(alarm.id);
    return {
      alarm: view,
      timeline: await store.listAudit('alarm', alarm.id),
      attempts: await store.listAttempts(alarm.id),
      escalation: esc ? { timeline: await store.listAudit('escalation', alarm.id), state: esc.state, phase: esc.phase, step: esc.step, round: esc.round, nextAt: esc.nextAt, steps: esc.steps.map(({ name, channel, role, timeoutS }) => ({ name, channel, role, timeoutS })), broadcast: esc.broadcast.map(({ name, channel, role }) => ({ name, channel, role })) } : null,
      session: alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : null,
    };
  }, {
    auth: 'any',
    doc: {
      summary: 'One alarm: its lifecycle timeline (audit), every notification attempt and answer, its escalation, its session', params: { id: 'Alarm id' },
      response: { type: 'object', properties: { alarm: ref('AlarmView'), timeline: arrayOf(ref('AuditEntry')), attempts: arrayOf(ref('Attempt')), escalation: { type: ['object', 'null'] }, session: { anyOf: [ref('Session'), { type: 'null' }] } } },
    },
  });

  router.add('POST', '/api/alarms/:id/acknowledge', async (req) => {
    const r = await alarms.acknowledge((await visibleAlarm(req)).id, `user:${req.user!.username}`);
    if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : 409, r.code, r.message);
    return { alarm: r.alarm };
  }, { auth: OPERATORS, doc: { summary: 'Acknowledge: "I am handling it" (first acknowledgement wins; the pendant shows help is coming)', params: { id: 'Alarm id' }, response: { type: 'object', properties: { alarm: ref('Alarm') } }, errors: { 409: 'Already acknowledged or closed' } } });

  router.add('POST', '/api/alarms/:id/resolve', async (req) => {
    const r = await alarms.resolve((await visibleAlarm(req)).id, `user:${req.user!.username}`, field(req.body, 'reason'), field(req.body, 'comment'));
    if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : r.code === 'invalid' ? 400 : 409, r.code, r.message);
    return { alarm: r.alarm };
  }, {
    auth: OPERATORS,
    doc: {
      summary: 'Resolve (close) with a reason and a comment — both required', params: { id: 'Alarm id' },
      body: { type: 'object', required: ['reason', 'comment'], properties: { reason: { enum: ['false_alarm', 'genuine', 'dispatched', 'test'] }, comment: { type: 'string', minLength: 1, description: 'Not blank' } } },
      response: { type: 'object', properties: { alarm: ref('Alarm') } }, errors: { 409: 'Already closed' },
    },
  });

  registerStreamApi(router, ctx);
  registerRegistryApi(router, ctx);
  registerSessionApi(router, ctx);
  registerEscalationApi(router, ctx);
  registerOpenApi(router, { title: 'Vigil centre API', version: '1', description: 'Monitoring-centre API: alarms, workers, sessions, registry, users, reports. Roles per route in `x-roles`.' });
}
