/**
 * Request bodies. JSON up to 64 KiB, kept as received too (the webhook's signature covers the bytes);
 * an empty body is no body; a `__proto__` or `constructor.prototype` key is refused (secure-json-parse,
 * as fastify does) so that no body can reach an object's prototype. An upload route's bytes as they
 * came. A body nesting deeper than 64 levels is refused before it is parsed (recursive code —
 * validation, cloning — would otherwise meet the stack's end). Any other media type is refused with 415 — so a cross-site form post can never reach the API.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import { HttpError } from './errors';

export const MAX_JSON_BYTES = 64 * 1024;
/** No request of ours nests deeper than a few levels; 64 keeps recursive code far from the stack's end. */
export const MAX_JSON_DEPTH = 64;

/** How deep JSON text nests (brackets outside strings), counted before parsing it. */
export function jsonDepth(bytes: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
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

function parseJson(bytes: Buffer): unknown {
  if (jsonDepth(bytes) > MAX_JSON_DEPTH) throw new HttpError(400, 'too_deep', `The body nests deeper than ${MAX_JSON_DEPTH} levels`);
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
