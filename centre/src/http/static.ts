/**
 * The web apps' files with @fastify/static: the console at `/`, the worker app at `/app/`, the
 * responder page's script at `/responder/`, what they share at `/shared/`, and Leaflet's own files
 * from its npm package at `/vendor/leaflet/` (no CDN). No directory listings, nothing outside the
 * folders (a path that tries is a plain 404), each file with its media type, `no-cache` (the browser
 * asks again, so an update is seen at once) and never in a frame.
 */
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { dirname, extname, join } from 'node:path';

export const WEB_DIR = join(__dirname, '..', '..', 'web');
const LEAFLET_DIR = join(dirname(require.resolve('leaflet/package.json')), 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.mp3': 'audio/mpeg', '.wav': 'audio/wav',
};

const MOUNTS: [prefix: string, dir: string][] = [
  ['/shared/', join(WEB_DIR, 'shared')],
  ['/app/', join(WEB_DIR, 'app')],
  ['/responder/', join(WEB_DIR, 'responder')],
  ['/vendor/leaflet/', LEAFLET_DIR],
  ['/', join(WEB_DIR, 'console')],
];

function setHeaders(res: SetHeadersResponse, path: string): void {
  res.setHeader('content-type', TYPES[extname(path)] ?? 'application/octet-stream');
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-frame-options', 'DENY');
}

export async function serveWebApps(app: FastifyInstance): Promise<void> {
  for (const [i, [prefix, root]] of MOUNTS.entries()) {
    await app.register(fastifyStatic, {
      root, prefix, decorateReply: i === 0, index: ['index.html'], redirect: false, list: false,
      etag: false, lastModified: false, acceptRanges: false, cacheControl: false, contentType: false, setHeaders,
    });
  }
  // `/app` and `/responder` without the slash: the app itself, as with it.
  for (const [prefix, root] of MOUNTS.slice(1, 3)) {
    app.route({ method: ['GET', 'HEAD'], url: prefix.slice(0, -1), schema: { hide: true }, handler: (_req, reply) => reply.sendFile('index.html', root) });
  }
}
