/**
 * The API's OpenAPI 3.1 document, generated from the descriptions each route module keeps next to its
 * routes (`router.add(method, path, handler, { auth, doc: {...} })`). Served at `/api/openapi.json`.
 * A route registered without a description still appears, marked `x-undocumented`, so the test that
 * every route is documented (test/web/console-openapi.test.ts) reads only the served document.
 * Roles come from the route's `auth` option — the same value the router enforces — so the document
 * cannot drift from what the server does.
 */
import type { JsonSchema } from '../../../common/schema';
import { COMPONENT_SCHEMAS } from './openapi-schemas';
import type { RouteInfo, Router } from './router';

export interface ParamDoc {
  description: string;
  schema?: JsonSchema;
  required?: boolean;
}

export interface RouteDoc {
  /** One line: what the route does. */
  summary: string;
  description?: string;
  /** Defaults to the path segment after `/api/`. */
  tags?: string[];
  /** Path parameters (`:name` in the pattern): name → what it is. */
  params?: Record<string, string>;
  query?: Record<string, ParamDoc>;
  /** JSON request body. */
  body?: JsonSchema;
  /** A non-JSON request body (an image upload): its media types. */
  upload?: { types: string[]; description: string };
  /** Success status: 200 by default, 204 when `response` and `produces` are absent and nothing is returned. */
  status?: number;
  /** JSON body of the success response. */
  response?: JsonSchema;
  /** Media type of a non-JSON success response (`text/csv`, `text/event-stream`, `image/*`). */
  produces?: string;
  /** Further error statuses beyond those implied by auth, params and body: status → when. */
  errors?: Record<number, string>;
}

/** `{$ref: '#/components/schemas/<name>'}` for a schema of openapi-schemas.ts. */
export function ref(name: keyof typeof COMPONENT_SCHEMAS): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
/** `{type: object, properties: {<key>: …}}` for list answers like `{alarms: [...]}`. */
export const listOf = (key: string, items: JsonSchema): JsonSchema => ({ type: 'object', required: [key], properties: { [key]: arrayOf(items) } });

const ERROR = { description: 'Error', content: { 'application/json': { schema: ref('Error') } } };

function operation(r: RouteInfo): Record<string, unknown> {
  const doc = r.opts.doc;
  const names = [...r.pattern.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const tag = r.pattern.split('/')[2] ?? 'api';
  const parameters = [
    ...names.map((n) => ({ name: n, in: 'path', required: true, description: doc?.params?.[n] ?? '', schema: { type: 'string' } })),
    ...Object.entries(doc?.query ?? {}).map(([name, q]) => ({ name, in: 'query', required: q.required ?? false, description: q.description, schema: q.schema ?? { type: 'string' } })),
  ];
  const status = doc?.status ?? (doc?.response || doc?.produces ? 200 : 204);
  const success: Record<string, unknown> = { description: status === 204 ? 'Done' : 'OK' };
  if (doc?.produces) success['content'] = { [doc.produces]: { schema: { type: 'string' } } };
  else if (doc?.response) success['content'] = { 'application/json': { schema: doc.response } };
  const responses: Record<string, unknown> = { [String(status)]: success };
  if (doc?.body || doc?.upload || names.length > 0 || doc?.query) responses['400'] = { ...ERROR, description: 'Invalid request (every problem named by path)' };
  if (r.opts.auth) responses['401'] = { ...ERROR, description: 'Not logged in' };
  if (r.opts.auth && r.opts.auth !== 'any') responses['403'] = { ...ERROR, description: `Only ${r.opts.auth.join(', ')}` };
  if (names.length > 0) responses['404'] = { ...ERROR, description: 'Not found (or outside your sites and teams)' };
  for (const [code, when] of Object.entries(doc?.errors ?? {})) responses[code] = { ...ERROR, description: when };
  const op: Record<string, unknown> = {
    operationId: `${r.method.toLowerCase()}${r.pattern.replace(/^\/api/, '').replace(/\/:?(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
    summary: doc?.summary ?? '',
    tags: doc?.tags ?? [tag],
    ...(doc?.description ? { description: doc.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    responses,
    security: r.opts.auth ? [{ bearer: [] }] : [],
    'x-roles': r.opts.auth === undefined ? 'public' : r.opts.auth === 'any' ? 'any' : [...r.opts.auth],
  };
  if (doc?.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: doc.body } } };
  if (doc?.upload) op['requestBody'] = { required: true, description: doc.upload.description, content: Object.fromEntries(doc.upload.types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) };
  if (!doc) op['x-undocumented'] = true;
  return op;
}

export function buildOpenApi(routes: RouteInfo[], info: { title: string; version: string; description?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.pattern.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: COMPONENT_SCHEMAS,
      // Bearer tokens only, never cookies: a browser never sends them by itself, so no request can be forged cross-site (CSRF).
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/login' } },
    },
  };
}

/** Serves the document; register it last so that it lists every route (it reads the router at each request). */
export function registerOpenApi(router: Router, info: { title: string; version: string; description?: string }): void {
  router.add('GET', '/api/openapi.json', () => buildOpenApi(router.list(), info), {
    doc: { summary: 'This document: every route of the API with its roles, parameters and bodies', tags: ['meta'], response: { type: 'object' } },
  });
}
