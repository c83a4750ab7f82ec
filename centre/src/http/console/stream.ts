/**
 * The live stream (Server-Sent Events) for consoles: a one-time ticket (EventSource cannot send an
 * Authorization header), then `hello` with the server's clock (consoles show ages in the centre's
 * time, whatever the operator's PC clock says) and every live event the user's scope covers. A
 * comment line every 25 s keeps proxies from closing an idle stream and lets the console notice a
 * dead one. Consoles re-read open alarms after every reconnect, so nothing is lost between streams; a
 * stream is closed when the live hub reports a gap (a cluster worker's channel to the others was cut).
 */
import type { FastifyInstance } from 'fastify';
import { publicUser } from '../../auth/auth';
import { scopeOf } from '../../auth/scope';
import type { LiveEvent } from '../../domain/live';
import { positionVisible, sessionsFor } from '../../domain/privacy';
import type { RouteContext } from '../context';
import { HttpError } from '../errors';
import { produces, query } from '../openapi';

export const PING_MS = 25_000;
const tags = ['stream'];

export function streamRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, auth, live } = ctx;

  app.post('/api/stream/ticket', {
    config: { auth: 'any' },
    schema: {
      summary: 'A one-time ticket (30 s) for the live stream: EventSource cannot send an Authorization header', tags,
      response: { 201: { type: 'object', properties: { ticket: { type: 'string' } } } },
    },
  }, async (req, reply) => {
    void reply.code(201);
    return { ticket: await auth.issueTicket(req.user!) };
  });

  app.get<{ Querystring: { ticket?: string } }>('/api/stream', {
    schema: {
      summary: 'Live events (Server-Sent Events): hello (with the server clock), alarm, session, notification, attempt, device, position (the live map; '
        + 'supervisors: only during an alarm of the worker) — only those of your sites and teams', tags,
      // Without a ticket (or with a used one) the answer is the same 401.
      querystring: query({ ticket: { type: 'string', description: 'From POST /api/stream/ticket (required)' } }),
      response: { 200: produces('text/event-stream'), 401: 'No valid ticket' },
    },
  }, async (req, reply) => {
    const user = await auth.redeemTicket(req.query.ticket ?? '');
    if (!user) throw new HttpError(401, 'unauthenticated', 'Ask /api/stream/ticket for a ticket first');
    const scope = await scopeOf({ user }, store);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ user: publicUser(user), now: ctx.clock.now() })}\n\n`);
    const send = (e: LiveEvent): void => {
      if (!res.writableEnded) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    // Events are checked against the stored records in order, one after the other.
    let chain = Promise.resolve();
    const then = (check: () => Promise<LiveEvent | undefined> | LiveEvent | undefined): void => {
      chain = chain.then(async () => {
        const e = await check();
        if (e) send(e);
      }).catch(() => undefined);
    };
    const ifAlarm = (e: LiveEvent, alarmId: string) => async () => {
      const a = await store.getAlarm(alarmId);
      return a && scope.covers(a) ? e : undefined;
    };
    const unsubscribe = live.subscribe((e) => {
      if (scope.all) return send(e);
      switch (e.type) {
        case 'alarm':
          return then(() => (scope.covers(e.alarm) ? e : undefined));
        case 'session':
          return then(async () => {
            if (!scope.covers(e.session)) return undefined;
            const [session] = await sessionsFor(user, [e.session], store);
            return { ...e, session } as LiveEvent;
          });
        case 'notification':
          return then(ifAlarm(e, e.notification.alarmId));
        case 'attempt':
          return then(ifAlarm(e, e.alarmId));
        case 'device':
          return then(async () => {
            const d = await store.getDevice(e.deviceId);
            return d && scope.covers(d) ? e : undefined;
          });
        case 'position':
          return then(async () => ((await positionVisible(user, scope, e.position, store)) ? e : undefined));
      }
    });
    // Events may have been missed (the cluster's channel was cut): the console reconnects and re-reads.
    const offGap = live.onGap?.(() => {
      if (!res.writableEnded) res.end();
    });
    const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
    res.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      offGap?.();
    });
  });
}
