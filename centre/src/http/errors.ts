/**
 * Every error the API answers is `{error: {code, message}}` with a status. Route code throws
 * HttpError; what fastify itself raises (a body too large, a media type it cannot read, a URL with a
 * malformed escape, a file the static server refuses) is translated here into the same shape, and
 * anything else is a 500 counted as `http_request_failed` — that request fails, never the process.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../common/log';
import { countFault } from '../../../common/process-guard';

export class HttpError extends Error {
  constructor(
    /** `statusCode`, the name fastify reads on errors. */
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiError {
  status: number;
  code: string;
  message: string;
}

/** What fastify raises before a handler runs, as the API's codes. */
function fromFastify(e: FastifyError, req: FastifyRequest): ApiError | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'too_large', message: `Request body over ${req.routeOptions.bodyLimit ?? 0} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', message: 'Send JSON (content-type: application/json)' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'invalid', message: 'The body is not as long as its Content-Length says' };
    case 'FST_ERR_BAD_URL':
      return { status: 400, code: 'bad_url', message: 'The URL cannot be decoded' };
  }
  // The static file server: a path it will not serve (outside its folder, a NUL byte) is not found.
  if (e.statusCode === 403) return { status: 404, code: 'not_found', message: 'Not found' };
  if (e.statusCode === 400) return { status: 400, code: 'bad_url', message: 'The URL cannot be decoded' };
  return undefined;
}

export function sendError(reply: FastifyReply, e: ApiError): void {
  void reply.code(e.status).send({ error: { code: e.code, message: e.message } });
}

export function errorHandler(log: Logger) {
  return (e: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply): void => {
    const known = e instanceof HttpError ? { status: e.statusCode, code: e.code, message: e.message } : fromFastify(e, req);
    if (!known) countFault('http_request_failed', log, { method: req.method, url: req.url.slice(0, 200), error: e });
    // A stream (live events, CSV) that fails after its first bytes can only be cut short.
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    sendError(reply, known ?? { status: 500, code: 'internal', message: 'Internal error' });
  };
}

/** `/%ZZ`, `/%C0%AF`: find-my-way cannot decode the path. */
export function frameworkErrors(e: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  // Answered before any hook ran: the headers every answer carries are set here.
  void reply.headers({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  if (e.code === 'FST_ERR_BAD_URL') sendError(reply, { status: 400, code: 'bad_url', message: 'The URL cannot be decoded' });
  else sendError(reply, { status: 400, code: 'bad_request', message: e.message });
}
