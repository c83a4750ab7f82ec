/**
 * The live stream (Server-Sent Events) for consoles: a one-time ticket (EventSource cannot send an
 * Authorization header), then `hello` with the server's clock (consoles show ages in the centre's
 * time, whatever the operator's PC clock says) and every live event the user's scope covers. A
 * comment line every 25 s keeps proxies from closing an idle stream and lets the console notice a
 * dead one. Consoles re-read open alarms after every reconnect, so nothing is lost between streams; a
 * stream is closed when the live hub reports a gap (a cluster worker's channel to the others was cut).
 */
import { publicUser } from '../auth';
import { scopeOf } from '../auth-scope';
import { positionVisible, sessionsFor } from '../privacy';
import type { LiveEvent } from '../live';
import type { ApiContext } from './api';
import { HttpError, reply, type Router } from './router';

export const PING_MS = 25_000;

export function registerStreamApi(router: Router, ctx: ApiContext): void {
  const { store, auth, live } = ctx;

  router.add('POST', '/api/stream/ticket', async (req) => reply(201, { ticket: await auth.issueTicket(req.user!) }), {
    auth: 'any', doc: { summary: 'A one-time ticket (30 s) for the live stream: EventSource cannot send an Authorization header', tags: ['stream'], status: 201, response: { type: 'object', properties: { ticket: { type: 'string' } } } },
  });

  router.add('GET', '/api/stream', async (req) => {
    const user = await auth.redeemTicket(req.query.get('ticket') ?? '');
    if (!user) throw new HttpError(401, 'unauthenticated', 'Ask /api/stream/ticket for a ticket first');
    const scope = await scopeOf({ user }, store);
    const res = req.res;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ user: publicUser(user), now: ctx.clock.now() })}\n\n`);
    const send = (e: LiveEvent): void => {
      if (!res.writableEnded) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    // Events about an alarm by id are checked against the stored alarm (in order, one after the other).
    let chain = Promise.resolve();
    const byAlarm = (e: LiveEvent, alarmId: string): void => {
      chain = chain.then(async () => {
        const a = await store.getAlarm(alarmId);
        if (a && scope.covers(a)) send(e);
      }).catch(() => undefined);
    };
    const unsubscribe = live.subscribe((e) => {
      if (scope.all) return send(e);
      switch (e.type) {
        case 'alarm':
          return chain = chain.then(() => (scope.covers(e.alarm) ? send(e) : undefined));
        case 'session':
          return chain = chain.then(async () => {
            if (!scope.covers(e.session)) return;
            const [session] = await sessionsFor(user, [e.session], store);
            send({ ...e, session } as LiveEvent);
          }).catch(() => undefined);
        case 'notification':
          return byAlarm(e, e.notification.alarmId);
        case 'attempt':
          return byAlarm(e, e.alarmId);
        case 'device':
          return chain = chain.then(async () => {
            const d = await store.getDevice(e.deviceId);
            if (d && scope.covers(d)) send(e);
          }).catch(() => undefined);
        case 'position':
          return chain = chain.then(async () => {
            if (await positionVisible(user, scope, e.position, store)) send(e);
          }).catch(() => undefined);
      }
    });
    // Events may have been missed (the cluster's channel was cut): the console reconnects and re-reads.
    const offGap = live.onGap?.(() => {
      if (!res.writableEnded) res.end();
    });
    const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
    req.raw.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      offGap?.();
    });
    return undefined;
  }, {
    doc: {
      summary: 'Live events (Server-Sent Events): hello (with the server clock), alarm, session, notification, attempt, device, position (the live map; supervisors: only during an alarm of the worker) — only those of your sites and teams', tags: ['stream'],
      query: { ticket: { description: 'From POST /api/stream/ticket', required: true } }, produces: 'text/event-stream', errors: { 401: 'No valid ticket' },
    },
  });
}
