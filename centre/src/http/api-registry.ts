/**
 * Registry API: sites, workers, devices (provisioning returns the key and the settings line once),
 * contacts, ladders, zones, beacons, gateways, wired inputs, users. Reading needs a login; changing
 * needs the admin role. Bodies are validated by registry-schemas.ts, every error reported by path.
 */
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../../common/passwords';
import { publicUser } from '../auth';
import { RegistryError } from '../registry';
import type { AdminResult } from '../registry-admin';
import { REGISTRY_SCHEMAS } from '../registry-schemas';
import type { BoardKind, EntityKind, User } from '../store/types';
import { check } from '../../../common/schema';
import type { ApiContext } from './api';
import { field } from './api';
import { listOf, ref } from './openapi';
import { HttpError, reply, type Router } from './router';

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
  router.add('GET', '/api/sites', async () => ({ sites: await store.listSites() }), { auth: 'any', doc: { summary: 'Sites', response: listOf('sites', ref('Site')) } });
  router.add('GET', '/api/sites/:id', async (req) => (await store.getSite(req.params['id']!)) ?? notFound('site', req.params['id']!), { auth: 'any', doc: { summary: 'One site', params: id, response: ref('Site') } });
  router.add('POST', '/api/sites', async (req) => unwrap(await admin.putSite(req.body, actor(req)), true), { auth: ADMIN, doc: { summary: 'Create a site (or replace one with this id)', body: REGISTRY_SCHEMAS.site, status: 201, response: ref('Site') } });
  router.add('PUT', '/api/sites/:id', async (req) => unwrap(await admin.putSite({ ...(req.body as object), id: req.params['id'] }, actor(req))), { auth: ADMIN, doc: { summary: 'Change a site', params: id, body: REGISTRY_SCHEMAS.site, response: ref('Site') } });
  router.add('DELETE', '/api/sites/:id', async (req) => removed(await admin.remove('site', req.params['id']!, actor(req))), { auth: ADMIN, doc: { summary: 'Delete a site (refused while workers or devices belong to it)', params: id, errors: { 409: 'Still in use' } } });

  router.add('GET', '/api/workers', async () => ({ workers: await store.listWorkers() }), { auth: 'any', doc: { summary: 'Workers', response: listOf('workers', ref('Worker')) } });
  router.add('GET', '/api/workers/:id', async (req) => (await store.getWorker(req.params['id']!)) ?? notFound('worker', req.params['id']!), { auth: 'any', doc: { summary: 'One worker', params: id, response: ref('Worker') } });
  router.add('POST', '/api/workers', async (req) => unwrap(await admin.putWorker(req.body, actor(req)), true), { auth: ADMIN, doc: { summary: 'Create a worker', body: REGISTRY_SCHEMAS.worker, status: 201, response: ref('Worker') } });
  router.add('PUT', '/api/workers/:id', async (req) => unwrap(await admin.putWorker({ ...(req.body as object), id: req.params['id'] }, actor(req))), { auth: ADMIN, doc: { summary: 'Change a worker', params: id, body: REGISTRY_SCHEMAS.worker, response: ref('Worker') } });
  router.add('DELETE', '/api/workers/:id', async (req) => removed(await admin.remove('worker', req.params['id']!, actor(req))), { auth: ADMIN, doc: { summary: 'Delete a worker (refused while a device is assigned)', params: id, errors: { 409: 'Still in use' } } });

  // Devices: keys are shown once, at provisioning; listings never carry them.
  const publicDevice = <T extends { key: string }>(d: T): Omit<T, 'key'> => Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'key')) as Omit<T, 'key'>;
  router.add('GET', '/api/devices', async () => ({ devices: (await store.listDevices()).map(publicDevice) }), { auth: 'any', doc: { summary: 'Devices (pendants, phones), without their keys', response: listOf('devices', ref('Device')) } });
  router.add('GET', '/api/devices/:id', async (req) => publicDevice((await store.getDevice(req.params['id']!)) ?? notFound('device', req.params['id']!)), { auth: 'any', doc: { summary: 'One device, without its key', params: id, response: ref('Device') } });
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
      response: { type: 'object', properties: { device: { type: 'object' }, settingsLine: { type: 'string' } } }, errors: { 409: 'Device id taken' },
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
  for (const [kind, plural, schema, what] of kinds) {
    router.add('GET', `/api/${plural}`, async (req) => ({ [plural]: await store.listEntities(kind, req.query.get('siteId') ? { siteId: req.query.get('siteId')! } : {}) }), { auth: 'any', doc: { summary: `List ${what}`, query: siteQuery, response: listOf(plural, ref(schema)) } });
    router.add('GET', `/api/${plural}/:id`, async (req) => (await store.getEntity(kind, req.params['id']!)) ?? notFound(kind, req.params['id']!), { auth: 'any', doc: { summary: `One of the ${what}`, params: id, response: ref(schema) } });
    router.add('POST', `/api/${plural}`, async (req) => unwrap(await admin.put(kind, req.body, actor(req)), true), { auth: ADMIN, doc: { summary: `Create one of the ${what} (or replace the one with this id)`, body: REGISTRY_SCHEMAS[kind], status: 201, response: ref(schema) } });
    if (kind !== 'input') router.add('PUT', `/api/${plural}/:id`, async (req) => unwrap(await admin.put(kind, { ...(req.body as object), id: req.params['id'] }, actor(req))), { auth: ADMIN, doc: { summary: `Change one of the ${what}`, params: id, body: REGISTRY_SCHEMAS[kind], response: ref(schema) } });
    router.add('DELETE', `/api/${plural}/:id`, async (req) => removed(await admin.remove(kind, req.params['id']!, actor(req))), { auth: ADMIN, doc: { summary: `Delete one of the ${what} (refused while another record refers to it)`, params: id, errors: { 409: 'Still in use' } } });
  }

  const gw = { siteId: 'Site id', gatewayId: 'Gateway id' };
  router.add('GET', '/api/gateways', async (req) => ({ gateways: await store.listEntities('gateway', req.query.get('siteId') ? { siteId: req.query.get('siteId')! } : {}) }), { auth: 'any', doc: { summary: 'Gateways with their liveness', query: siteQuery, response: listOf('gateways', ref('Gateway')) } });
  router.add('PUT', '/api/gateways/:siteId/:gatewayId', async (req) => unwrap(await admin.putGateway({ ...(req.body as object), siteId: req.params['siteId'], gatewayId: req.params['gatewayId'] }, actor(req))), { auth: ADMIN, doc: { summary: 'Name a gateway', params: gw, body: { type: 'object', properties: { name: { type: ['string', 'null'] } } }, response: ref('Gateway') } });
  router.add('DELETE', '/api/gateways/:siteId/:gatewayId', async (req) => removed(await admin.remove('gateway', `${req.params['siteId']}/${req.params['gatewayId']}`, actor(req))), { auth: ADMIN, doc: { summary: 'Forget a gateway', params: gw } });

  router.add('GET', '/api/users', async () => ({ users: (await store.listUsers()).map(publicUser) }), { auth: ADMIN, doc: { summary: 'Users of the console and API', tags: ['users'], response: listOf('users', ref('User')) } });
  router.add('POST', '/api/users', async (req) => {
    const username = field(req.body, 'username');
    const password = field(req.body, 'password');
    const role = field(req.body, 'role');
    const name = field(req.body, 'name');
    if (typeof username !== 'string' || !/^[A-Za-z0-9_.@-]{2,64}$/.test(username)) throw new HttpError(400, 'invalid', 'username: 2–64 letters, digits or _.@-');
    if (typeof password !== 'string' || password.length < 8) throw new HttpError(400, 'invalid', 'password: at least 8 characters');
    if (role !== 'admin' && role !== 'supervisor' && role !== 'operator' && role !== 'readonly') throw new HttpError(400, 'invalid', 'role: admin, supervisor, operator or readonly');
    if (await store.getUserByName(username)) throw new HttpError(409, 'conflict', `User '${username}' exists`);
    const user: User = { id: randomUUID(), username, name: typeof name === 'string' && name.trim() ? name.trim() : username, role: role, passwordHash: hashPassword(password) };
    await store.createUser(user);
    await store.appendAudit({ at: ctx.clock.now(), actor: actor(req), action: 'user_created', entity: 'user', entityId: user.id, data: { username, role } });
    return reply(201, publicUser(user));
  }, {
    auth: ADMIN,
    doc: {
      summary: 'Create a user', tags: ['users'], status: 201, response: ref('User'), errors: { 409: 'User name taken' },
      body: { type: 'object', required: ['username', 'password', 'role'], properties: { username: { type: 'string' }, password: { type: 'string', minLength: 8 }, role: { enum: ['admin', 'supervisor', 'operator', 'readonly'] }, name: { type: 'string' } } },
    },
  });
}
