/**
 * The centre's REST API and live stream (SSE): logins, alarms and their timelines. Registry, sessions
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
import { registerEscalationApi } from './api-escalation';
import { registerRegistryApi } from './api-registry';
import { registerSessionApi } from './api-sessions';
import { HttpError, reply, type Router } from './router';

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
  const { store, auth, alarms, live } = ctx;

  router.add('GET', '/api/health', () => ({ ok: true, ...ctx.health() }));

  router.add('POST', '/api/login', async (req) => {
    const username = field(req.body, 'username');
    const password = field(req.body, 'password');
    if (typeof username !== 'string' || typeof password !== 'string') throw new HttpError(400, 'invalid', 'username and password are required');
    if (auth.limited(req.clientKey, username)) throw new HttpError(429, 'too_many_attempts', 'Too many failed logins; wait a few minutes');
    const result = await auth.login(req.clientKey, username, password);
    if (!result) throw new HttpError(401, 'bad_credentials', 'Wrong user name or password');
    return result;
  });

  router.add('POST', '/api/logout', async (req) => {
    await auth.logout(req.token!);
    return undefined;
  }, { auth: 'any' });

  router.add('GET', '/api/me', (req) => publicUser(req.user!), { auth: 'any' });

  const views = async (list: Alarm[]) => {
    const workers = new Map((await store.listWorkers()).map((w) => [w.id, w]));
    const now = ctx.clock.now();
    return Promise.all(list.map(async (a) => alarmView(a, a.workerId ? workers.get(a.workerId) : undefined, await ctx.positions.describe(a.position ?? null), now)));
  };

  /** `?state=open` (default) or `all`; `?number=1042` finds the alarm a caller quotes; `?siteId=`. */
  router.add('GET', '/api/alarms', async (req) => {
    const number = req.query.get('number');
    if (number !== null) {
      const a = await store.getAlarmByNumber(number);
      return { alarms: await views(a ? [a] : []) };
    }
    const state = req.query.get('state') ?? 'open';
    const siteId = req.query.get('siteId') ?? undefined;
    const list = await store.listAlarms({ ...(state === 'all' ? {} : { states: ['pending', 'raised', 'acknowledged'] }), ...(siteId ? { siteId } : {}) });
    return { alarms: await views(list) };
  }, { auth: 'any' });

  /** The alarm with its lifecycle timeline (audit), every notification attempt and answer, and its escalation with its own timeline. */
  router.add('GET', '/api/alarms/:id', async (req) => {
    const alarm = await store.getAlarm(req.params['id']!);
    if (!alarm) throw new HttpError(404, 'not_found', `Unknown alarm '${req.params['id']}'`);
    const [view] = await views([alarm]);
    const esc = await store.getEscalationByAlarm(alarm.id);
    return {
      alarm: view,
      timeline: await store.listAudit('alarm', alarm.id),
      attempts: await store.listAttempts(alarm.id),
      escalation: esc ? { timeline: await store.listAudit('escalation', alarm.id), state: esc.state, phase: esc.phase, step: esc.step, round: esc.round, nextAt: esc.nextAt, steps: esc.steps.map(({ name, channel, role, timeoutS }) => ({ name, channel, role, timeoutS })), broadcast: esc.broadcast.map(({ name, channel, role }) => ({ name, channel, role })) } : null,
      session: alarm.sessionId ? await store.getWorkSession(alarm.sessionId) : null,
    };
  }, { auth: 'any' });

  router.add('POST', '/api/alarms/:id/acknowledge', async (req) => {
    const r = await alarms.acknowledge(req.params['id']!, `user:${req.user!.username}`);
    if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : 409, r.code, r.message);
    return { alarm: r.alarm };
  }, { auth: OPERATORS });

  router.add('POST', '/api/alarms/:id/resolve', async (req) => {
    const r = await alarms.resolve(req.params['id']!, `user:${req.user!.username}`, field(req.body, 'reason'), field(req.body, 'comment'));
    if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : r.code === 'invalid' ? 400 : 409, r.code, r.message);
    return { alarm: r.alarm };
  }, { auth: OPERATORS });

  router.add('POST', '/api/stream/ticket', async (req) => reply(201, { ticket: await auth.issueTicket(req.user!) }), { auth: 'any' });

  router.add('GET', '/api/stream', async (req) => {
    const user = await auth.redeemTicket(req.query.get('ticket') ?? '');
    if (!user) throw new HttpError(401, 'unauthenticated', 'Ask /api/stream/ticket for a ticket first');
    const res = req.res;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`event: hello\ndata: ${JSON.stringify({ user: publicUser(user) })}\n\n`);
    const unsubscribe = live.subscribe((e) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
    return undefined;
  });

  registerRegistryApi(router, ctx);
  registerSessionApi(router, ctx);
  registerEscalationApi(router, ctx);
}
