/** The centre's HTTP server: API routes first, then the web apps' static files. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { dirname, join } from 'node:path';
import { Counters } from '../../../common/counters';
import { countFault } from '../../../common/process-guard';
import type { Logger } from '../../../common/log';
import type { Router } from './router';
import { sendJson } from './router';
import { serveStatic } from './static';

export const WEB_DIR = join(__dirname, '..', '..', 'web');
/** Leaflet's own files from the npm package, served locally (no CDN): the console's maps. */
const LEAFLET_DIR = join(dirname(require.resolve('leaflet/package.json')), 'dist');

export interface HttpServer {
  port: number;
  /** Answers by status (`200`, `404`…), and requests Node could not read (`unreadable`): /api/health's `http`. */
  counters: Counters;
  close(): Promise<void>;
}

const MOUNTS = [
  { prefix: '/shared/', dir: join(WEB_DIR, 'shared') },
  { prefix: '/app/', dir: join(WEB_DIR, 'app') },
  { prefix: '/responder/', dir: join(WEB_DIR, 'responder') },
  { prefix: '/vendor/leaflet/', dir: LEAFLET_DIR },
  { prefix: '/', dir: join(WEB_DIR, 'console') },
];

/**
 * Every request ends in an answer: a failure that escapes the router or the file server costs that
 * request a 500 (counted as `http_request_failed`), never the process (common/process-guard.ts).
 */
export interface HttpOptions {
  /** Set on every answer (security-headers.ts). */
  headers?: Record<string, string>;
  /** Serve HTTPS with this certificate chain and key (PEM). */
  tls?: { cert: Buffer; key: Buffer };
}

export function startHttp(router: Router, host: string, port: number, log: Logger, opts: HttpOptions = {}): Promise<HttpServer> {
  const sockets = new Set<Socket>();
  const headers = Object.entries(opts.headers ?? { 'x-content-type-options': 'nosniff' });
  const counters = new Counters();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [k, v] of headers) res.setHeader(k, v);
    res.once('finish', () => counters.inc(String(res.statusCode)));
    router.handle(req, res).then((handled) => {
      if (handled) return;
      const served = serveStatic(MOUNTS, req, res);
      if (served === 'bad_url') sendJson(res, 400, { error: { code: 'bad_url', message: 'The URL cannot be decoded' } });
      else if (!served) sendJson(res, 404, { error: { code: 'not_found', message: 'Not found' } });
    }).catch((e: unknown) => {
      countFault('http_request_failed', log, { method: req.method, url: req.url?.slice(0, 200), error: e instanceof Error ? e : new Error(String(e)) });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'Internal error' } });
      else res.destroy();
    });
  };
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createServer(handler);
  // `Expect:` other than 100-continue: Node's own 417, counted and with our headers.
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of headers) res.setHeader(k, v);
    res.once('finish', () => counters.inc('417'));
    sendJson(res, 417, { error: { code: 'expectation_failed', message: 'Only Expect: 100-continue is understood' } });
  });
  server.on('clientError', (_e: Error, socket: Duplex) => {
    counters.inc('unreadable');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  // A CONNECT (proxy tunnel) request is no request for us; without an answer Node would just drop the connection.
  server.on('connect', (_req, socket) => {
    counters.inc('405');
    const body = JSON.stringify({ error: { code: 'method_not_allowed', message: 'CONNECT is not served' } });
    const extra = headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\n${extra}connection: close\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
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
        counters,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
