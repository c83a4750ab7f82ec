/**
 * Who may call a route, and what it may see, are route options turned into hooks when the route is
 * registered (never code repeated in handlers):
 *
 * - `config.auth`: console roles (`['admin']`, `OPERATORS`), `'any'` logged-in user, or `'worker'`
 *   (a worker-app token). A console login is checked when the request arrives, before its body is
 *   read (401, then 403); a worker's after the body is read, before it is validated.
 * - `config.visible`: the record named by `:id` (an alarm, a session, a worker, a site, a device, a
 *   registry record) is loaded before validation, within the user's sites and teams
 *   (centre/src/auth/scope.ts); outside them it is the same plain 404 as a record that does not exist.
 * - `config.upload`: a raw body (a floor plan image) — its media types checked before it is read,
 *   its own size limit.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { WorkerPrincipal } from '../auth/worker-auth';
import { scopeOf } from '../auth/scope';
import type { Alarm, DeviceRecord, EntityKind, EntityMap, Session, Site, Team, User, UserRole, Worker } from '../store/types';
import { entitySite } from '../store/types';
import type { RouteContext } from './context';
import { HttpError } from './errors';

export type Access = readonly UserRole[] | 'any' | 'worker';
export type VisibleKind = 'alarm' | 'session' | 'worker' | 'site' | 'device' | Exclude<EntityKind, 'gateway'>;

export interface Found {
  alarm?: Alarm;
  session?: Session;
  worker?: Worker;
  site?: Site;
  device?: DeviceRecord;
  record?: EntityMap[EntityKind];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: Access;
    visible?: VisibleKind;
    upload?: { types: readonly string[]; maxBytes: number };
  }
  interface FastifyRequest {
    /** The console user of the bearer token (routes with a console `auth`). */
    user: User | undefined;
    token: string | undefined;
    /** The signed-in worker of a worker-app route. */
    signedIn: { worker: Worker; principal: WorkerPrincipal } | undefined;
    /** The record the path names (routes with `visible`). */
    found: Found;
    /** The body as received: a webhook's signature covers it; an upload is it. */
    rawBody: Buffer | undefined;
  }
}

export function bearer(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

async function find(ctx: RouteContext, req: FastifyRequest, kind: VisibleKind, id: string): Promise<Found | undefined> {
  const { store } = ctx;
  const scope = await scopeOf(req, store);
  switch (kind) {
    case 'alarm': {
      const alarm = await store.getAlarm(id);
      return alarm && scope.covers(alarm) ? { alarm } : undefined;
    }
    case 'session': {
      const session = await store.getWorkSession(id);
      return session && scope.covers(session) ? { session } : undefined;
    }
    case 'worker': {
      const worker = await store.getWorker(id);
      return worker && scope.worker(worker.id) ? { worker } : undefined;
    }
    case 'site': {
      const site = await store.getSite(id);
      return site && scope.visibleSites(await store.listWorkers(), [site])(id) ? { site } : undefined;
    }
    case 'device': {
      const device = await store.getDevice(id);
      return device && scope.covers(device) ? { device } : undefined;
    }
    case 'team':
    case 'contact':
    case 'ladder':
    case 'zone':
    case 'beacon':
    case 'input': {
      // Teams: those of the scope and of its sites; other records: those of its sites and of every site.
      const record = await store.getEntity(kind, id);
      if (!record) return undefined;
      return (kind === 'team' ? scope.team(record as Team) : scope.record(entitySite(kind, record), record)) ? { record } : undefined;
    }
  }
}

const asList = <T>(h: T | T[] | undefined): T[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);

/** Installs the hooks of every route registered after it (call before the routes). */
export function installGuards(app: FastifyInstance, ctx: RouteContext): void {
  app.decorateRequest('user', undefined);
  app.decorateRequest('token', undefined);
  app.decorateRequest('signedIn', undefined);
  app.decorateRequest('found', null as unknown as Found);
  app.decorateRequest('rawBody', undefined);

  app.addHook('onRoute', (route: RouteOptions) => {
    const { auth, visible, upload } = route.config ?? {};
    const onRequest = asList(route.onRequest);
    const preParsing = asList(route.preParsing);
    const preValidation = asList(route.preValidation);

    if (auth && auth !== 'worker') {
      onRequest.push(async (req: FastifyRequest) => {
        req.token = bearer(req);
        req.user = req.token ? await ctx.auth.authenticate(req.token) : undefined;
        if (!req.user) throw new HttpError(401, 'unauthenticated', 'Log in first');
        if (auth !== 'any' && !auth.includes(req.user.role)) throw new HttpError(403, 'forbidden', `Your role (${req.user.role}) may not do this`);
      });
    }
    if (upload) {
      route.bodyLimit = upload.maxBytes;
      preParsing.push(async (req: FastifyRequest) => {
        const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!upload.types.includes(type)) throw new HttpError(415, 'unsupported_media_type', `Send one of ${upload.types.join(', ')}`);
      });
    }
    const checks = [];
    if (auth === 'worker') {
      checks.push(async (req: FastifyRequest) => {
        const principal = await ctx.workers.authenticate(bearer(req));
        const worker = principal ? await ctx.store.getWorker(principal.workerId) : undefined;
        if (!principal || !worker) throw new HttpError(401, 'unauthenticated', 'Sign in to the worker app first');
        req.signedIn = { worker, principal };
      });
    }
    if (visible) {
      checks.push(async (req: FastifyRequest) => {
        const id = (req.params as Record<string, string>)['id']!;
        const found = await find(ctx, req, visible, id);
        if (!found) throw new HttpError(404, 'not_found', `Unknown ${visible} '${id}'`);
        req.found = found;
      });
    }
    if (onRequest.length) route.onRequest = onRequest;
    if (preParsing.length) route.preParsing = preParsing;
    // The route's own checks (merging path parameters into the body) run after these.
    if (checks.length || preValidation.length) route.preValidation = [...checks, ...preValidation];
  });
}
