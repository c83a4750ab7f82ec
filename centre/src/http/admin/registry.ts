/**
 * The registry: sites, workers, teams, contacts, ladders, zones, beacons, wired inputs and gateways
 * (devices: devices.ts; users: users.ts). Reading needs a login and shows what the user's scope
 * covers; changing needs the admin role. Bodies are validated with the schemas of registry/schemas.ts
 * (the same ones `vigil centre import` uses), every error named by path; references between records
 * are checked by registry/admin.ts, and a delete is refused while another record refers to it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { scopeOf } from '../../auth/scope';
import type { AdminResult } from '../../registry/admin';
import { REGISTRY_SCHEMAS } from '../../registry/schemas';
import type { JsonSchema } from '../../../../common/schema';
import type { EntityKind, EntityMap } from '../../store/types';
import { entitySite } from '../../store/types';
import { actorOf, ADMIN, organisationOf, type RouteContext } from '../context';
import { HttpError } from '../errors';
import type { VisibleKind } from '../guards';
import { listOf, params, query, ref } from '../openapi';

type Kind = Exclude<EntityKind, 'gateway'>;
type ComponentName = 'Site' | 'Worker' | 'Team' | 'Contact' | 'Ladder' | 'Zone' | 'Beacon' | 'Input';

/** An admin action's answer: the record (201 when created), or its refusal by code. */
export function unwrap<T>(r: AdminResult<T>): T {
  if (r.ok) return r.value;
  throw new HttpError(r.code === 'invalid' ? 400 : r.code === 'not_found' ? 404 : 409, r.code, r.message);
}

/** The path names the record: its parameters go into the body before it is validated (`PUT /api/sites/:id`). */
export const pathIntoBody = async (req: FastifyRequest): Promise<void> => {
  req.body = { ...(req.body as object), ...(req.params as object) };
};

const ID = params({ id: 'Its id' });
const SITE_QUERY = query({ siteId: { type: 'string', description: 'Only this site (and the records of every site)' } });

/** A kind of record as the API serves it: five routes (list, one, create, change, delete) from one row. */
interface Collection {
  plural: string;
  component: ComponentName;
  visible: VisibleKind;
  summaries: { list: string; one: string; create: string; change: string | null; remove: string };
  body: JsonSchema;
  /** The records the request's user may see (`?siteId=` where the kind has sites). */
  list(req: FastifyRequest<{ Querystring: { siteId?: string } }>): Promise<unknown[]>;
  put(body: unknown, actor: string, org: string | null): Promise<AdminResult<unknown>>;
  remove: Kind | 'site' | 'worker';
}

const KINDS: [Kind, string, ComponentName, string][] = [
  ['team', 'teams', 'Team', 'teams of workers (a supervisor sees the sites and teams of their scope)'],
  ['contact', 'contacts', 'Contact', 'contacts (people and services called in an escalation)'],
  ['ladder', 'ladders', 'Ladder', 'escalation ladders'],
  ['zone', 'zones', 'Zone', 'zones of the site plans'],
  ['beacon', 'beacons', 'Beacon', 'BLE beacons (each places a pendant in a zone)'],
  ['input', 'inputs', 'Input', 'wired inputs (panic buttons on gateways; id = site/gateway/input, URL-encoded)'],
];

