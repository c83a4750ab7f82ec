/**
 * Registry API: sites, workers, devices (provisioning returns the key and the settings line once),
 * teams, contacts, ladders, zones, beacons, gateways, wired inputs (users: api-users.ts). Reading needs a login; changing
 * needs the admin role. Bodies are validated by registry-schemas.ts, every error reported by path.
 */
import { scopeOf } from '../auth-scope';
import { RegistryError } from '../registry';
import type { AdminResult } from '../registry-admin';
import { REGISTRY_SCHEMAS } from '../registry-schemas';
import type { BoardKind, EntityKind, EntityMap } from '../store/types';
import { entitySite } from '../store/types';
import { check } from '../../../common/schema';
import type { ApiContext } from './api';
import { listOf, ref } from './openapi';
import { type ApiRequest, HttpError, reply, type Router } from './router';

const ADMIN = ['admin'] as const;

export function unwrap<T>(r: AdminResult<T>, created = false): unknown {
  if (r.ok) return created ? reply(201, r.value) : r.value;
  throw new HttpError(r.code === 'invalid' ? 400 : r.code === 'not_found' ? 404 : 409, r.code, r.message);
}

/** A delete: 204 when done, the error otherwise. */
function removed(r: AdminResult<null>): undefined {
  unwrap(r);
  return undefined;
}

function notFound(what: string, id: string): never {
  throw new HttpError(404, 'not_found', `Unknown ${what} '${id}'`);
}

