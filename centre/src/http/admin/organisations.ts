/**
 * Customer organisations (issue 21 part 1): the customers whose workers the monitoring company
 * watches. Only the centre's own admins (users without an organisation) create, rename and delete
 * them; an organisation's admin is refused (403). Every console user may read their own: the centre's
 * staff see every organisation, a customer's user only theirs (another one is a plain 404).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, ADMIN, organisationOf, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { listOf, params, ref } from '../openapi';

const ID = params({ id: 'Organisation id' });
const BODY = {
  type: 'object', additionalProperties: false, required: ['id', 'name'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }, name: { type: 'string', minLength: 1, maxLength: 100 } },
};
const tags = ['organisations'];

/** Only the centre's own staff manage organisations (after the login is checked, before the body is). */
const centreStaff = async (req: FastifyRequest): Promise<void> => {
  if (organisationOf(req) !== null) throw new HttpError(403, 'forbidden', 'Only the centre\'s own admins manage organisations');
};

export function organisationRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const entry = (req: FastifyRequest, action: string, id: string) => ({ at: ctx.clock.now(), actor: actorOf(req), action, entity: 'organisation', entityId: id });

  app.get('/api/organisations', {
    config: { auth: 'any' }, schema: { summary: 'Customer organisations (yours, for a customer\'s user)', tags, response: { 200: listOf('organisations', ref('Organisation')) } },
  }, async (req) => {
    const org = organisationOf(req);
    return { organisations: (await store.listOrganisations()).filter((o) => org === null || o.id === org) };
  });

  app.get<{ Params: { id: string } }>('/api/organisations/:id', {
    config: { auth: 'any' }, schema: { summary: 'One organisation', tags, params: ID, response: { 200: ref('Organisation') } },
  }, async (req) => {
    const org = organisationOf(req);
    const o = org === null || org === req.params.id ? await store.getOrganisation(req.params.id) : undefined;
    if (!o) throw new HttpError(404, 'not_found', `Unknown organisation '${req.params.id}'`);
    return o;
  });

  const put = async (req: FastifyRequest<{ Body: { id: string; name: string } }>): Promise<{ created: boolean; value: unknown }> => {
    const known = await store.getOrganisation(req.body.id);
    const o = { id: req.body.id, name: req.body.name, createdAt: known?.createdAt ?? ctx.clock.now() };
    await store.putOrganisation(o, entry(req, known ? 'organisation_changed' : 'organisation_created', o.id));
    return { created: !known, value: o };
  };

  app.post<{ Body: { id: string; name: string } }>('/api/organisations', {
    config: { auth: ADMIN }, preValidation: centreStaff,
    schema: { summary: 'Create a customer organisation (the centre\'s own admins only)', tags, body: BODY, response: { 201: ref('Organisation'), 409: 'Id taken' } },
  }, async (req, reply) => {
    if (await store.getOrganisation(req.body.id)) throw new HttpError(409, 'conflict', `Organisation '${req.body.id}' exists`);
    const r = await put(req);
    void reply.code(201);
    return r.value;
  });

  app.put<{ Params: { id: string }; Body: { id: string; name: string } }>('/api/organisations/:id', {
    config: { auth: ADMIN },
    preValidation: [centreStaff, async (req) => {
      req.body = { ...(req.body as object), id: req.params.id } as { id: string; name: string };
    }],
    schema: { summary: 'Rename a customer organisation (the centre\'s own admins only)', tags, params: ID, body: BODY, response: { 200: ref('Organisation') } },
  }, async (req) => {
    if (!(await store.getOrganisation(req.params.id))) throw new HttpError(404, 'not_found', `Unknown organisation '${req.params.id}'`);
    return (await put(req)).value;
  });

  app.delete<{ Params: { id: string } }>('/api/organisations/:id', {
    config: { auth: ADMIN }, preValidation: centreStaff,
    schema: { summary: 'Delete a customer organisation (refused while it has records or users)', tags, params: ID, response: { 409: 'Still in use' } },
  }, async (req) => {
    const { id } = req.params;
    if (!(await store.getOrganisation(id))) throw new HttpError(404, 'not_found', `Unknown organisation '${id}'`);
    if (!(await store.deleteOrganisation(id, entry(req, 'organisation_deleted', id)))) throw new HttpError(409, 'conflict', `Organisation '${id}' still has records or users`);
  });
}
