/** Serves the web apps' files from a directory, with no path escaping it and no directory listings. */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.mp3': 'audio/mpeg', '.wav': 'audio/wav',
};

/** The request's path, percent-decoded; undefined when the URL cannot be read (`/%ZZ`, `/%C0`). */
export function decodedPath(rawUrl: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(rawUrl ?? '/', 'http://localhost').pathname);
  } catch {
    return undefined;
  }
}

/**
 * Maps URL prefixes to directories; `index` is served for the prefix itself. Returns 'bad_url' for a
 * path that cannot be decoded (the caller answers 400), false when no file matches.
 */
export function serveStatic(mounts: { prefix: string; dir: string }[], raw: IncomingMessage, res: ServerResponse): boolean | 'bad_url' {
  if (raw.method !== 'GET' && raw.method !== 'HEAD') return false;
  const path = decodedPath(raw.url);
  if (path === undefined || path.includes('\0')) return 'bad_url';
  for (const m of mounts) {
    if (!(path === m.prefix.replace(/\/$/, '') || path.startsWith(m.prefix))) continue;
    let rel = path.slice(m.prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(m.dir, rel));
    if (!file.startsWith(normalize(m.dir) + sep)) return false;
    let st;
    try {
      st = statSync(file);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': st.size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    if (raw.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  }
  return false;
}