export function registerRegistryApi(router: Router, ctx: ApiContext): void {
  const { store, admin } = ctx;
  const actor = (req: { user?: { username: string } | undefined }): string => `user:${req.user!.username}`;

  const id = { id: 'Its id' };
  const siteFilter = async (req: ApiRequest) => (await scopeOf(req, store)).visibleSites(await store.listWorkers());
  router.add('GET', '/api/sites', async (req) => {
    const visible = await siteFilter(req);
    return { sites: (await store.listSites()).filter((s) => visible(s.id)) };
  }, { auth: 'any', doc: { summary: 'Sites (yours, for a supervisor)', response: listOf('sites', ref('Site')) } });
  router.add('GET', '/api/sites/:id', async (req) => {
    const site = await store.getSite(req.params['id']!);
    return site && (await siteFilter(req))(site.id) ? site : notFound('site', req.params['id']!);
  }, { auth: 'any', doc: { summary: 'One site', params: id, response: ref('Site') } });
  router.add('POST', '/api/sites', async (req) => unwrap(await admin.putSite(req.body, actor(req)), true), { auth: ADMIN, doc: { summary: 'Create a site (or replace one with this id)', body: REGISTRY_SCHEMAS.site, status: 201, response: ref('Site') } });
  router.add('PUT', '/api/sites/:id', async (req) => unwrap(await admin.putSite({ ...(req.body as object), id: req.params['id'] }, actor(req))), { auth: ADMIN, doc: { summary: 'Change a site', params: id, body: REGISTRY_SCHEMAS.site, response: ref('Site') } });
  router.add('DELETE', '/api/sites/:id', async (req) => removed(await admin.remove('site', req.params['id']!, actor(req))), { auth: ADMIN, doc: { summary: 'Delete a site (refused while workers or devices belong to it)', params: id, errors: { 409: 'Still in use' } } });

  router.add('GET', '/api/workers', async (req) => {
    const scope = await scopeOf(req, store);
    return { workers: (await store.listWorkers()).filter((w) => scope.worker(w.id)) };
  }, { auth: 'any', doc: { summary: 'Workers (of your sites and teams, for a supervisor)', response: listOf('workers', ref('Worker')) } });
  router.add('GET', '/api/workers/:id', async (req) => {
    const w = await store.getWorker(req.params['id']!);
    return w && (await scopeOf(req, store)).worker(w.id) ? w : notFound('worker', req.params['id']!);
  }, { auth: 'any', doc: { summary: 'One worker', params: id, response: ref('Worker') } });
  router.add('POST', '/api/workers', async (req) => unwrap(await admin.putWorker(req.body, actor(req)), true), { auth: ADMIN, doc: { summary: 'Create a worker', body: REGISTRY_SCHEMAS.worker, status: 201, response: ref('Worker') } });
  router.add('PUT', '/api/workers/:id', async (req) => unwrap(await admin.putWorker({ ...(req.body as object), id: req.params['id'] }, actor(req))), { auth: ADMIN, doc: { summary: 'Change a worker', params: id, body: REGISTRY_SCHEMAS.worker, response: ref('Worker') } });
  router.add('DELETE', '/api/workers/:id', async (req) => removed(await admin.remove('worker', req.params['id']!, actor(req))), { auth: ADMIN, doc: { summary: 'Delete a worker (refused while a device is assigned)', params: id, errors: { 409: 'Still in use' } } });

  // Devices: keys are shown once, at provisioning; listings never carry them.
  const publicDevice = <T extends { key: string }>(d: T): Omit<T, 'key'> => Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'key')) as Omit<T, 'key'>;
  router.add('GET', '/api/devices', async (req) => {
    const scope = await scopeOf(req, store);
    return { devices: (await store.listDevices()).filter((d) => scope.covers(d)).map(publicDevice) };
  }, { auth: 'any', doc: { summary: 'Devices (pendants, phones), without their keys', response: listOf('devices', ref('Device')) } });
  router.add('GET', '/api/devices/:id', async (req) => {
    const d = await store.getDevice(req.params['id']!);
    return d && (await scopeOf(req, store)).covers(d) ? publicDevice(d) : notFound('device', req.params['id']!);
  }, { auth: 'any', doc: { summary: 'One device, without its key', params: id, response: ref('Device') } });
  router.add('POST', '/api/devices', async (req) => {
    const v = check<{ board: BoardKind; workerId: string | null; siteId: string | null; deviceId?: string; key?: string }>(REGISTRY_SCHEMAS.deviceNew, structuredClone(req.body));
    if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
    try {
      const r = await ctx.registry.provision(v.value);
      return reply(201, r);
    } catch (e) {
      if (e instanceof RegistryError) throw new HttpError(e.code === 'duplicate_device' ? 409 : e.code === 'invalid' ? 400 : 404, e.code, e.message);
      throw e;
    }
  }, {
    auth: ADMIN,
    doc: {
      summary: 'Provision a device: creates its id and key and answers them with the settings line — shown this once, never again', body: REGISTRY_SCHEMAS.deviceNew, status: 201,
      response: { type: 'object', properties: { device: { type: 'object', description: 'With its key, this once' }, settings: { type: 'string', description: 'The settings line for the pendant (docs/firmware.md)' } } }, errors: { 409: 'Device id taken' },
    },
  });
  router.add('PUT', '/api/devices/:id', async (req) => {
    const id = req.params['id']!;
    const v = check<{ workerId: string | null; siteId: string | null }>(REGISTRY_SCHEMAS.device, structuredClone(req.body));
    if (!v.ok) throw new HttpError(400, 'invalid', `Invalid: ${v.errors.join('; ')}`);
    const before = (await store.getDevice(id)) ?? notFound('device', id);
    if (v.value.workerId && !(await store.getWorker(v.value.workerId))) notFound('worker', v.value.workerId);
    if (v.value.siteId && !(await store.getSite(v.value.siteId))) notFound('site', v.value.siteId);
    const d = await store.updateDevice(id, v.value);
    ctx.devicesChanged(id);
    await store.appendAudit({ at: ctx.clock.now(), actor: actor(req), action: 'device_assigned', entity: 'device', entityId: id, data: v.value });
    for (const site of new Set([before.siteId, v.value.siteId])) if (site) await ctx.registry.publishKeyring(site);
    return publicDevice(d!);
  }, { auth: ADMIN, doc: { summary: 'Assign a device to a worker and site (the gateways get the new keyring)', params: id, body: REGISTRY_SCHEMAS.device, response: ref('Device') } });
  router.add('DELETE', '/api/devices/:id', async (req) => {
    const id = req.params['id']!;
    const d = (await store.getDevice(id)) ?? notFound('device', id);
    await store.deleteDevice(id);
    ctx.devicesChanged(id);
    await store.appendAudit({ at: ctx.clock.now(), actor: actor(req), action: 'device_decommissioned', entity: 'device', entityId: id });
    if (d.siteId) await ctx.registry.publishKeyring(d.siteId);
    return undefined;
  }, { auth: ADMIN, doc: { summary: 'Decommission a device: its key is withdrawn from the gateways', params: id } });

  const kinds: [Exclude<EntityKind, 'gateway'>, string, 'Team' | 'Contact' | 'Ladder' | 'Zone' | 'Beacon' | 'Input', string][] = [
    ['team', 'teams', 'Team', 'teams of workers (a supervisor sees the sites and teams of their scope)'],
    ['contact', 'contacts', 'Contact', 'contacts (people and services called in an escalation)'], ['ladder', 'ladders', 'Ladder', 'escalation ladders'],
    ['zone', 'zones', 'Zone', 'zones of the site plans'], ['beacon', 'beacons', 'Beacon', 'BLE beacons (each places a pendant in a zone)'],
    ['input', 'inputs', 'Input', 'wired inputs (panic buttons on gateways; id = site/gateway/input, URL-encoded)'],
  ];
  const siteQuery = { siteId: { description: 'Only this site (and the records of every site)' } };
  /** Teams: those of the scope and of its sites; other records: those of its sites and of every site. */
  const visibleRecord = async (req: ApiRequest, kind: EntityKind, rec: EntityMap[EntityKind]): Promise<boolean> => {
    const scope = await scopeOf(req, store);
    return kind === 'team' ? scope.team(rec as EntityMap['team']) : scope.record(entitySite(kind, rec));
  };
  for (const [kind, plural, schema, what] of kinds) {
    router.add('GET', `/api/${plural}`, async (req) => {
      const list = await store.listEntities(kind, req.query.get('siteId') ? { siteId: req.query.get('siteId')! } : {});
      const shown = await Promise.all(list.map((r) => visibleRecord(req, kind, r)));
      return { [plural]: list.filter((_r, i) => shown[i]) };
    }, { auth: 'any', doc: { summary: `List ${what}`, query: siteQuery, response: listOf(plural, ref(schema)) } });
    router.add('GET', `/api/${plural}/:id`, async (req) => {
      const rec = await store.getEntity(kind, req.params['id']!);
      return rec && (await visibleRecord(req, kind, rec)) ? rec : notFound(kind, req.params['id']!);
    }, { auth: 'any', doc: { summary: `One of the ${what}`, params: id, response: ref(schema) } });
    router.add('POST', `/api/${plural}`, async (req) => unwrap(await admin.put(kind, req.body, actor(req)), true), { auth: ADMIN, doc: { summary: `Create one of the ${what} (or replace the one with this id)`, body: REGISTRY_SCHEMAS[kind], status: 201, response: ref(schema) } });
    if (kind !== 'input') router.add('PUT', `/api/${plural}/:id`, async (req) => unwrap(await admin.put(kind, { ...(req.body as object), id: req.params['id'] }, actor(req))), { auth: ADMIN, doc: { summary: `Change one of the ${what}`, params: id, body: REGISTRY_SCHEMAS[kind], response: ref(schema) } });
    router.add('DELETE', `/api/${plural}/:id`, async (req) => removed(await admin.remove(kind, req.params['id']!, actor(req))), { auth: ADMIN, doc: { summary: `Delete one of the ${what} (refused while another record refers to it)`, params: id, errors: { 409: 'Still in use' } } });
  }

  const gw = { siteId: 'Site id', gatewayId: 'Gateway id' };
  router.add('GET', '/api/gateways', async (req) => {
    const scope = await scopeOf(req, store);
    return { gateways: (await store.listEntities('gateway', req.query.get('siteId') ? { siteId: req.query.get('siteId')! } : {})).filter((g) => scope.site(g.siteId)) };
  }, { auth: 'any', doc: { summary: 'Gateways with their liveness', query: siteQuery, response: listOf('gateways', ref('Gateway')) } });
  router.add('PUT', '/api/gateways/:siteId/:gatewayId', async (req) => unwrap(await admin.putGateway({ ...(req.body as object), siteId: req.params['siteId'], gatewayId: req.params['gatewayId'] }, actor(req))), { auth: ADMIN, doc: { summary: 'Name a gateway', params: gw, body: { type: 'object', properties: { name: { type: ['string', 'null'] } } }, response: ref('Gateway') } });
  router.add('DELETE', '/api/gateways/:siteId/:gatewayId', async (req) => removed(await admin.remove('gateway', `${req.params['siteId']}/${req.params['gatewayId']}`, actor(req))), { auth: ADMIN, doc: { summary: 'Forget a gateway', params: gw } });
}
