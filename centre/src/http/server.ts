/** The centre's HTTP server: API routes first, then the web apps' static files. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { Router } from './router';
import { sendJson } from './router';
import { serveStatic } from './static';

export const WEB_DIR = join(__dirname, '..', '..', 'web');
/** Leaflet's own files from the npm package, served locally (no CDN): the console's maps. */
const LEAFLET_DIR = join(dirname(require.resolve('leaflet/package.json')), 'dist');

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export function startHttp(router: Router, host: string, port: number): Promise<HttpServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    void router.handle(req, res).then((handled) => {
      if (handled) return;
      if (serveStatic([{ prefix: '/shared/', dir: join(WEB_DIR, 'shared') }, { prefix: '/app/', dir: join(WEB_DIR, 'app') }, { prefix: '/responder/', dir: join(WEB_DIR, 'responder') }, { prefix: '/vendor/leaflet/', dir: LEAFLET_DIR }, { prefix: '/', dir: join(WEB_DIR, 'console') }], req, res)) return;
      sendJson(res, 404, { error: { code: 'not_found', message: 'Not found' } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
