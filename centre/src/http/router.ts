/**
 * A small HTTP router on node:http: path parameters, JSON bodies with a size limit, bearer-token
 * authentication with role checks, and errors as `{error: {code, message}}`. Handlers return a value
 * (sent as JSON) or take over the response themselves (SSE, files).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../../common/log';
import type { User, UserRole } from '../store/types';
import type { RouteDoc } from './openapi';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The body as received (signature checks). */
  rawBody: Buffer | undefined;
  user: User | undefined;
  token: string | undefined;
  clientKey: string;
  raw: IncomingMessage;
  res: ServerResponse;
}

/** A handler's result: a JSON body (status 200), `{status, body}`, or `undefined` when it answered itself. */
export type HandlerResult = unknown;
export type Handler = (req: ApiRequest) => Promise<HandlerResult> | HandlerResult;

export interface RouteOptions {
  /** Roles allowed; `'any'` = any logged-in user; absent = public. */
  auth?: readonly UserRole[] | 'any';
  /** A non-JSON body (an image upload): accepted media types and size limit; the bytes are in `rawBody`. */
  upload?: { types: readonly string[]; maxBytes: number };
  /** What the route does, for /api/openapi.json (openapi.ts); a test fails for any route without one. */
  doc?: RouteDoc;
}

/** A registered route as the OpenAPI document sees it. */
export interface RouteInfo {
  method: string;
  /** As registered: `/api/alarms/:id`. */
  pattern: string;
  opts: RouteOptions;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function reply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, ...(headers ? { headers } : {}), __reply: true } as Reply;
}

interface Route {
  method: string;
  pattern: string;
  re: RegExp;
  names: string[];
  handler: Handler;
  opts: RouteOptions;
}

const MAX_BODY = 64 * 1024;
/** No request of ours nests deeper than a few levels; 64 keeps recursive code (clones, validation) far from the stack's end. */
const MAX_JSON_DEPTH = 64;

export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly ctx: { authenticate: (token: string) => Promise<User | undefined>; log: Logger }) {}

  add(method: string, pattern: string, handler: Handler, opts: RouteOptions = {}): void {
    const names: string[] = [];
    const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_m, n: string) => {
      names.push(n);
      return '([^/]+)';
    }) + '$');
    this.routes.push({ method, pattern, re, names, handler, opts });
  }

  /** Every registered route, in registration order. */
  list(): RouteInfo[] {
    return this.routes.map(({ method, pattern, opts }) => ({ method, pattern, opts }));
  }

  /** Returns false when no route matches the path (so the caller can serve files). */
  async handle(raw: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(raw.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { error: { code: 'bad_url', message: 'The URL cannot be read' } });
      return true;
    }
    const method = raw.method ?? 'GET';
    const candidates = this.routes.filter((r) => r.re.test(url.pathname));
    if (candidates.length === 0) return false;
    const route = candidates.find((r) => r.method === method);
    try {
      if (!route) throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`);
      const m = route.re.exec(url.pathname)!;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeParam(m[i + 1]!)));
      const header = raw.headers['authorization'];
      const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      const user = token ? await this.ctx.authenticate(token) : undefined;
      if (route.opts.auth) {
        if (!user) throw new HttpError(401, 'unauthenticated', 'Log in first');
        if (route.opts.auth !== 'any' && !route.opts.auth.includes(user.role)) throw new HttpError(403, 'forbidden', `Your role (${user.role}) may not do this`);
      }
      const { body, rawBody } = method === 'GET' || method === 'HEAD' ? { body: undefined, rawBody: undefined } : route.opts.upload ? await readUpload(raw, route.opts.upload) : await readJson(raw);
      const req: ApiRequest = { method, path: url.pathname, params, query: url.searchParams, body, rawBody, user, token, clientKey: raw.socket.remoteAddress ?? 'unknown', raw, res };
      const result = await route.handler(req);
      if (res.headersSent || res.writableEnded) return true;
      if (result && typeof result === 'object' && (result as { __reply?: boolean }).__reply) {
        const r = result as Reply;
        sendJson(res, r.status, r.body, r.headers);
      } else {
        sendJson(res, result === undefined ? 204 : 200, result);
      }
    } catch (e) {
      if (e instanceof HttpError) {
        // A body too large was not read to its end: close the connection after this answer.
        sendJson(res, e.status, { error: { code: e.code, message: e.message } }, e.status === 413 ? { connection: 'close' } : {});
      } else {
        this.ctx.log.error('request failed', { method, path: url.pathname, error: e as Error });
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'Internal error' } });
        else res.end();
      }
    }
    return true;
  }
}

/** A path parameter, percent-decoded; a malformed escape (`%ZZ`) is the client's error: 400. */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad_url', `The URL has a malformed escape: ${raw.slice(0, 80)}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function readUpload(raw: IncomingMessage, upload: { types: readonly string[]; maxBytes: number }): Promise<{ body: unknown; rawBody: Buffer | undefined }> {
  const type = String(raw.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!upload.types.includes(type)) return Promise.reject(new HttpError(415, 'unsupported_media_type', `Send one of ${upload.types.join(', ')}`));
  return readBody(raw, upload.maxBytes).then((buf) => {
    if (buf.length === 0) throw new HttpError(400, 'invalid', 'The body is empty');
    return { body: undefined, rawBody: buf };
  });
}

/**
 * Reads a body of at most `maxBytes`. One declared larger is refused before a byte is read; one that
 * grows past the limit is refused at once and the rest drained unread — never by destroying the
 * socket, which would lose the 413 (the answer closes the connection: http/server.ts).
 */
function readBody(raw: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = (): HttpError => new HttpError(413, 'too_large', `Request body over ${maxBytes} bytes`);
  if (Number(raw.headers['content-length'] ?? 0) > maxBytes) {
    raw.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    raw.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) reject(tooLarge());
      else chunks.push(c);
    });
    raw.on('end', () => resolve(Buffer.concat(chunks)));
    raw.on('error', reject);
  });
}

async function readJson(raw: IncomingMessage): Promise<{ body: unknown; rawBody: Buffer | undefined }> {
  const rawBody = await readBody(raw, MAX_BODY);
  if (rawBody.length === 0) return { body: undefined, rawBody: undefined };
  const type = String(raw.headers['content-type'] ?? '');
  if (!type.includes('application/json')) throw new HttpError(415, 'unsupported_media_type', 'Send JSON (content-type: application/json)');
  const text = rawBody.toString('utf8');
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new HttpError(400, 'too_deep', `The body nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return { body: JSON.parse(text), rawBody };
  } catch {
    throw new HttpError(400, 'bad_json', 'The body is not valid JSON');
  }
}

/** How deep JSON text nests (brackets outside strings), counted before parsing it. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}
