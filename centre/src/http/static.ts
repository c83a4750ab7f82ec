/** Serves the web apps' files from a directory, with no path escaping it and no directory listings. */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.mp3': 'audio/mpeg', '.wav': 'audio/wav',
};

/** Maps URL prefixes to directories; `index` is served for the prefix itself. */
export function serveStatic(mounts: { prefix: string; dir: string }[], raw: IncomingMessage, res: ServerResponse): boolean {
  if (raw.method !== 'GET' && raw.method !== 'HEAD') return false;
  const path = decodeURIComponent(new URL(raw.url ?? '/', 'http://localhost').pathname);
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
