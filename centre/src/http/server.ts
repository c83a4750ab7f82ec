/**
 * The centre's HTTP server on fastify: the API (routes by audience in console/, app/, admin/,
 * reports/, responder.ts, account.ts), its OpenAPI document, and the web apps' files. What the routes
 * share is here or in the files beside it: bodies (body.ts), validation (validation.ts), logins, roles
 * and scope as route options (guards.ts), errors (errors.ts), the document (openapi.ts).
 *
 * Every request ends in an answer: a malformed URL or body is a 4xx, a failure a counted 500 — never
 * the process (common/process-guard.ts). A path the API knows with another method is a 405.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
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
  close(): Promise<void>;
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

export async function buildHttp(ctx: ApiContext, log: Logger): Promise<{ app: FastifyInstance; stop: () => void }> {
  const app = Fastify({
    logger: false, bodyLimit: MAX_JSON_BYTES, exposeHeadRoutes: false, return503OnClosing: true,
    // Node's own limits (fastify's defaults would let a slow client hold a request forever).
    requestTimeout: 300_000, keepAliveTimeout: 5000, forceCloseConnections: true,
    routerOptions: { querystringParser: firstValues, maxParamLength: 16_384 },
    frameworkErrors,
    clientErrorHandler: (_e: Error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    },
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
    // On the raw response, so that streams and files written directly carry it too.
    reply.raw.setHeader('x-content-type-options', 'nosniff');
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
  return { app, stop: stopApp };
}

export async function startHttp(ctx: ApiContext, host: string, port: number, log: Logger): Promise<HttpServer> {
  const { app, stop } = await buildHttp(ctx, log);
  await app.listen({ host, port });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: async () => {
      stop();
      await app.close();
    },
  };
}
