/**
 * Devices (pendants, phones): provisioning creates a device's id and key and answers them with the
 * settings line — shown this once, never again; listings never carry keys. Assigning a device to a
 * worker and site, or decommissioning it, sends the gateways their new keyring.
 */
import type { FastifyInstance } from 'fastify';
import { scopeOf } from '../../auth/scope';
import { RegistryError } from '../../registry/registry';
import { REGISTRY_SCHEMAS } from '../../registry/schemas';
import type { BoardKind } from '../../store/types';
import { actorOf, ADMIN, organisationOf, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { listOf, params, ref } from '../openapi';

const ID = params({ id: 'Device id (8 hex digits)' });
const tags = ['devices'];

/** A device without its key. */
const publicDevice = <T extends { key: string }>(d: T): Omit<T, 'key'> => Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'key')) as Omit<T, 'key'>;

export function deviceRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, registry } = ctx;

  app.get('/api/devices', {
    config: { auth: 'any' }, schema: { summary: 'Devices (pendants, phones), without their keys', tags, response: { 200: listOf('devices', ref('Device')) } },
  }, async (req) => {
    const scope = await scopeOf(req, store);
    return { devices: (await store.listDevices()).filter((d) => scope.covers(d)).map(publicDevice) };
  });

  app.get('/api/devices/:id', {
    config: { auth: 'any', visible: 'device' }, schema: { summary: 'One device, without its key', tags, params: ID, response: { 200: ref('Device') } },
  }, async (req) => publicDevice(req.found.device!));

  app.post<{ Body: { board: BoardKind; workerId: string | null; siteId: string | null; deviceId?: string; key?: string; organisationId?: string } }>('/api/devices', {
    config: { auth: ADMIN },
    schema: {
      summary: 'Provision a device: creates its id and key and answers them with the settings line — shown this once, never again', tags, body: REGISTRY_SCHEMAS.deviceNew,
      response: {
        201: {
          type: 'object',
          properties: { device: { type: 'object', description: 'With its key, this once' }, settings: { type: 'string', description: 'The settings line for the pendant (docs/firmware.md)' } },
        },
        409: 'Device id taken',
      },
    },
  }, async (req, reply) => {
    try {
      const r = await registry.provision(req.body, organisationOf(req));
      void reply.code(201);
      return r;
    } catch (e) {
      if (e instanceof RegistryError) throw new HttpError(e.code === 'duplicate_device' ? 409 : e.code === 'invalid' ? 400 : 404, e.code, e.message);
      throw e;
    }
  });

  app.put<{ Params: { id: string }; Body: { workerId: string | null; siteId: string | null; organisationId?: string } }>('/api/devices/:id', {
    config: { auth: ADMIN, visible: 'device' },
    // A missing body is refused rather than read as "unassign" (every field defaults to null).
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) throw new HttpError(400, 'invalid', 'Invalid: (root): must be object');
    },
    schema: { summary: 'Assign a device to a worker and site (the gateways get the new keyring)', tags, params: ID, body: REGISTRY_SCHEMAS.device, response: { 200: ref('Device') } },
  }, async (req) => {
    const { id } = req.params;
    const { organisationId, ...change } = req.body;
    const before = req.found.device!;
    // The device stays in its organisation, with a worker and a site of it (another organisation's are unknown).
    if (organisationId !== undefined && organisationId !== before.organisationId) throw new HttpError(409, 'conflict', `device '${id}' belongs to organisation '${before.organisationId}': a record does not move to another organisation`);
    const mine = (r: { organisationId?: string } | undefined): boolean => !!r && r.organisationId === before.organisationId;
    if (change.workerId && !mine(await store.getWorker(change.workerId))) throw new HttpError(404, 'not_found', `Unknown worker '${change.workerId}'`);
    if (change.siteId && !mine(await store.getSite(change.siteId))) throw new HttpError(404, 'not_found', `Unknown site '${change.siteId}'`);
    const d = await store.updateDevice(id, change);
    ctx.devicesChanged(id);
    await store.appendAudit({ at: ctx.clock.now(), actor: actorOf(req), action: 'device_assigned', entity: 'device', entityId: id, data: change });
    for (const site of new Set([before.siteId, change.siteId])) if (site) await registry.publishKeyring(site);
    return publicDevice(d!);
  });

  app.delete<{ Params: { id: string } }>('/api/devices/:id', {
    config: { auth: ADMIN, visible: 'device' }, schema: { summary: 'Decommission a device: its key is withdrawn from the gateways', tags, params: ID },
  }, async (req) => {
    const { id } = req.params;
    const d = req.found.device!;
    await store.deleteDevice(id);
    ctx.devicesChanged(id);
    await store.appendAudit({ at: ctx.clock.now(), actor: actorOf(req), action: 'device_decommissioned', entity: 'device', entityId: id });
    if (d.siteId) await registry.publishKeyring(d.siteId);
  });
}
