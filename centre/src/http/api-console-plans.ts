/**
 * Site floor plans: an image per site and floor (PNG, JPEG, WebP or SVG, up to 5 MB) uploaded by
 * admins with its size in metres, so that zone coordinates (metres from the bottom-left corner) land
 * on the drawing. Images are served only to logged-in users who may see the site; an SVG is sent with
 * a sandboxing Content-Security-Policy and shown by the console as an <img>, so it can never run script.
 */
import { scopeOf } from '../auth-scope';
import { planProblem } from './image-size';
import type { ApiContext } from './api';
import { listOf } from './openapi';
import { type ApiRequest, HttpError, type Router } from './router';

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
  properties: { siteId: { type: 'string' }, floor: { type: 'string' }, contentType: { type: 'string' }, widthM: { type: 'number' }, heightM: { type: 'number' }, bytes: { type: 'integer' }, updatedAt: { type: 'integer' }, updatedBy: { type: 'string' } },
};

export function registerPlansApi(router: Router, ctx: ApiContext): void {
  const { store } = ctx;
  const tags = ['sites'];
  const params = { id: 'Site id', floor: 'Floor name as the zones give it (e.g. 0, 1, B1)' };

  const visibleSite = async (req: ApiRequest): Promise<string> => {
    const id = req.params['id']!;
    const site = await store.getSite(id);
    if (!site || !(await scopeOf(req, store)).visibleSites(await store.listWorkers())(id)) throw new HttpError(404, 'not_found', `Unknown site '${id}'`);
    return id;
  };
  const floorOf = (req: ApiRequest): string => {
    const floor = req.params['floor']!;
    if (!/^[A-Za-z0-9_.-]{1,20}$/.test(floor)) throw new HttpError(400, 'invalid', 'floor: 1–20 letters, digits or _.-');
    return floor;
  };
  const metres = (req: ApiRequest, name: string): number => {
    const v = Number(req.query.get(name));
    if (!Number.isFinite(v) || v <= 0 || v > 100_000) throw new HttpError(400, 'invalid', `${name}: the drawing's size in metres (0 < ${name} ≤ 100000)`);
    return v;
  };

  router.add('GET', '/api/sites/:id/plans', async (req) => ({ plans: await store.listFloorPlans(await visibleSite(req)) }), {
    auth: 'any', doc: { summary: 'The site\'s floor plans (without the images)', tags, params: { id: 'Site id' }, response: listOf('plans', PLAN_SCHEMA) },
  });

  router.add('PUT', '/api/sites/:id/plans/:floor', async (req) => {
    const siteId = await visibleSite(req);
    const floor = floorOf(req);
    const [widthM, heightM] = [metres(req, 'widthM'), metres(req, 'heightM')];
    const type = String(req.raw.headers['content-type']).split(';')[0]!.trim().toLowerCase();
    if (!req.rawBody || !looksLike(type, req.rawBody)) throw new HttpError(400, 'invalid', `The body is not a ${type} image`);
    const problem = planProblem(type, req.rawBody);
    if (problem) throw new HttpError(400, 'invalid', `The plan is refused: ${problem}`);
    const at = ctx.clock.now();
    const actor = `user:${req.user!.username}`;
    await store.putFloorPlan({ siteId, floor, contentType: type, widthM, heightM, updatedAt: at, updatedBy: actor }, req.rawBody);
    await store.appendAudit({ at, actor, action: 'floor_plan_saved', entity: 'site', entityId: siteId, data: { floor, widthM, heightM, bytes: req.rawBody.length } });
    return (await store.listFloorPlans(siteId)).find((p) => p.floor === floor);
  }, {
    auth: ['admin'],
    upload: { types: PLAN_TYPES, maxBytes: PLAN_MAX_BYTES },
    doc: {
      summary: 'Upload (or replace) the plan of a floor: the image as the body, its size in metres in the query', tags, params,
      query: { widthM: { description: 'Width of the drawing in metres', required: true, schema: { type: 'number' } }, heightM: { description: 'Height of the drawing in metres', required: true, schema: { type: 'number' } } },
      upload: { types: [...PLAN_TYPES], description: 'The image, up to 5 MB' }, response: PLAN_SCHEMA, errors: { 413: 'Over 5 MB', 415: 'Not PNG, JPEG, WebP or SVG' },
    },
  });

  router.add('GET', '/api/sites/:id/plans/:floor/image', async (req) => {
    const got = await store.getFloorPlanImage(await visibleSite(req), floorOf(req));
    if (!got) throw new HttpError(404, 'not_found', 'No plan for this floor');
    req.res.writeHead(200, {
      'content-type': got.plan.contentType, 'content-length': got.image.length, 'cache-control': 'private, no-cache',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox", 'x-content-type-options': 'nosniff',
    });
    req.res.end(got.image);
    return undefined;
  }, { auth: 'any', doc: { summary: 'The plan\'s image', tags, params, produces: 'image/*' } });

  router.add('DELETE', '/api/sites/:id/plans/:floor', async (req) => {
    const siteId = await visibleSite(req);
    const floor = floorOf(req);
    if (!(await store.deleteFloorPlan(siteId, floor))) throw new HttpError(404, 'not_found', 'No plan for this floor');
    await store.appendAudit({ at: ctx.clock.now(), actor: `user:${req.user!.username}`, action: 'floor_plan_deleted', entity: 'site', entityId: siteId, data: { floor } });
    return undefined;
  }, { auth: ['admin'], doc: { summary: 'Delete a floor\'s plan', tags, params } });
}