export function registryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, admin } = ctx;

  const serve = (c: Collection): void => {
    const { plural, component } = c;
    app.get<{ Querystring: { siteId?: string } }>(`/api/${plural}`, {
      config: { auth: 'any' },
      schema: { summary: c.summaries.list, ...(c.visible === 'site' || c.visible === 'worker' ? {} : { querystring: SITE_QUERY }), response: { 200: listOf(plural, ref(component)) } },
    }, async (req) => ({ [plural]: await c.list(req) }));
    app.get(`/api/${plural}/:id`, {
      config: { auth: 'any', visible: c.visible }, schema: { summary: c.summaries.one, params: ID, response: { 200: ref(component) } },
    }, async (req) => req.found.site ?? req.found.worker ?? req.found.record);
    app.post(`/api/${plural}`, {
      config: { auth: ADMIN }, schema: { summary: c.summaries.create, body: c.body, response: { 201: ref(component) } },
    }, async (req, reply) => {
      const value = unwrap(await c.put(req.body, actorOf(req), organisationOf(req)));
      void reply.code(201);
      return value;
    });
    if (c.summaries.change) {
      app.put(`/api/${plural}/:id`, {
        config: { auth: ADMIN }, preValidation: pathIntoBody, schema: { summary: c.summaries.change, params: ID, body: c.body, response: { 200: ref(component) } },
      }, async (req) => unwrap(await c.put(req.body, actorOf(req), organisationOf(req))));
    }
    app.delete<{ Params: { id: string } }>(`/api/${plural}/:id`, {
      config: { auth: ADMIN }, schema: { summary: c.summaries.remove, params: ID, response: { 409: 'Still in use' } },
    }, async (req) => void unwrap(await admin.remove(c.remove, req.params.id, actorOf(req), organisationOf(req))));
  };

  // Sites and workers: a supervisor sees those of their sites and teams.
  serve({
    plural: 'sites', component: 'Site', visible: 'site', body: REGISTRY_SCHEMAS.site, remove: 'site',
    summaries: {
      list: 'Sites (yours, for a supervisor)', one: 'One site', create: 'Create a site (or replace one with this id)', change: 'Change a site',
      remove: 'Delete a site (refused while workers or devices belong to it)',
    },
    list: async (req) => {
      const sites = await store.listSites();
      const visible = (await scopeOf(req, store)).visibleSites(await store.listWorkers(), sites);
      return sites.filter((s) => visible(s.id));
    },
    put: (body, actor, org) => admin.putSite(body, actor, org),
  });
  serve({
    plural: 'workers', component: 'Worker', visible: 'worker', body: REGISTRY_SCHEMAS.worker, remove: 'worker',
    summaries: {
      list: 'Workers (of your sites and teams, for a supervisor)', one: 'One worker', create: 'Create a worker', change: 'Change a worker',
      remove: 'Delete a worker (refused while a device is assigned)',
    },
    list: async (req) => {
      const scope = await scopeOf(req, store);
      return (await store.listWorkers()).filter((w) => scope.worker(w.id));
    },
    put: (body, actor, org) => admin.putWorker(body, actor, org),
  });
  // Teams: those of the scope and of its sites; other records: those of its sites and of every site.
  for (const [kind, plural, component, what] of KINDS) {
    serve({
      plural, component, visible: kind, body: REGISTRY_SCHEMAS[kind], remove: kind,
      summaries: {
        list: `List ${what}`, one: `One of the ${what}`, create: `Create one of the ${what} (or replace the one with this id)`,
        change: kind === 'input' ? null : `Change one of the ${what}`, remove: `Delete one of the ${what} (refused while another record refers to it)`,
      },
      list: async (req) => {
        const scope = await scopeOf(req, store);
        const records = await store.listEntities(kind, req.query.siteId ? { siteId: req.query.siteId } : {});
        return records.filter((r) => (kind === 'team' ? scope.team(r as EntityMap['team']) : scope.record(entitySite(kind, r), r)));
      },
      put: (body, actor, org) => admin.put(kind, body, actor, org),
    });
  }

  const GATEWAY = params({ siteId: 'Site id', gatewayId: 'Gateway id' });
  app.get<{ Querystring: { siteId?: string } }>('/api/gateways', {
    config: { auth: 'any' }, schema: { summary: 'Gateways with their liveness', querystring: SITE_QUERY, response: { 200: listOf('gateways', ref('Gateway')) } },
  }, async (req) => {
    const scope = await scopeOf(req, store);
    const gateways = await store.listEntities('gateway', req.query.siteId ? { siteId: req.query.siteId } : {});
    return { gateways: gateways.filter((g) => scope.site(g.siteId)) };
  });
  app.put('/api/gateways/:siteId/:gatewayId', {
    config: { auth: ADMIN }, preValidation: pathIntoBody,
    schema: { summary: 'Name a gateway', params: GATEWAY, body: REGISTRY_SCHEMAS.gateway, response: { 200: ref('Gateway') } },
  }, async (req) => unwrap(await admin.putGateway(req.body, actorOf(req), organisationOf(req))));
  app.delete<{ Params: { siteId: string; gatewayId: string } }>('/api/gateways/:siteId/:gatewayId', {
    config: { auth: ADMIN }, schema: { summary: 'Forget a gateway', params: GATEWAY },
  }, async (req) => void unwrap(await admin.remove('gateway', `${req.params.siteId}/${req.params.gatewayId}`, actorOf(req), organisationOf(req))));
}
