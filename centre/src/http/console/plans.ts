/**
 * Site floor plans: an image per site and floor (PNG, JPEG, WebP or SVG, up to 5 MB) uploaded by
 * admins with its size in metres, so that zone coordinates (metres from the bottom-left corner) land
 * on the drawing. Images are served only to logged-in users who may see the site; an SVG is sent with
 * a sandboxing Content-Security-Policy and shown by the console as an <img>, so it can never run script.
 */
import type { FastifyInstance } from 'fastify';
import { actorOf, ADMIN, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { planProblem } from '../image-size';
import { listOf, params, query } from '../openapi';

export const PLAN_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml'] as const;
export const PLAN_MAX_BYTES = 5 * 1024 * 1024;

/** Whether the bytes are what the media type says (magic numbers; SVG: an XML document with an <svg> root). */
export function looksLike(type: string, b: Buffer): boolean {
  switch (type) {
    case 'image/png':
      return b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/jpeg':
      return b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
    case 'image/webp':
      return b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP';
    case 'image/svg+xml':
      return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s>]/i.test(b.subarray(0, 4096).toString('utf8'));
    default:
      return false;
  }
}

const PLAN_SCHEMA = {
  type: 'object',
  properties: {
    siteId: { type: 'string' }, floor: { type: 'string' }, contentType: { type: 'string' }, widthM: { type: 'number' }, heightM: { type: 'number' },
    bytes: { type: 'integer' }, updatedAt: { type: 'integer' }, updatedBy: { type: 'string' },
  },
};
const FLOOR = params({ id: 'Site id', floor: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,20}$', description: '1–20 letters, digits or _.- (the floor as the zones give it: 0, 1, B1)' } });
const METRES = (what: string) => ({ type: 'number', exclusiveMinimum: 0, maximum: 100_000, description: `${what} of the drawing in metres` });
const tags = ['sites'];

export function planRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  type Floor = { Params: { id: string; floor: string } };

  app.get('/api/sites/:id/plans', {
    config: { auth: 'any', visible: 'site' },
    schema: { summary: 'The site\'s floor plans (without the images)', tags, params: params({ id: 'Site id' }), response: { 200: listOf('plans', PLAN_SCHEMA) } },
  }, async (req) => ({ plans: await store.listFloorPlans(req.found.site!.id) }));

  app.put<Floor & { Querystring: { widthM: number; heightM: number }; Body: Buffer }>('/api/sites/:id/plans/:floor', {
    config: { auth: ADMIN, visible: 'site', upload: { types: PLAN_TYPES, maxBytes: PLAN_MAX_BYTES } },
    schema: {
      summary: 'Upload (or replace) the plan of a floor: the image as the body (PNG, JPEG, WebP or SVG, up to 5 MB), its size in metres in the query', tags, params: FLOOR,
      querystring: query({ widthM: METRES('Width'), heightM: METRES('Height') }, ['widthM', 'heightM']), response: { 200: PLAN_SCHEMA },
    },
  }, async (req) => {
    const siteId = req.found.site!.id;
    const { floor } = req.params;
    const { widthM, heightM } = req.query;
    const type = String(req.headers['content-type']).split(';')[0]!.trim().toLowerCase();
    if (!looksLike(type, req.body)) throw new HttpError(400, 'invalid', `The body is not a ${type} image`);
    const problem = planProblem(type, req.body);
    if (problem) throw new HttpError(400, 'invalid', `The plan is refused: ${problem}`);
    const at = ctx.clock.now();
    const actor = actorOf(req);
    await store.putFloorPlan({ siteId, floor, contentType: type, widthM, heightM, updatedAt: at, updatedBy: actor }, req.body);
    await store.appendAudit({ at, actor, action: 'floor_plan_saved', entity: 'site', entityId: siteId, data: { floor, widthM, heightM, bytes: req.body.length } });
    return (await store.listFloorPlans(siteId)).find((p) => p.floor === floor);
  });

  app.get<Floor>('/api/sites/:id/plans/:floor/image', {
    config: { auth: 'any', visible: 'site' },
    schema: { summary: 'The plan\'s image', tags, params: FLOOR, response: { 200: { description: 'OK', content: { 'image/*': { schema: { type: 'string' } } } } } },
  }, async (req, reply) => {
    const got = await store.getFloorPlanImage(req.found.site!.id, req.params.floor);
    if (!got) throw new HttpError(404, 'not_found', 'No plan for this floor');
    // An SVG is sandboxed: shown as an <img> by the console, and even opened directly it runs no script.
    void reply.headers({
      'content-type': got.plan.contentType, 'cache-control': 'private, no-cache',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
    });
    return got.image;
  });

  app.delete<Floor>('/api/sites/:id/plans/:floor', {
    config: { auth: ADMIN, visible: 'site' },
    schema: { summary: 'Delete a floor\'s plan', tags, params: FLOOR },
  }, async (req) => {
    const siteId = req.found.site!.id;
    const { floor } = req.params;
    if (!(await store.deleteFloorPlan(siteId, floor))) throw new HttpError(404, 'not_found', 'No plan for this floor');
    await store.appendAudit({ at: ctx.clock.now(), actor: actorOf(req), action: 'floor_plan_deleted', entity: 'site', entityId: siteId, data: { floor } });
  });
}
