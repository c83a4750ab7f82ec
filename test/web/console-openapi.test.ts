/**
 * The OpenAPI document served by a real centre lists every registered route, and every route is
 * documented: a summary, its path parameters, its roles (the same value the router enforces).
 */
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call } from '../helpers/http';

interface Operation {
  operationId: string;
  summary: string;
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
  security: unknown[];
  'x-roles': string | string[];
  'x-undocumented'?: boolean;
}

describe('OpenAPI document', () => {
  let h: Harness;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

  beforeAll(async () => {
    h = await startHarness({ http: true });
    const r = await call<typeof doc>(h.base, 'GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    doc = r.body;
  });
  afterAll(() => h.stop());

  const operations = (): [string, string, Operation][] => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => [m.toUpperCase(), path, op] as [string, string, Operation]));

  it('is OpenAPI 3.1 with the routes the console uses', () => {
    expect(doc.openapi).toBe('3.1.0');
    const routes = operations().map(([m, p]) => `${m} ${p}`);
    for (const r of ['POST /api/login', 'GET /api/alarms', 'GET /api/alarms/{id}', 'POST /api/alarms/{id}/acknowledge', 'POST /api/alarms/{id}/resolve', 'GET /api/stream', 'GET /api/openapi.json']) expect(routes).toContain(r);
    expect(routes.length).toBeGreaterThan(50);
  });

  it('documents every registered route: summary, path parameters, roles', () => {
    const undocumented = operations().filter(([, , op]) => op['x-undocumented'] || !op.summary.trim()).map(([m, p]) => `${m} ${p}`);
    expect(undocumented).toEqual([]);
    for (const [m, path, op] of operations()) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((x) => x[1]);
      expect([m, path, (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)]).toEqual([m, path, names]);
      expect(op.responses).toBeDefined();
      if (op['x-roles'] === 'public') expect(op.security).toEqual([]);
      else expect([m, path, op.security]).toEqual([m, path, [{ bearer: [] }]]);
    }
    const ids = operations().map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every schema reference', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of new Set(refs)) expect([r, doc.components.schemas[r] !== undefined]).toEqual([r, true]);
  });

  it('states the roles the server enforces', () => {
    const ack = doc.paths['/api/alarms/{id}/acknowledge']!['post']!;
    expect(ack['x-roles']).toEqual(['admin', 'supervisor', 'operator']);
    expect(doc.paths['/api/sites']!['post']!['x-roles']).toEqual(['admin']);
    expect(doc.paths['/api/login']!['post']!['x-roles']).toBe('public');
  });
});
