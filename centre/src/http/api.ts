/** The centre's REST API and live stream (SSE). */
import type { Logger } from '../../../common/log';
import type { AlarmService } from '../alarms';
import type { Auth } from '../auth';
import { publicUser } from '../auth';
import type { LiveHub } from '../live';
import type { Store } from '../store/types';
import { alarmView } from '../views';
import { HttpError, reply, type Router } from './router';

const OPERATORS = ['admin', 'supervisor', 'operator'] as const;

export interface ApiContext {
  store: Store;
  auth: Auth;
  alarms: AlarmService;
  live: LiveHub;
  log: Logger;
  health: () => Record<string, unknown>;
}

function str(body: unknown, name: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

export function registerApi(router: Router, ctx: ApiContext): void {
  const { store, auth, alarms, live } = ctx;

  router.add('GET', '/api/health', () => ({ ok: true, ...ctx.health() }));

  router.add('POST', '/api/login', async (req) => {
    const username = str(req.body, 'username');
    const password = str(req.body, 'password');
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

  router.add('GET', '/api/alarms', async (req) => {
    const state = req.query.get('state') ?? 'open';
    const list = await store.listAlarms(state === 'all' ? {} : { states: ['pending', 'raised', 'acknowledged'] });
    const workers = new Map((await store.listWorkers()).map((w) => [w.id, w]));
    return { alarms: list.map((a) => alarmView(a, a.workerId ? workers.get(a.workerId) : undefined)) };
  }, { auth: 'any' });

  router.add('GET', '/api/alarms/:id', async (req) => {
    const alarm = await store.getAlarm(req.params['id']!);
    if (!alarm) throw new HttpError(404, 'not_found', `Unknown alarm '${req.params['id']}'`);
    const worker = alarm.workerId ? await store.getWorker(alarm.workerId) : undefined;
    return { alarm: alarmView(alarm, worker), timeline: await store.listAudit('alarm', alarm.id) };
  }, { auth: 'any' });

  router.add('POST', '/api/alarms/:id/acknowledge', async (req) => {
    const r = await alarms.acknowledge(req.params['id']!, `user:${req.user!.username}`);
    if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : 409, r.code, r.message);
    return { alarm: r.alarm };
  }, { auth: OPERATORS });

  router.add('POST', '/api/alarms/:id/resolve', async (req) => {
    const r = await alarms.resolve(req.params['id']!, `user:${req.user!.username}`, str(req.body, 'reason'), str(req.body, 'comment'));
    if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : r.code === 'invalid' ? 400 : 409, r.code, r.message);
    return { alarm: r.alarm };
  }, { auth: OPERATORS });

  router.add('POST', '/api/stream/ticket', (req) => reply(201, { ticket: auth.issueTicket(req.user!) }), { auth: 'any' });

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
}
