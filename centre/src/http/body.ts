/**
 * Request bodies. JSON up to 64 KiB, kept as received too (the webhook's signature covers the bytes);
 * an empty body is no body; a `__proto__` or `constructor.prototype` key is refused (secure-json-parse,
 * as fastify does) so that no body can reach an object's prototype. An upload route's bytes as they
 * came. Any other media type is refused with 415 — so a cross-site form post can never reach the API.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import { HttpError } from './errors';

export const MAX_JSON_BYTES = 64 * 1024;

function parseJson(bytes: Buffer): unknown {
  try {
    return sjson.parse(bytes, { protoAction: 'error', constructorAction: 'error' });
  } catch (e) {
    const poisoned = /prototype/.test((e as Error).message);
    throw new HttpError(400, 'bad_json', poisoned ? 'The body has a forbidden key (__proto__ or constructor.prototype)' : 'The body is not valid JSON');
  }
}

export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, async (req: FastifyRequest, bytes: Buffer) => {
    if (req.routeOptions.config.upload) {
      // Its media type was checked before the bytes were read (guards.ts).
      if (bytes.length === 0) throw new HttpError(400, 'invalid', 'The body is empty');
      req.rawBody = bytes;
      return bytes;
    }
    if (bytes.length === 0) return undefined;
    if (!String(req.headers['content-type']).includes('application/json')) throw new HttpError(415, 'unsupported_media_type', 'Send JSON (content-type: application/json)');
    req.rawBody = bytes;
    return parseJson(bytes);
  });
}
