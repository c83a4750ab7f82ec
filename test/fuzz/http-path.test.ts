/**
 * The HTTP fuzzer credits an answer to a route only when the request's path, its dot segments
 * resolved as WHATWG URL resolves them, still reaches that route (`GET /api/zones/%2e%2e/..` is the
 * console's page at `/`: a false finding of the million run at seed 20261207).
 */
import { reachesRoute, resolveDotSegments } from './http-path';
import { requestTarget } from './http';
import type { HttpInput, Operation } from './http-requests';

describe('resolveDotSegments', () => {
  it.each([
    ['/api/zones/%2e%2e/..', '/'],
    ['/api/zones/..', '/api/'],
    ['/api/zones/%2E%2e', '/api/'],
    ['/api/zones/.%2e/x', '/api/x'],
    ['/api/zones/%2e./x', '/api/x'],
    ['/api/zones/./x', '/api/zones/x'],
    ['/api/zones/%2e/x', '/api/zones/x'],
    ['/api/zones/.', '/api/zones/'],
    ['/../../..', '/'],
    ['/api/zones/...', '/api/zones/...'],
    ['/api/zones/%2e%2e%2e', '/api/zones/%2e%2e%2e'],
    ['/api/zones/..%2f..', '/api/zones/..%2f..'],
    ['/api/zones/z1', '/api/zones/z1'],
    ['/', '/'],
  ])('%s resolves to %s', (path, resolved) => {
    expect(resolveDotSegments(path)).toBe(resolved);
  });

  it('agrees with WHATWG URL on every path the fuzzer can build from its pieces', () => {
    const pieces = ['.', '..', '%2e', '%2E', '%2e%2e', '.%2e', '%2e.', '...', 'x', '%2F', '%ZZ', ''];
    for (const a of pieces) for (const b of pieces) for (const c of pieces) {
      const path = `/api/${a}/${b}/${c}`;
      expect([path, resolveDotSegments(path)]).toEqual([path, new URL(path, 'http://127.0.0.1').pathname]);
    }
  });
});

describe('reachesRoute', () => {
  it('does not credit a path that resolves elsewhere to the route it was built from', () => {
    expect(reachesRoute('/api/zones/%2e%2e/..', '/api/zones/{id}')).toBe(false);
    expect(reachesRoute('/api/zones/%2e%2e', '/api/zones/{id}')).toBe(false);
    expect(reachesRoute('/api/alarms/..?state=raised', '/api/alarms/{id}')).toBe(false);
  });

  it('credits a path that still reaches the route, and one without dot segments as it was built', () => {
    expect(reachesRoute('/api/zones/x/../z1', '/api/zones/{id}')).toBe(true);
    expect(reachesRoute('/api/zones/./z1?x=..', '/api/zones/{id}')).toBe(true);
    expect(reachesRoute('/api/zones/%ZZ', '/api/zones/{id}')).toBe(true);
    expect(reachesRoute('/api/zones/..%2f..', '/api/zones/{id}')).toBe(true);
  });

  it('is what the fuzzer applies to the request it sends', () => {
    const op = { key: 'GET /api/zones/{id}', method: 'GET', path: '/api/zones/{id}', params: ['id'] } as Operation;
    const input: HttpInput = { op: op.key, who: 'none', params: ['%2e%2e'], tail: '/..', query: [], headers: [], body: { kind: 'none' }, framing: 'normal' };
    expect(requestTarget(input, op)).toBe('/api/zones/%2e%2e/..');
    expect(reachesRoute(requestTarget(input, op), op.path)).toBe(false);
  });
});
