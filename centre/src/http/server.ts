/**
 * The centre's HTTP server on fastify: the API (routes by audience in console/, app/, admin/,
 * reports/, responder.ts, account.ts), its OpenAPI document, and the web apps' files. What the routes
 * share is here or in the files beside it: bodies (body.ts), validation (validation.ts), logins, roles
 * and scope as route options (guards.ts), errors (errors.ts), the document (openapi.ts).
 *
 * Every request ends in an answer: a malformed URL or body is a 4xx, a failure a counted 500 — never
 * the process (common/process-guard.ts). A path the API knows with another method is a 405.
 * Every answer carries the security headers (security-headers.ts) and is counted by status
 * (`/api/health`'s `http`); the server speaks HTTPS when given a certificate (docs/security.md).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Counters } from '../../../common/counters';
import type { Logger } from '../../../common/log';
import { PhoneDevices } from '../app/phone';
import { WorkerAuth } from '../auth/worker-auth';
import { Rules } from '../domain/rules';
import { accountRoutes } from './account';
import { adminRoutes } from './admin';
import { appRoutes } from './app';
import { installBodyParsers, MAX_JSON_BYTES } from './body';
import { consoleRoutes } from './console';
import type { ApiContext, RouteContext } from './context';
import { errorHandler, frameworkErrors, sendError } from './errors';
import { installGuards } from './guards';
import { registerOpenApi } from './openapi';
import { reportRoutes } from './reports';
import { responderRoutes } from './responder';
import { serveWebApps } from './static';
import { serializerCompiler, validatorCompiler } from './validation';

export interface HttpServer {
  port: number;
  /** Answers by status (`200`, `404`…), and requests Node could not read (`unreadable`): /api/health's `http`. */
  counters: Counters;
  close(): Promise<void>;
}

export interface HttpOptions {
  /** Set on every answer (security-headers.ts); `x-content-type-options: nosniff` alone when absent. */
  headers?: Record<string, string>;
  /** Serve HTTPS with this certificate chain and key (PEM). */
  tls?: { cert: Buffer; key: Buffer };
}

/** `?a=1&a=2` reads as `a=1`, as URLSearchParams.get did: a value is never an array. */
function firstValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) if (!(k in out)) out[k] = v;
  return out;
}

/** Whether the API knows the path under other methods only (`PUT /api/alarms`: 405). */
function otherMethodsOnly(app: FastifyInstance): (method: string, path: string) => boolean {
  const api: { methods: string[]; re: RegExp }[] = [];
  app.addHook('onRoute', (r) => {
    if (!r.schema?.hide) api.push({ methods: [r.method].flat(), re: new RegExp(`^${r.url.replace(/:\w+/g, '[^/]+')}$`) });
  });
  return (method, path) => {
    const routes = api.filter((r) => r.re.test(path));
    return routes.length > 0 && !routes.some((r) => r.methods.includes(method));
  };
}

export async function buildHttp(ctx: ApiContext, log: Logger, opts: HttpOptions = {}): Promise<{ app: FastifyInstance; stop: () => void; counters: Counters }> {
  const headers = Object.entries(opts.headers ?? { 'x-content-type-options': 'nosniff' });
  const counters = new Counters();
  // fastify's type for an HTTPS instance differs only in the server's class; the routes are the same.
  const app = (Fastify as (o: object) => FastifyInstance)({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    logger: false, bodyLimit: MAX_JSON_BYTES, exposeHeadRoutes: false, return503OnClosing: true,
    // Node's own limits (fastify's defaults would let a slow client hold a request forever).
    requestTimeout: 300_000, keepAliveTimeout: 5000, forceCloseConnections: true,
    routerOptions: { querystringParser: firstValues, maxParamLength: 16_384 },
    frameworkErrors,
    clientErrorHandler: (_e: Error, socket: Socket) => {
      counters.inc('unreadable');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    },
  });
  // Before fastify's own listener, so that every answer — a bad URL answered before any hook, a
  // stream or file written on the raw response — carries the headers and is counted.
  app.server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of headers) res.setHeader(k, v);
    res.once('finish', () => counters.inc(String(res.statusCode)));
  });
  // `Expect:` other than 100-continue: Node would answer 417 on its own, uncounted and bare.
  app.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of headers) res.setHeader(k, v);
    res.once('finish', () => counters.inc('417'));
    res.writeHead(417, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'expectation_failed', message: 'Only Expect: 100-continue is understood' } }));
  });
  // A CONNECT (proxy tunnel) request is no request for us; without an answer Node would just drop the connection.
  // Its socket has left the HTTP server, whose close would wait for it: it is ended with the server.
  const tunnels = new Set<Socket>();
  app.addHook('preClose', async () => tunnels.forEach((s) => s.destroy()));
  app.server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    counters.inc('405');
    const body = JSON.stringify({ error: { code: 'method_not_allowed', message: 'CONNECT is not served' } });
    const extra = headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\n${extra}connection: close\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(log));
  installBodyParsers(app);

  const rules = new Rules({ alarms: ctx.alarms, sessions: ctx.sessions, supervision: ctx.supervision, positions: ctx.positions });
  const workers = new WorkerAuth({ store: ctx.store, clock: ctx.clock });
  const phones = new PhoneDevices({ store: ctx.store, clock: ctx.clock, log: log.child('phone'), rules, ...(ctx.ownership ? { ownership: ctx.ownership } : {}) });
  const routes: RouteContext = { ...ctx, workers, phones };
  const notAllowed = otherMethodsOnly(app);
  installGuards(app, routes);

  app.addHook('onRequest', async (req, reply) => {
    // `/api/alarms/` is not `/api/alarms/:id` with an empty id.
    if (Object.entries(req.params as Record<string, string>).some(([k, v]) => v === '' && k !== '*')) return reply.callNotFound();
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    // A handler that returns nothing answers 204; answers are not cached unless they say so (files).
    if (payload === undefined && reply.statusCode === 200) reply.code(204);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    if (notAllowed(req.method, path)) sendError(reply, { status: 405, code: 'method_not_allowed', message: `${req.method} is not allowed on ${path}` });
    else sendError(reply, { status: 404, code: 'not_found', message: 'Not found' });
  });

  await registerOpenApi(app, { title: 'Vigil centre API', version: '1', description: 'Monitoring-centre API: alarms, workers, sessions, registry, users, reports. Roles per route in `x-roles`.' });
  accountRoutes(app, routes);
  consoleRoutes(app, routes);
  reportRoutes(app, routes);
  adminRoutes(app, routes);
  const stopApp = appRoutes(app, routes);
  responderRoutes(app, routes);
  await serveWebApps(app);
  await app.ready();
  return { app, stop: stopApp, counters };
}

export async function startHttp(ctx: ApiContext, host: string, port: number, log: Logger, opts: HttpOptions = {}): Promise<HttpServer> {
  const { app, stop, counters } = await buildHttp(ctx, log, opts);
  await app.listen({ host, port });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    counters,
    close: async () => {
      stop();
      await app.close();
    },
  };
}
